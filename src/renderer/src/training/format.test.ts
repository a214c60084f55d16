import { describe, expect, it } from 'vitest';
import type { TrainingRunState } from '../../../shared/api/training';
import { formatDelta, formatEta, runFraction } from './format';
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

  it('computes the run fraction from epoch and batch', () => {
    expect(runFraction(null)).toBe(0);
    expect(runFraction({ epoch: 1, epochs: 4, batch: 5, batchesPerEpoch: 10 })).toBeCloseTo(
      0.125,
      9,
    );
    expect(runFraction({ epoch: 4, epochs: 4, batch: 10, batchesPerEpoch: 10 })).toBe(1);
  });
});

describe('applyProgress', () => {
  const run: TrainingRunState = {
    runId: 2,
    status: 'running',
    settings: {
      fineTune: true,
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
  const progress = (epoch: number, valLoss: number | null) => ({
    runId: 2,
    epoch,
    epochs: 2,
    batch: 3,
    batchesPerEpoch: 3,
    loss: 0.5,
    valLoss,
    valF1: valLoss === null ? null : 0.7,
    valAuc: null,
    etaSeconds: 10,
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
