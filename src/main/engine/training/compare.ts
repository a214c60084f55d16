/**
 * A model version against a baseline (its parent, by default): the change of each headline
 * figure, pooled and per image, and which images got worse. Only F1 and AUC decide a
 * regression; precision and recall trade against each other and are shown, not judged.
 */
import type { EvaluationView, MetricDelta, ModelComparison } from '../../../shared/api/training';
import { HEADLINE_METRIC_NAMES } from '../../../shared/api/metrics';

/** A per-image drop beyond this in F1 or AUC counts as a regression (below it is noise). */
export const REGRESSION_TOLERANCE = 1e-3;

function deltas(
  before: EvaluationView['pooled'] | undefined,
  after: EvaluationView['pooled'] | undefined,
): MetricDelta[] {
  return HEADLINE_METRIC_NAMES.map((name) => {
    const b = before?.[name] ?? null;
    const a = after?.[name] ?? null;
    return { name, before: b, after: a, delta: a !== null && b !== null ? a - b : null };
  });
}

/** Pooled and per-image deltas; an image regressed when its F1 or AUC fell by more than the tolerance. */
export function compareViews(
  modelId: number,
  baselineId: number,
  before: EvaluationView,
  after: EvaluationView,
): ModelComparison {
  const beforeById = new Map(before.perImage.map((r) => [r.imageId, r.metrics]));
  return {
    modelId,
    baselineId,
    pooled: deltas(before.pooled, after.pooled),
    perImage: after.perImage.map((r) => {
      const d = deltas(beforeById.get(r.imageId), r.metrics);
      const regressed = d.some(
        (x) =>
          (x.name === 'f1' || x.name === 'auc') &&
          x.delta !== null &&
          x.delta < -REGRESSION_TOLERANCE,
      );
      return { imageId: r.imageId, deltas: d, regressed };
    }),
  };
}
