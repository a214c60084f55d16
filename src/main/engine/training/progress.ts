/**
 * A run's progress as the studio sees it: the compute process reports batches and epochs, the
 * studio gets a progress event for each and keeps one point per finished epoch for the live
 * chart. The point is kept once, as the compute process may report an epoch again (checkpoint).
 */
import type { TrainingProgress, TrainingRunState } from '../../../shared/api/training';
import type { TrainProgress } from '../../compute/train/job';

/** A progress event and the run state it leaves behind. */
export interface ProgressStep {
  progress: TrainingProgress;
  state: TrainingRunState;
}

/** Applies a compute report to a run's state; null while preparing or before a first loss. */
export function applyProgress(
  state: TrainingRunState,
  p: TrainProgress,
  backend: string,
): ProgressStep | null {
  if (p.phase === 'preparing' || p.loss === null) return null;
  const progress: TrainingProgress = {
    runId: state.runId,
    epoch: p.epoch,
    epochs: p.epochs,
    batch: p.batch,
    batchesPerEpoch: p.batchesPerEpoch,
    loss: p.loss,
    valLoss: p.phase === 'epoch' ? p.valLoss : null,
    valF1: p.phase === 'epoch' ? p.valF1 : null,
    valAuc: p.phase === 'epoch' ? p.valAuc : null,
    etaSeconds: p.etaSeconds,
    backend,
  };
  const history =
    p.phase === 'epoch' && !state.history.some((h) => h.epoch === p.epoch)
      ? [...state.history, { epoch: p.epoch, loss: p.loss, valLoss: p.valLoss, valF1: p.valF1 }]
      : state.history;
  return { progress, state: { ...state, last: progress, history } };
}
