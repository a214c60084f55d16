import { describe, expect, it } from 'vitest';
import type { TrainingProgress, TrainingRunState } from '../../../shared/api/training';
import { formatDelta, formatEta, progressText } from './format';
import { applyProgress } from './useTrainingRun';

describe('training formats', () => {
  it('formats ETAs', () => {
    expect(formatEta(null)).toBe('…');
    expect(formatEta(271)).toBe('04:31');
    expect(formatEta(3909)).toBe('1:05:09');
  });

  it('formats deltas with their sign', () => {
    expect(formatDelta(0.01234)).toBe('+0.0123');
    expect(formatDelta(-0.004)).toBe('-0.0040');
    expect(formatDelta(0.00001)).toBe('±0.0000');
    expect(formatDelta(null)).toBe('–');
  });

  it('says whether the ETA includes the evaluation, and counts the evaluation images', () => {
    const training: TrainingProgress = {
      runId: 1,
      phase: 'training',
      epoch: 2,
      epochs: 5,
      batch: 10,
      batchesPerEpoch: 50,
      loss: 0.12345,
      valLoss: null,
      valF1: null,
      valAuc: null,
      etaSeconds: 190,
      evaluation: { done: 0, total: 40 },
      evaluationTimed: true,
      fraction: 0.3,
      backend: 'wasm',
    };
    expect(progressText(training)).toBe(
      'epoch 2/5, batch 10/50, loss 0.1235 · ETA 03:10, evaluating 40 images included',
    );
    expect(progressText({ ...training, evaluationTimed: false })).toBe(
      'epoch 2/5, batch 10/50, loss 0.1235 · ETA 03:10 for training, then evaluating 40 images (not timed yet)',
    );
    expect(progressText({ ...training, evaluation: null })).toBe(
      'epoch 2/5, batch 10/50, loss 0.1235 · ETA 03:10',
    );
    expect(
      progressText({
        ...training,
        phase: 'evaluating',
        evaluation: { done: 12, total: 40 },
        etaSeconds: 80,
      }),
    ).toBe('evaluating: 12 of 40 images predicted · ETA 01:20');
  });
});

describe('applyProgress', () => {
  const run: TrainingRunState = {
    runId: 2,
    status: 'running',
    settings: {
      fineTune: true,
      scope: 'all',
      arch: 'bench-unet',
      epochs: 2,
      stepsPerEpoch: 3,
      batchSize: 4,
      patchSize: 48,
      learningRate: 1e-4,
      augment: true,
      correctionWeight: 5,
    },
    parentModelId: 1,
    modelId: null,
    startedAt: 't',
    finishedAt: null,
    history: [],
    last: null,
    error: null,
    decision: null,
  };
  const progress = (epoch: number, valLoss: number | null): TrainingProgress => ({
    runId: 2,
    phase: 'training',
    epoch,
    epochs: 2,
    batch: 3,
    batchesPerEpoch: 3,
    loss: 0.5,
    valLoss,
    valF1: valLoss === null ? null : 0.7,
    valAuc: null,
    etaSeconds: 10,
    evaluation: null,
    evaluationTimed: true,
    fraction: 0.5,
    backend: 'wasm',
  });

  it('adds one chart point per finished epoch and ignores other runs', () => {
    let state = applyProgress(run, progress(1, null));
    expect(state.history).toEqual([]);
    expect(state.last?.epoch).toBe(1);
    state = applyProgress(state, progress(1, 0.4));
    state = applyProgress(state, progress(1, 0.4));
    expect(state.history).toEqual([{ epoch: 1, loss: 0.5, valLoss: 0.4, valF1: 0.7 }]);
    expect(applyProgress(state, { ...progress(2, 0.3), runId: 9 })).toBe(state);
  });
});
