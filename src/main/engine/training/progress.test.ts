import { describe, expect, it } from 'vitest';
import type { TrainingRunState } from '../../../shared/api/training';
import { RETRAIN_DEFAULTS } from '../../../shared/api/training';
import type { TrainProgress } from '../../compute/train/job';
import { applyProgress, evaluationProgress } from './progress';

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
      phase: 'training',
      epoch: 1,
      epochs: 2,
      batch: 1,
      batchesPerEpoch: 4,
      loss: 0.5,
      valLoss: null,
      valF1: null,
      valAuc: null,
      etaSeconds: 10,
      evaluation: null,
      evaluationTimed: true,
      // Without a clock, the training's own: 1 s done, 10 s left.
      fraction: 1 / 11,
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

describe('one ETA for the whole run', () => {
  it('adds the evaluation at the time per image measured, and fills the bar by time', () => {
    const step = applyProgress(state, report({ etaSeconds: 100 }), 'wasm', {
      elapsedSeconds: 50,
      evaluation: { images: 40, secondsPerImage: 5 },
    });
    // 100 s of training and 40 images at 5 s each.
    expect(step?.progress).toMatchObject({
      phase: 'training',
      etaSeconds: 300,
      evaluation: { done: 0, total: 40 },
      evaluationTimed: true,
      fraction: 50 / 350,
    });
  });

  it('says when the evaluation is not timed yet, and then counts batches', () => {
    const step = applyProgress(state, report({ etaSeconds: 100, batch: 2 }), 'wasm', {
      elapsedSeconds: 50,
      evaluation: { images: 40, secondsPerImage: null },
    });
    expect(step?.progress).toMatchObject({
      etaSeconds: 100,
      evaluationTimed: false,
      evaluation: { done: 0, total: 40 },
      fraction: 2 / 8,
    });
  });

  it('times a run without an evaluation (the quick fine-tune) by its training alone', () => {
    const step = applyProgress(state, report({ etaSeconds: 30 }), 'wasm', {
      elapsedSeconds: 10,
      evaluation: null,
    });
    expect(step?.progress).toMatchObject({ etaSeconds: 30, evaluation: null, fraction: 0.25 });
  });

  it('counts the evaluation at the planned pace until an image is done, then at its own', () => {
    const trained = applyProgress(state, report({ epoch: 2, batch: 4, loss: 0.2 }), 'wasm');
    const running = trained?.state ?? state;
    const clock = { total: 40, elapsedSeconds: 200, plannedSecondsPerImage: 5 };
    const start = evaluationProgress(running, { ...clock, done: 0, evaluationSeconds: 0 }, 'wasm');
    expect(start.progress).toMatchObject({
      phase: 'evaluating',
      etaSeconds: 200,
      evaluation: { done: 0, total: 40 },
      evaluationTimed: true,
      fraction: 0.5,
      // The training's counters as they ended stay on show.
      epoch: 2,
      batch: 4,
      loss: 0.2,
    });
    // 10 images in 20 s: 2 s each, 30 left.
    const later = evaluationProgress(
      start.state,
      { ...clock, done: 10, evaluationSeconds: 20, elapsedSeconds: 220 },
      'wasm',
    );
    expect(later.progress).toMatchObject({ etaSeconds: 60, fraction: 220 / 280 });
    expect(later.state.last).toBe(later.progress);
  });

  it('counts images on the bar when nothing says how long one takes', () => {
    const step = evaluationProgress(
      state,
      {
        done: 0,
        total: 40,
        evaluationSeconds: 0,
        elapsedSeconds: 90,
        plannedSecondsPerImage: null,
      },
      'wasm',
    );
    expect(step.progress).toMatchObject({ etaSeconds: null, evaluationTimed: false, fraction: 0 });
  });
});
