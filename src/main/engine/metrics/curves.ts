/**
 * ROC and precision-recall curves at full resolution (one point per distinct score), their areas,
 * and a downsampling for storage and plots that provably keeps the area: every dropped run of
 * points may move the area by at most a budget proportional to its width, and the result is
 * checked against the exact area before it is returned.
 */
import { AppError } from '../../../shared/result';
import type { RankedScores } from './ranking';

/** How a curve's area is measured: ROC by trapezoids, PR by steps (average precision). */
export type AreaRule = 'trapezoid' | 'step';

/** A curve at full resolution: x and y per point, and the threshold that gives the point. */
export interface Curve {
  x: Float64Array;
  y: Float64Array;
  /** Scores: the point counts pixels with `p >= threshold`; the first point has +Infinity. */
  thresholds: Float64Array;
}

/** A curve as stored and plotted: plain arrays, with the proof that the area is kept. */
export interface StoredCurve {
  x: number[];
  y: number[];
  thresholds: (number | null)[];
  rule: AreaRule;
  /** Points of the full-resolution curve. */
  fullPointCount: number;
  /** Area of the full-resolution curve (AUC-ROC or average precision). */
  exactArea: number;
  /** Area of these points by the same rule. */
  area: number;
  /** |area - exactArea|, at most the tolerance it was downsampled with. */
  areaError: number;
}

/** ROC curve: false positive rate against true positive rate, starting at (0, 0). */
export function rocCurve(ranked: RankedScores): Curve {
  const n = ranked.scores.length;
  const x = new Float64Array(n + 1);
  const y = new Float64Array(n + 1);
  const thresholds = new Float64Array(n + 1);
  thresholds[0] = Infinity;
  const { positives, negatives } = ranked;
  for (let k = 0; k < n; k++) {
    x[k + 1] = negatives === 0 ? 0 : ranked.cumulativeNegatives[k] / negatives;
    y[k + 1] = positives === 0 ? 0 : ranked.cumulativePositives[k] / positives;
    thresholds[k + 1] = ranked.scores[k];
  }
  return { x, y, thresholds };
}

/**
 * Precision-recall curve: recall on x, precision on y. It starts at recall 0 with the precision of
 * the first threshold, so the step area equals the average precision.
 */
export function precisionRecallCurve(ranked: RankedScores): Curve {
  const n = ranked.scores.length;
  const x = new Float64Array(n + 1);
  const y = new Float64Array(n + 1);
  const thresholds = new Float64Array(n + 1);
  thresholds[0] = Infinity;
  const { positives } = ranked;
  for (let k = 0; k < n; k++) {
    const tp = ranked.cumulativePositives[k];
    const detected = tp + ranked.cumulativeNegatives[k];
    x[k + 1] = positives === 0 ? 0 : tp / positives;
    y[k + 1] = detected === 0 ? 1 : tp / detected;
    thresholds[k + 1] = ranked.scores[k];
  }
  y[0] = n > 0 ? y[1] : 1;
  return { x, y, thresholds };
}

/** Area of the segment from point a to point b by the rule, as if no point lay between them. */
function segmentArea(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  a: number,
  b: number,
  rule: AreaRule,
) {
  const width = x[b] - x[a];
  return rule === 'trapezoid' ? (width * (y[a] + y[b])) / 2 : width * y[b];
}

/** Area under the polyline through all the points, by the rule. */
export function curveArea(x: ArrayLike<number>, y: ArrayLike<number>, rule: AreaRule): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += segmentArea(x, y, i - 1, i, rule);
  return area;
}

export interface DownsampleOptions {
  /** Largest allowed |area change|; default 1e-4. */
  maxAreaError?: number;
  /** Largest x or y distance between kept neighbours, so plots keep their shape; default 0.01. */
  maxStep?: number;
}

/**
 * Keeps a subset of the points (always the first and last) such that the area moves by at most
 * `maxAreaError`. Greedy: a run from the last kept point is extended while the error it adds keeps
 * the running error within the budget (see below), then the area is recomputed and checked.
 */
export function downsampleCurve(
  curve: Curve,
  rule: AreaRule,
  options: DownsampleOptions = {},
): StoredCurve {
  const maxAreaError = options.maxAreaError ?? 1e-4;
  const maxStep = options.maxStep ?? 0.01;
  const { x, y, thresholds } = curve;
  const n = x.length;
  const cumulative = new Float64Array(n);
  for (let i = 1; i < n; i++) cumulative[i] = cumulative[i - 1] + segmentArea(x, y, i - 1, i, rule);
  const exactArea = n > 0 ? cumulative[n - 1] : 0;

  // Under the step rule a point that gains no recall adds nothing to the area, and dropping it
  // leaves every other term unchanged: only the points where x grows (and the ends) are candidates.
  // That removes the saw-tooth of a PR curve before the greedy pass, at no cost in area.
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    if (rule === 'trapezoid' || i === 0 || i === n - 1 || x[i] !== x[i - 1]) candidates.push(i);
  }

  // The budget grows with the path length (|dx| + |dy|) walked so far: after a run ending at
  // candidate j, the committed signed error must stay within maxAreaError/2 times the share of the
  // path walked. Signed, because a saw-tooth's errors cancel; growing, so the early part of the
  // curve cannot spend what the rest needs. At the last point the bound is maxAreaError/2.
  const walked = new Float64Array(candidates.length);
  for (let c = 1; c < candidates.length; c++) {
    const [a, b] = [candidates[c - 1], candidates[c]];
    walked[c] = walked[c - 1] + Math.abs(x[b] - x[a]) + Math.abs(y[b] - y[a]);
  }
  const pathLength = candidates.length > 0 ? walked[candidates.length - 1] : 0;
  const errorPerLength = pathLength > 0 ? maxAreaError / 2 / pathLength : 0;

  const dropped = (a: number, j: number) =>
    segmentArea(x, y, a, j, rule) - (cumulative[j] - cumulative[a]);
  let committed = 0;
  const accepts = (anchor: number, end: number) => {
    const [a, j] = [candidates[anchor], candidates[end]];
    if (Math.abs(x[j] - x[a]) > maxStep || Math.abs(y[j] - y[a]) > maxStep) return false;
    return Math.abs(committed + dropped(a, j)) <= errorPerLength * walked[end];
  };

  const kept: number[] = candidates.length > 0 ? [candidates[0]] : [];
  let anchor = 0;
  let end = 1;
  while (end < candidates.length) {
    if (end + 1 < candidates.length && accepts(anchor, end + 1)) {
      end++;
    } else {
      committed += dropped(candidates[anchor], candidates[end]);
      kept.push(candidates[end]);
      anchor = end;
      end = anchor + 1;
    }
  }

  const keptX = kept.map((i) => x[i]);
  const keptY = kept.map((i) => y[i]);
  const area = curveArea(keptX, keptY, rule);
  const areaError = Math.abs(area - exactArea);
  if (!(areaError <= maxAreaError)) {
    throw new AppError(
      'METRICS_DOWNSAMPLE_AREA',
      `Downsampling a ${rule} curve moved its area by ${areaError}, more than ${maxAreaError}; ` +
        'this is a bug in the metrics code, please report it with the data.',
    );
  }
  return {
    x: keptX,
    y: keptY,
    thresholds: kept.map((i) => (Number.isFinite(thresholds[i]) ? thresholds[i] : null)),
    rule,
    fullPointCount: n,
    exactArea,
    area,
    areaError,
  };
}
