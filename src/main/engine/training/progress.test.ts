import { describe, expect, it } from 'vitest';
import type { TrainingRunState } from '../../../shared/api/training';
import { RETRAIN_DEFAULTS } from '../../../shared/api/training';
import type { TrainProgress } from '../../compute/train/job';
import { applyProgress } from './progress';

const state: TrainingRunState = {
  runId: 3,
  status: 'running',
  settings: RETRAIN_DEFAULTS,
  parentModelId: null,
  modelId: null,
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: null,
  history: [],
  last: null,
  error: null,
  decision: null,
};

function report(change: Partial<TrainProgress>): TrainProgress {
  return {
    phase: 'batch',
    epoch: 1,
    epochs: 2,
    batch: 1,
    batchesPerEpoch: 4,
    loss: 0.5,
    valLoss: 0.4,
    valAuc: 0.9,
    valF1: 0.7,
    learningRate: 1e-3,
    elapsedSeconds: 1,
    etaSeconds: 10,
    bestEpoch: null,
    ...change,
  };
}

describe('applyProgress', () => {
  it('ignores reports while preparing and before a first loss', () => {
    expect(applyProgress(state, report({ phase: 'preparing' }), 'wasm')).toBeNull();
    expect(applyProgress(state, report({ loss: null }), 'wasm')).toBeNull();
  });

  it('reports a batch without validation figures and adds no chart point', () => {
    const step = applyProgress(state, report({}), 'wasm');
    expect(step?.progress).toEqual({
      runId: 3,
      epoch: 1,
      epochs: 2,
      batch: 1,
      batchesPerEpoch: 4,
      loss: 0.5,
      valLoss: null,
      valF1: null,
      valAuc: null,
      etaSeconds: 10,
      backend: 'wasm',
    });
    expect(step?.state.history).toEqual([]);
    expect(step?.state.last).toBe(step?.progress);
  });

  it('adds one chart point per finished epoch, however often the epoch is reported', () => {
    const first = applyProgress(state, report({ phase: 'epoch' }), 'wasm');
    expect(first?.progress).toMatchObject({ valLoss: 0.4, valF1: 0.7, valAuc: 0.9 });
    expect(first?.state.history).toEqual([{ epoch: 1, loss: 0.5, valLoss: 0.4, valF1: 0.7 }]);
    const again = applyProgress(
      first?.state ?? state,
      report({ phase: 'epoch', loss: 0.3 }),
      'wasm',
    );
    expect(again?.state.history).toEqual(first?.state.history);
    // The state given is left as it was.
    expect(state.history).toEqual([]);
  });
});
