/** Curve series for the charts: one per model version, plus the second observer's point. */
import type { EvaluationView, PublishedRow } from '../../../shared/api/training';

export interface CurveSeries {
  key: string;
  label: string;
  points: { x: number; y: number }[];
  area: number | null;
}

export interface CurvePoint {
  key: string;
  label: string;
  x: number;
  y: number;
}

/**
 * One series per view that has the curve: points (xs[i], ys[i]), and the metric `area` (the
 * area under the curve) as the series' area and in its label.
 */
function curveSeries(
  views: EvaluationView[],
  curve: (v: EvaluationView) => { xs: Float32Array; ys: Float32Array } | null,
  area: 'auc' | 'ap',
): CurveSeries[] {
  const series: CurveSeries[] = [];
  for (const v of views) {
    const c = curve(v);
    if (c === null) continue;
    series.push({
      key: `m${v.modelId}`,
      label: `${v.label} (${area.toUpperCase()} ${v.pooled[area]?.toFixed(4) ?? '–'})`,
      points: Array.from(c.xs, (x, i) => ({ x, y: c.ys[i] as number })),
      area: v.pooled[area],
    });
  }
  return series;
}

/** ROC series (x = false positive rate, y = sensitivity), with AUC in the label. */
export function rocSeries(views: EvaluationView[]): CurveSeries[] {
  return curveSeries(views, (v) => v.roc && { xs: v.roc.fpr, ys: v.roc.tpr }, 'auc');
}

/** PR series (x = recall, y = precision), with average precision in the label. */
export function prSeries(views: EvaluationView[]): CurveSeries[] {
  return curveSeries(views, (v) => v.pr && { xs: v.pr.recall, ys: v.pr.precision }, 'ap');
}

/** Operating points on the ROC plane: the second observer and published rows with Se and Sp. */
export function rocPoints(
  secondObserver: EvaluationView | null,
  published: PublishedRow[],
): CurvePoint[] {
  const points: CurvePoint[] = [];
  const so = secondObserver?.pooled;
  if (so && so.recall !== null && so.specificity !== null) {
    points.push({
      key: 'observer',
      label: `Second observer (Se ${so.recall.toFixed(4)}, Sp ${so.specificity.toFixed(4)})`,
      x: 1 - so.specificity,
      y: so.recall,
    });
  }
  for (const p of published) {
    if (p.comparable && p.sensitivity !== null && p.specificity !== null) {
      points.push({
        key: `pub-${p.method}`,
        label: `${p.method} (published)`,
        x: 1 - p.specificity,
        y: p.sensitivity,
      });
    }
  }
  return points;
}

/** Operating points on the PR plane: the second observer (precision, recall). */
export function prPoints(secondObserver: EvaluationView | null): CurvePoint[] {
  const so = secondObserver?.pooled;
  if (!so || so.recall === null || so.precision === null) return [];
  return [
    {
      key: 'observer',
      label: `Second observer (P ${so.precision.toFixed(4)}, R ${so.recall.toFixed(4)})`,
      x: so.recall,
      y: so.precision,
    },
  ];
}
