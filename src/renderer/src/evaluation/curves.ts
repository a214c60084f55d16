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

/** ROC series (x = false positive rate, y = sensitivity), with AUC in the label. */
export function rocSeries(views: EvaluationView[]): CurveSeries[] {
  return views
    .filter((v) => v.roc !== null)
    .map((v) => {
      const roc = v.roc as NonNullable<EvaluationView['roc']>;
      const points = Array.from(roc.fpr, (x, i) => ({ x, y: roc.tpr[i] as number }));
      return {
        key: `m${v.modelId}`,
        label: `${v.label} (AUC ${v.pooled.auc?.toFixed(4) ?? '–'})`,
        points,
        area: v.pooled.auc,
      };
    });
}

/** PR series (x = recall, y = precision), with average precision in the label. */
export function prSeries(views: EvaluationView[]): CurveSeries[] {
  return views
    .filter((v) => v.pr !== null)
    .map((v) => {
      const pr = v.pr as NonNullable<EvaluationView['pr']>;
      const points = Array.from(pr.recall, (x, i) => ({ x, y: pr.precision[i] as number }));
      return {
        key: `m${v.modelId}`,
        label: `${v.label} (AP ${v.pooled.ap?.toFixed(4) ?? '–'})`,
        points,
        area: v.pooled.ap,
      };
    });
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
