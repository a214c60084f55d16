/**
 * An evaluation as the project keeps it and back. The project stores pooled figures as one
 * JSON object (the view's pooled row, per-image mean and std, and the training threshold
 * together) and the curves as Float32 blobs; the studio reads them back in its own shape.
 */
import type { EvaluationView } from '../../../shared/api/training';
import type { EvaluationInput, Evaluation as StoredEvaluation } from '../project';

/** What the project keeps under `pooled` (a type literal, so it passes as a JSON record). */
type StoredPooled = {
  metrics: EvaluationView['pooled'];
  perImageMean: EvaluationView['perImageMean'];
  perImageStd: EvaluationView['perImageStd'];
  trainingThreshold: EvaluationView['trainingThreshold'];
};

/** The project's record of an evaluation view of `modelId`, made by run `runId` (or none). */
export function toStoredEvaluation(
  view: EvaluationView,
  name: string,
  modelId: number,
  runId: number | null,
): EvaluationInput {
  const pooled: StoredPooled = {
    metrics: view.pooled,
    perImageMean: view.perImageMean,
    perImageStd: view.perImageStd,
    trainingThreshold: view.trainingThreshold,
  };
  return {
    name,
    modelVersionId: modelId,
    runId,
    protocol: view.protocol,
    pooled,
    perImage: view.perImage.map((r) => ({ imageKey: r.imageId, metrics: { ...r.metrics } })),
    ...(view.roc ? { roc: { fpr: view.roc.fpr, tpr: view.roc.tpr } } : {}),
    ...(view.pr ? { pr: { recall: view.pr.recall, precision: view.pr.precision } } : {}),
  };
}

/** A stored evaluation in the studio's shape, labelled `label`. */
export function fromStoredEvaluation(stored: StoredEvaluation, label: string): EvaluationView {
  const pooled = stored.pooled as StoredPooled;
  return {
    modelId: stored.modelVersionId,
    label,
    protocol: stored.protocol as EvaluationView['protocol'],
    pooled: pooled.metrics,
    perImageMean: pooled.perImageMean,
    perImageStd: pooled.perImageStd,
    perImage: stored.perImage.map((r) => ({
      imageId: r.imageKey,
      metrics: r.metrics as unknown as EvaluationView['pooled'],
    })),
    roc: stored.roc ? { fpr: stored.roc.fpr, tpr: stored.roc.tpr } : null,
    pr: stored.pr ? { recall: stored.pr.recall, precision: stored.pr.precision } : null,
    trainingThreshold: pooled.trainingThreshold,
    createdAt: stored.createdAt,
  };
}
