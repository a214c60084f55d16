import { describe, expect, it } from 'vitest';
import type { EvaluationView, MetricRow } from '../../../shared/api/training';
import type { Evaluation } from '../project';
import { describeProtocol } from './evaluation-view';
import { fromStoredEvaluation, toStoredEvaluation } from './stored-evaluation';

const row = (f1: number): MetricRow => ({
  auc: 0.9,
  ap: 0.8,
  precision: 0.7,
  recall: 0.6,
  specificity: 0.95,
  accuracy: 0.94,
  f1,
  iou: 0.5,
  mcc: 0.6,
});

const view: EvaluationView = {
  modelId: 4,
  label: 'v2',
  protocol: describeProtocol(2, '1st', true),
  pooled: row(0.71),
  perImageMean: row(0.7),
  perImageStd: row(0.01),
  perImage: [
    { imageId: 'test/01_test', metrics: row(0.69) },
    { imageId: 'test/02_test', metrics: row(0.72) },
  ],
  roc: { fpr: Float32Array.from([0, 1]), tpr: Float32Array.from([0, 1]) },
  pr: null,
  trainingThreshold: { value: 0.42, metrics: row(0.73) },
  createdAt: '2026-01-01T00:00:00Z',
};

/** What the project gives back for an input: curves as Float32Array, with an id and a date. */
function stored(input: ReturnType<typeof toStoredEvaluation>): Evaluation {
  return {
    id: 1,
    name: input.name ?? '',
    modelVersionId: input.modelVersionId,
    runId: input.runId ?? null,
    protocol: input.protocol,
    pooled: input.pooled,
    perImage: input.perImage ?? [],
    roc: input.roc
      ? {
          fpr: Float32Array.from(input.roc.fpr),
          tpr: Float32Array.from(input.roc.tpr),
          thresholds: null,
        }
      : null,
    pr: null,
    createdAt: view.createdAt,
  };
}

describe('stored evaluations', () => {
  it('records a view for the project and reads it back unchanged', () => {
    const input = toStoredEvaluation(view, 'v2 on test', 4, 11);
    expect(input).toMatchObject({ name: 'v2 on test', modelVersionId: 4, runId: 11 });
    expect(input.perImage?.[0]).toEqual({ imageKey: 'test/01_test', metrics: row(0.69) });
    // A view without a curve stores none, rather than an empty one.
    expect('pr' in input).toBe(false);
    expect(fromStoredEvaluation(stored(input), 'v2')).toEqual(view);
  });
});
