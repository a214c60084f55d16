/**
 * ROC and precision-recall curves at full resolution (one point per distinct score, or only the
 * points that can matter, losslessly), their areas, and a downsampling for storage and plots that
 * keeps the area: the running error is bounded while points are dropped, and the result is checked
 * against the exact area before it is returned.
 */
import { AppError } from '../../../shared/result';
import type { RankedScores } from './ranking';
import { METRICS_ERROR_CODES } from '../../../shared/api/errors';

/** How a curve's area is measured: ROC by trapezoids, PR by steps (average precision). */
export type AreaRule = 'trapezoid' | 'step';

/** A curve: x and y per point, and the threshold that gives the point. */
export interface Curve {
  x: Float64Array;
  y: Float64Array;
  /** Scores: the point counts pixels with `p >= threshold`; the first point has +Infinity. */
  thresholds: Float32Array;
  /** Points of the curve with one point per distinct score (before any lossless compaction). */
  fullPointCount: number;
}

/** A curve as stored and plotted: plain arrays, with the proof that the area is kept. */
export interface StoredCurve {
  x: number[];
  y: number[];
  thresholds: (number | null)[];
  rule: AreaRule;
  /** Points of the full-resolution curve (one per distinct score, plus the origin). */
  fullPointCount: number;
  /** Area of the full-resolution curve (AUC-ROC or average precision). */
  exactArea: number;
  /** Area of these points by the same rule. */
  area: number;
  /** |area - exactArea|, at most the tolerance it was downsampled with. */
  areaError: number;
}

export interface CurveOptions {
  /**
   * Leave out the points that cannot change the area or the shape: inside a straight run of the
   * ROC curve (only negatives, or only positives, on both sides), or, on the PR curve, points that
   * gain no recall (the step area ignores them). The curve stays exact; it is often 4x smaller.
   */
  lossless?: boolean;
}

/**
 * Writes the points of the ranking that `keep` marks (all when null): point 0 lies before any
 * score, point p after the p-th distinct score. x and y come from the cumulative counts.
 */
function buildCurve(ranked: RankedScores, keep: Uint8Array | null, kind: 'roc' | 'pr'): Curve {
  const n = ranked.scores.length;
  const { positives, negatives, cumulativePositives: tp, cumulativeNegatives: fp } = ranked;
  let m = n + 1;
  if (keep !== null) {
    m = 0;
    for (let p = 0; p <= n; p++) m += keep[p];
  }
  const x = new Float64Array(m);
  const y = new Float64Array(m);
  const thresholds = new Float32Array(m);
  thresholds[0] = Infinity;
  // Point 0: the ROC origin; on the PR curve, recall 0 at the first threshold's precision.
  if (kind === 'pr') y[0] = n === 0 ? 1 : tp[0] / (tp[0] + fp[0]);
  let at = 1;
  for (let p = 1; p <= n; p++) {
    if (keep !== null && keep[p] === 0) continue;
    const truePositives = tp[p - 1];
    const falsePositives = fp[p - 1];
    if (kind === 'roc') {
      x[at] = negatives === 0 ? 0 : falsePositives / negatives;
      y[at] = positives === 0 ? 0 : truePositives / positives;
    } else {
      x[at] = positives === 0 ? 0 : truePositives / positives;
      y[at] = truePositives / (truePositives + falsePositives);
    }
    thresholds[at] = ranked.scores[p - 1];
    at++;
  }
  return { x, y, thresholds, fullPointCount: n + 1 };
}

/** ROC curve: false positive rate against true positive rate, from (0, 0) to (1, 1). */
export function rocCurve(ranked: RankedScores, options: CurveOptions = {}): Curve {
  if (!options.lossless) return buildCurve(ranked, null, 'roc');
  const n = ranked.scores.length;
  const { cumulativePositives: tp, cumulativeNegatives: fp } = ranked;
  const keep = new Uint8Array(n + 1);
  keep[0] = 1;
  keep[n] = 1;
  // Point p sits between score groups p and p + 1 (1-based). Drop it when it is collinear with
  // both neighbours (both groups only negatives, or both only positives): same trapezoid area.
  for (let p = 1; p < n; p++) {
    const inP = p === 1 ? tp[0] : tp[p - 1] - tp[p - 2];
    const inN = p === 1 ? fp[0] : fp[p - 1] - fp[p - 2];
    const outP = tp[p] - tp[p - 1];
    const outN = fp[p] - fp[p - 1];
    keep[p] = (inP === 0 && outP === 0) || (inN === 0 && outN === 0) ? 0 : 1;
  }
  return buildCurve(ranked, keep, 'roc');
}

/**
 * Precision-recall curve: recall on x, precision on y. It starts at recall 0 with the precision of
 * the first threshold, so the step area equals the average precision.
 */
export function precisionRecallCurve(ranked: RankedScores, options: CurveOptions = {}): Curve {
  if (!options.lossless) return buildCurve(ranked, null, 'pr');
  const n = ranked.scores.length;
  const tp = ranked.cumulativePositives;
  const keep = new Uint8Array(n + 1);
  keep[0] = 1;
  keep[n] = 1;
  // A point that gains no recall adds nothing to the step area.
  for (let p = 1; p < n; p++) keep[p] = (p === 1 ? tp[0] : tp[p - 1] - tp[p - 2]) > 0 ? 1 : 0;
  return buildCurve(ranked, keep, 'pr');
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

/**
 * Under the step rule a point that gains no recall adds nothing to the area, and dropping it
 * leaves every other term unchanged: only the points where x grows (and the ends) can matter.
 * Removing the rest takes the saw-tooth out of a PR curve at no cost in area.
 */
function stepCandidates(curve: Curve): Curve {
  const { x, y, thresholds } = curve;
  const n = x.length;
  const keep = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (i === 0 || i === n - 1 || x[i] !== x[i - 1]) keep[m++] = i;
  const out = {
    x: new Float64Array(m),
    y: new Float64Array(m),
    thresholds: new Float32Array(m),
    fullPointCount: curve.fullPointCount,
  };
  for (let c = 0; c < m; c++) {
    out.x[c] = x[keep[c]];
    out.y[c] = y[keep[c]];
    out.thresholds[c] = thresholds[keep[c]];
  }
  return out;
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
  const fullPointCount = curve.fullPointCount;
  const { x, y, thresholds } = rule === 'step' ? stepCandidates(curve) : curve;
  const n = x.length;
  const step = rule === 'step';

  // cumulative[i]: area from point 0 to point i; walked[i]: path length (|dx| + |dy|) to point i.
  const cumulative = new Float64Array(n);
  const walked = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const dx = x[i] - x[i - 1];
    cumulative[i] = cumulative[i - 1] + (step ? dx * y[i] : (dx * (y[i - 1] + y[i])) / 2);
    walked[i] = walked[i - 1] + Math.abs(dx) + Math.abs(y[i] - y[i - 1]);
  }
  const exactArea = n > 0 ? cumulative[n - 1] : 0;
  // The budget grows with the path walked so far: after a run ending at point j, the committed
  // signed error must stay within maxAreaError/2 times the share of the path walked. Signed,
  // because a saw-tooth's errors cancel; growing, so the start of the curve cannot spend what the
  // rest needs. At the last point the bound is maxAreaError/2; the check below proves the result.
  const pathLength = n > 0 ? walked[n - 1] : 0;
  const errorPerLength = pathLength > 0 ? maxAreaError / 2 / pathLength : 0;

  const kept: number[] = n > 0 ? [0] : [];
  let committed = 0;
  let anchor = 0;
  let end = 1;
  let endError = 0;
  while (end < n) {
    const j = end + 1;
    let accepted = false;
    if (j < n && Math.abs(x[j] - x[anchor]) <= maxStep && Math.abs(y[j] - y[anchor]) <= maxStep) {
      const width = x[j] - x[anchor];
      const chord = step ? width * y[j] : (width * (y[anchor] + y[j])) / 2;
      const error = chord - (cumulative[j] - cumulative[anchor]);
      if (Math.abs(committed + error) <= errorPerLength * walked[j]) {
        accepted = true;
        end = j;
        endError = error;
      }
    }
    if (!accepted) {
      committed += endError;
      kept.push(end);
      anchor = end;
      end = anchor + 1;
      endError = 0;
    }
  }

  const keptX = kept.map((i) => x[i]);
  const keptY = kept.map((i) => y[i]);
  const area = curveArea(keptX, keptY, rule);
  const areaError = Math.abs(area - exactArea);
  if (!(areaError <= maxAreaError)) {
    throw new AppError(
      METRICS_ERROR_CODES.DOWNSAMPLE_AREA,
      `Downsampling a ${rule} curve moved its area by ${areaError}, more than ${maxAreaError}; ` +
        'this is a bug in the metrics code, please report it with the data.',
    );
  }
  return {
    x: keptX,
    y: keptY,
    thresholds: kept.map((i) => (Number.isFinite(thresholds[i]) ? thresholds[i] : null)),
    rule,
    fullPointCount,
    exactArea,
    area,
    areaError,
  };
}
