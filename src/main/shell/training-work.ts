/**
 * Training as the quit guard sees it. The engine announces every run's state and progress as
 * events; cancelling is the contract's `training.cancel`, after which the run keeps its best
 * checkpoint and announces a final state. Quitting waits for that state, so the checkpoint
 * is written before the compute process ends with the app.
 */
import type { TrainingProgress, TrainingRunState } from '../../shared/api/training';
import { AppError } from '../../shared/result';
import type { Engine } from '../engine';
import type { RunningWork } from './lifecycle';
import { OUTSIDE_REQUEST_ERROR_CODES } from '../../shared/api/errors';

const ACTIVE_STATUSES: ReadonlyArray<TrainingRunState['status']> = [
  'queued',
  'running',
  'evaluating',
];

function isActive(state: TrainingRunState | null): state is TrainingRunState {
  return state !== null && ACTIVE_STATUSES.includes(state.status);
}

/** A sentence for the quit dialog: which run, and how far it got. */
export function describeRun(state: TrainingRunState, progress: TrainingProgress | null): string {
  if (state.status === 'evaluating') {
    return `Training run ${state.runId} is evaluating its new model version.`;
  }
  const last = progress ?? state.last;
  if (state.status === 'running' && last !== null) {
    return `Training run ${state.runId} is running (epoch ${last.epoch} of ${last.epochs}).`;
  }
  return `Training run ${state.runId} is ${state.status}.`;
}

/**
 * The running training of an engine, followed through its events from now on.
 * `stopTimeoutMs` bounds the wait for the cancelled run to announce its end.
 */
export function followTraining(
  engine: Pick<Engine, 'events' | 'request'>,
  stopTimeoutMs = 120_000,
): RunningWork {
  let state: TrainingRunState | null = null;
  let progress: TrainingProgress | null = null;
  engine.events.on('training.state', (next) => {
    state = next;
    if (!isActive(next)) progress = null;
  });
  engine.events.on('training.progress', (next) => {
    if (state?.runId === next.runId) progress = next;
  });
  return {
    describe: () => (isActive(state) ? describeRun(state, progress) : null),
    async cancel() {
      if (!isActive(state)) return;
      const runId = state.runId;
      let stop: () => void = () => {};
      const ended = new Promise<void>((resolve) => {
        stop = engine.events.on('training.state', (next) => {
          if (next.runId === runId && !isActive(next)) resolve();
        });
      });
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await engine.request('training.cancel', { runId });
        if (!result.ok) throw new AppError(result.error.code, result.error.message);
        // Not cancelled: the engine has no such run in progress, so there is nothing to wait for.
        if (!(result.value as { cancelled: boolean }).cancelled) return;
        await Promise.race([
          ended,
          new Promise<void>((_resolve, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new AppError(
                    OUTSIDE_REQUEST_ERROR_CODES.STOP_TIMEOUT,
                    `Training run ${runId} did not stop within ${Math.round(stopTimeoutMs / 1000)} s; quitting anyway.`,
                  ),
                ),
              stopTimeoutMs,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
        stop();
      }
    },
  };
}
