/**
 * The pooled ranking in one walk over the sorted keys, without materialising a group per
 * distinct score (about as many as pixels for float32 maps): exact AUC-ROC and average
 * precision, the counts at given thresholds, and the lossless ROC and PR curves (the points
 * rocCurve and precisionRecallCurve keep with `lossless: true`), all equal to what the
 * RankedScores functions give. This is what evaluateImages uses on 4.5 million pixels.
 */
import type { ConfusionCounts } from './confusion';
import type { Curve } from './curves';
import { firstKeyAtLeast, scoreOfKey } from './ranking';

/** Everything evaluateImages needs from the pooled ranking. */
export interface PooledRanking {
  positives: number;
  negatives: number;
  auc: number | null;
  ap: number | null;
  /** counts[k]: confusion counts at thresholds[k] (`p >= t`). */
  counts: ConfusionCounts[];
  roc: Curve;
  pr: Curve;
}

/**
 * Walks sorted keys (ascending; see sortImagePixels) from the top score down, one group of equal
 * scores at a time. Plain locals only in the loop: it runs once per distinct score (millions).
 */
export function walkPooledRanking(
  sortedKeys: Uint32Array,
  thresholds: readonly number[],
): PooledRanking {
  const n = sortedKeys.length;
  // Totals first: the curves' axes are fractions of them.
  let positives = 0;
  for (let i = 0; i < n; i++) positives += sortedKeys[i] & 1;
  const negatives = n - positives;

  // Capacities from counts: a kept ROC point touches a group holding a positive (and, by
  // symmetry, one holding a negative), each group touches two points; PR keeps one point per
  // group holding a positive. Plus the two ends.
  const rocCapacity = Math.min(n + 1, 2 * Math.min(positives, negatives) + 3);
  const rocTp = new Float64Array(rocCapacity);
  const rocFp = new Float64Array(rocCapacity);
  const rocThresholds = new Float32Array(rocCapacity);
  const prCapacity = Math.min(n + 1, positives + 2);
  const prTp = new Float64Array(prCapacity);
  const prFp = new Float64Array(prCapacity);
  const prThresholds = new Float32Array(prCapacity);
  rocThresholds[0] = Infinity;
  prThresholds[0] = Infinity;
  let rocLength = 1;
  let prLength = 1;
  // The ROC point after a group waits until the next group says whether it is a corner (kept)
  // or inside a straight run of only negatives or only positives (dropped: same area).
  let pendingKind = 0; // 0 none, 1 only negatives, 2 only positives, 3 both
  let pendingTp = 0;
  let pendingFp = 0;
  let pendingScore = 0;

  // A threshold's boundary is where scores reach it, so it always falls between two groups.
  const crossings = thresholds
    .map((threshold, k) => ({ k, boundary: firstKeyAtLeast(sortedKeys, threshold) }))
    .sort((a, b) => b.boundary - a.boundary);
  const detected = thresholds.map(() => ({ tp: 0, fp: 0 }));
  let nextCrossing = 0;

  let tp = 0;
  let fp = 0;
  let twiceArea = 0;
  let precisionSum = 0;
  let groups = 0;
  let i = n - 1;
  while (i >= 0) {
    while (nextCrossing < crossings.length && i < crossings[nextCrossing].boundary) {
      detected[crossings[nextCrossing++].k] = { tp, fp };
    }
    const bits = sortedKeys[i] >>> 1;
    let size = 0;
    let groupPositives = 0;
    while (i >= 0 && sortedKeys[i] >>> 1 === bits) {
      groupPositives += sortedKeys[i] & 1;
      size++;
      i--;
    }
    const groupNegatives = size - groupPositives;
    const score = scoreOfKey(bits << 1);
    const newTp = tp + groupPositives;
    const newFp = fp + groupNegatives;
    twiceArea += groupNegatives * (tp + newTp);
    if (groupPositives > 0) {
      precisionSum += (groupPositives * newTp) / (newTp + newFp);
      prTp[prLength] = newTp;
      prFp[prLength] = newFp;
      prThresholds[prLength++] = score;
    }
    const kind = (groupNegatives > 0 ? 1 : 0) + (groupPositives > 0 ? 2 : 0);
    if (pendingKind !== 0 && !(pendingKind === kind && kind !== 3)) {
      rocTp[rocLength] = pendingTp;
      rocFp[rocLength] = pendingFp;
      rocThresholds[rocLength++] = pendingScore;
    }
    pendingKind = kind;
    pendingTp = newTp;
    pendingFp = newFp;
    pendingScore = score;
    tp = newTp;
    fp = newFp;
    groups++;
  }
  while (nextCrossing < crossings.length) detected[crossings[nextCrossing++].k] = { tp, fp };
  // The last point is always kept; on the PR curve too when its last group had no positive.
  if (pendingKind !== 0) {
    rocTp[rocLength] = pendingTp;
    rocFp[rocLength] = pendingFp;
    rocThresholds[rocLength++] = pendingScore;
  }
  if (n > 0 && prFp[prLength - 1] !== fp) {
    prTp[prLength] = tp;
    prFp[prLength] = fp;
    prThresholds[prLength++] = pendingScore;
  }

  // Plain loops: TypedArray.from with a map function iterates generically and is slow here.
  const rocCurve = unfilledCurve(rocThresholds, rocLength, groups + 1);
  for (let p = 0; p < rocLength; p++) {
    rocCurve.x[p] = negatives === 0 ? 0 : rocFp[p] / negatives;
    rocCurve.y[p] = positives === 0 ? 0 : rocTp[p] / positives;
  }
  const prCurve = unfilledCurve(prThresholds, prLength, groups + 1);
  for (let p = 0; p < prLength; p++) {
    prCurve.x[p] = positives === 0 ? 0 : prTp[p] / positives;
    if (p > 0) prCurve.y[p] = prTp[p] / (prTp[p] + prFp[p]);
  }
  // Recall 0 at the precision of the first threshold (which may have no positive).
  prCurve.y[0] = n === 0 ? 1 : firstPrecision(sortedKeys);
  return {
    positives,
    negatives,
    auc: positives === 0 || negatives === 0 ? null : twiceArea / (2 * positives * negatives),
    ap: positives === 0 ? null : precisionSum / positives,
    counts: detected.map((d) => ({
      tp: d.tp,
      fp: d.fp,
      fn: positives - d.tp,
      tn: negatives - d.fp,
    })),
    roc: rocCurve,
    pr: prCurve,
  };
}

/** A curve at the first `length` of the thresholds, its x and y still to be written. */
function unfilledCurve(thresholds: Float32Array, length: number, fullPointCount: number): Curve {
  return {
    x: new Float64Array(length),
    y: new Float64Array(length),
    thresholds: thresholds.slice(0, length),
    fullPointCount,
  };
}

/** Precision among the pixels of the top score. */
function firstPrecision(sortedKeys: Uint32Array): number {
  const n = sortedKeys.length;
  const top = sortedKeys[n - 1] >>> 1;
  let positives = 0;
  let all = 0;
  for (let i = n - 1; i >= 0 && sortedKeys[i] >>> 1 === top; i--) {
    positives += sortedKeys[i] & 1;
    all++;
  }
  return positives / all;
}
