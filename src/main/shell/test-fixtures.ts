/** Values the shell tests share. */
import type { TrainingRunState } from '../../shared/api/training';

/** A training run's state as the engine emits it: no history, settings or result yet. */
export function runState(runId: number, status: TrainingRunState['status']): TrainingRunState {
  return {
    runId,
    status,
    settings: {} as TrainingRunState['settings'],
    parentModelId: null,
    modelId: null,
    startedAt: '2026-11-27T09:00:00Z',
    finishedAt: null,
    history: [],
    last: null,
    error: null,
    decision: null,
  };
}
