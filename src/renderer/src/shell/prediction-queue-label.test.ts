import { describe, expect, it } from 'vitest';
import type { PredictionQueueState } from '../../../shared/api/studio';
import { predictionQueueLabel } from './prediction-queue-label';

const state: PredictionQueueState = {
  modelId: 1,
  modelName: 'Bundled',
  phase: 'predicting',
  done: 2,
  total: 40,
  currentId: 'test/03_test',
  etaSeconds: 80,
  paused: false,
  error: null,
};

describe('predictionQueueLabel', () => {
  it('counts the image in flight, with the ETA once there is one', () => {
    expect(predictionQueueLabel(state)).toBe('Predicting 3 of 40 · ETA 01:20');
    expect(predictionQueueLabel({ ...state, done: 0, etaSeconds: null })).toBe(
      'Predicting 1 of 40',
    );
  });

  it('says when it pauses after the image in flight, and when it is paused', () => {
    expect(predictionQueueLabel({ ...state, paused: true })).toBe(
      'Pausing after 3 of 40 · ETA 01:20',
    );
    expect(predictionQueueLabel({ ...state, paused: true, currentId: null })).toBe(
      'Predictions paused: 2 of 40 done',
    );
  });

  it('names the evaluation and a failure, and nothing once done or cancelled', () => {
    expect(predictionQueueLabel({ ...state, phase: 'evaluating' })).toBe(
      'Evaluating "Bundled" on the test split…',
    );
    expect(predictionQueueLabel({ ...state, phase: 'failed', error: 'out of memory' })).toBe(
      'Predicting with "Bundled" failed: out of memory',
    );
    expect(predictionQueueLabel({ ...state, phase: 'done' })).toBeNull();
    expect(predictionQueueLabel({ ...state, phase: 'cancelled' })).toBeNull();
    expect(predictionQueueLabel(null)).toBeNull();
    expect(predictionQueueLabel({ ...state, done: 0, total: 0 })).toBeNull();
  });
});
