/**
 * Exact ranking of scores: every pixel's probability sorted with its label, grouped into distinct
 * scores. AUC-ROC, average precision, both curves and the counts at any threshold all come from
 * these groups, so ties are handled once, the same way everywhere (a tie group moves the curve
 * diagonally, which is the Mann-Whitney statistic with ties counted as one half).
 *
 * The sort is exact and linear: a float32 in [0, 1] orders like its bit pattern read as an
 * unsigned integer, so the keys (bits << 1 | label) go through an LSD radix sort on 31 bits.
 * No quantisation: two probabilities that differ in the last bit stay two thresholds.
 */
import { AppError } from '../../../shared/result';
import { checkImageSizes, type ConfusionCounts, type ScoredImage } from './confusion';
import { METRICS_ERROR_CODES } from '../../../shared/api/errors';

/** Scores grouped by distinct value, highest first, with cumulative label counts. */
export interface RankedScores {
  /** Distinct scores, descending. */
  scores: Float32Array;
  /** Positives with a score at least scores[k] (cumulative, so the last is all positives). */
  cumulativePositives: Uint32Array;
  /** Negatives with a score at least scores[k]. */
  cumulativeNegatives: Uint32Array;
  positives: number;
  negatives: number;
}

const ONE_BITS = 0x3f800000;
const NEGATIVE_ZERO_BITS = 0x80000000;

/** Throws METRICS_BAD_PROBABILITY for a pixel that is NaN or outside [0, 1]. */
function badProbability(image: ScoredImage, pixel: number): never {
  throw new AppError(
    METRICS_ERROR_CODES.BAD_PROBABILITY,
    `${image.id}: pixel ${pixel} has the probability ${image.scores[pixel]}, outside [0, 1]; ` +
      'give the model output after the sigmoid or softmax.',
  );
}

/** Digit histograms of 31-bit keys for the three passes (11, 11 and 9 bits). */
function keyHistograms(keys: Uint32Array): Uint32Array[] {
  const low = new Uint32Array(2048);
  const mid = new Uint32Array(2048);
  const high = new Uint32Array(2048);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    low[k & 0x7ff]++;
    mid[(k >>> 11) & 0x7ff]++;
    high[k >>> 22]++;
  }
  return [low, mid, high];
}

/**
 * Turns a histogram into bucket starts; false when every key has the same digit, because such a
 * pass would only copy and is skipped.
 */
function toBucketStarts(counts: Uint32Array, n: number): boolean {
  let sum = 0;
  let allInOne = false;
  for (let d = 0; d < counts.length; d++) {
    const c = counts[d];
    if (c === n) allInOne = true;
    counts[d] = sum;
    sum += c;
  }
  return !allInOne;
}

/**
 * Sorts 31-bit keys ascending in three stable passes of 11, 11 and 9 bits, moving a 16-bit tag
 * (the image index) with each key, so one pooled sort also gives every image's order.
 */
export function radixSortTaggedKeys(
  keys: Uint32Array,
  tags: Uint16Array,
  scratchKeys: Uint32Array,
  scratchTags: Uint16Array,
  histograms = keyHistograms(keys),
  firstPass = 0,
): { keys: Uint32Array; tags: Uint16Array } {
  const n = keys.length;
  let source = keys;
  let sourceTags = tags;
  let target = scratchKeys.subarray(0, n);
  let targetTags = scratchTags.subarray(0, n);
  for (let pass = firstPass; pass < 3; pass++) {
    const starts = histograms[pass];
    if (!toBucketStarts(starts, n)) continue;
    const shift = pass * 11;
    for (let i = 0; i < n; i++) {
      const k = source[i];
      const at = starts[(k >>> shift) & 0x7ff]++;
      target[at] = k;
      targetTags[at] = sourceTags[i];
    }
    [source, target] = [target, source];
    [sourceTags, targetTags] = [targetTags, sourceTags];
  }
  return { keys: source, tags: sourceTags };
}

/** The float32 score that a sort key (see sortImagePixels) carries. */
const scoreBits = new Uint32Array(1);
const scoreFloat = new Float32Array(scoreBits.buffer);
export function scoreOfKey(key: number): number {
  scoreBits[0] = key >>> 1;
  return scoreFloat[0];
}

/** Index of the first sorted (ascending) key whose score is at least `threshold`. */
export function firstKeyAtLeast(sortedKeys: Uint32Array, threshold: number): number {
  let lo = 0;
  let hi = sortedKeys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scoreOfKey(sortedKeys[mid]) >= threshold) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Per-tag results of one walk over a tagged, sorted key array. */
export interface TagStats {
  auc: (number | null)[];
  ap: (number | null)[];
  /** counts[k][tag]: confusion counts of the tag at thresholds[k] (`p >= t`). */
  counts: ConfusionCounts[][];
}

/**
 * Exact AUC-ROC, average precision and the confusion counts at the given thresholds of every
 * tag (image), from one sorted, tagged key array: each image's own ranking is the pooled order
 * restricted to its tag, so one walk from the top score with per-image running counts gives the
 * same figures as sorting each image alone. The counts at a threshold are read when the walk
 * crosses it, so no extra pass over the pixels is needed.
 */
export function rankStatsByTag(
  sortedKeys: Uint32Array,
  sortedTags: Uint16Array,
  tagCount: number,
  thresholds: readonly number[] = [],
): TagStats {
  const lastBits = new Int32Array(tagCount).fill(-1);
  const groupPositives = new Float64Array(tagCount);
  const groupNegatives = new Float64Array(tagCount);
  const positives = new Float64Array(tagCount);
  const negatives = new Float64Array(tagCount);
  const twiceArea = new Float64Array(tagCount);
  const precisionSum = new Float64Array(tagCount);
  const detected = thresholds.map(() => ({
    tp: new Float64Array(tagCount),
    fp: new Float64Array(tagCount),
  }));
  // Thresholds in the order the walk (from the top score down) crosses them.
  const crossings = thresholds
    .map((threshold, k) => ({ k, boundary: firstKeyAtLeast(sortedKeys, threshold) }))
    .sort((a, b) => b.boundary - a.boundary);
  let nextCrossing = 0;
  const takeCounts = (k: number) => {
    for (let t = 0; t < tagCount; t++) {
      detected[k].tp[t] = positives[t] + groupPositives[t];
      detected[k].fp[t] = negatives[t] + groupNegatives[t];
    }
  };
  const closeGroup = (t: number) => {
    const gp = groupPositives[t];
    const gn = groupNegatives[t];
    const tp = positives[t] + gp;
    const fp = negatives[t] + gn;
    twiceArea[t] += gn * (positives[t] + tp);
    if (gp > 0) precisionSum[t] += (gp * tp) / (tp + fp);
    positives[t] = tp;
    negatives[t] = fp;
    groupPositives[t] = 0;
    groupNegatives[t] = 0;
  };
  for (let i = sortedKeys.length - 1; i >= 0; i--) {
    // Every key above index i has been counted: a threshold whose boundary is i + 1 is crossed.
    while (nextCrossing < crossings.length && i < crossings[nextCrossing].boundary) {
      takeCounts(crossings[nextCrossing++].k);
    }
    const key = sortedKeys[i];
    const t = sortedTags[i];
    const bits = key >>> 1;
    if (bits !== lastBits[t]) {
      closeGroup(t);
      lastBits[t] = bits;
    }
    if (key & 1) groupPositives[t]++;
    else groupNegatives[t]++;
  }
  while (nextCrossing < crossings.length) takeCounts(crossings[nextCrossing++].k);
  const auc: (number | null)[] = [];
  const ap: (number | null)[] = [];
  for (let t = 0; t < tagCount; t++) {
    closeGroup(t);
    const p = positives[t];
    const n = negatives[t];
    auc.push(p === 0 || n === 0 ? null : twiceArea[t] / (2 * p * n));
    ap.push(p === 0 ? null : precisionSum[t] / p);
  }
  const counts = detected.map(({ tp, fp }) =>
    Array.from({ length: tagCount }, (_, t) => ({
      tp: tp[t],
      fp: fp[t],
      fn: positives[t] - tp[t],
      tn: negatives[t] - fp[t],
    })),
  );
  return { auc, ap, counts };
}

/** Groups sorted keys (ascending) into distinct scores, highest first. */
export function groupSortedKeys(sorted: Uint32Array): RankedScores {
  const n = sorted.length;
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || sorted[i] >>> 1 !== sorted[i - 1] >>> 1) distinct++;
  }
  const scoreBits = new Uint32Array(distinct);
  const cumulativePositives = new Uint32Array(distinct);
  const cumulativeNegatives = new Uint32Array(distinct);
  let positives = 0;
  let negatives = 0;
  let k = -1;
  // Walk from the highest key down so the cumulative counts grow with k.
  for (let i = n - 1; i >= 0; i--) {
    const key = sorted[i];
    const bits = key >>> 1;
    if (k < 0 || scoreBits[k] !== bits) {
      k++;
      scoreBits[k] = bits;
    }
    if (key & 1) positives++;
    else negatives++;
    cumulativePositives[k] = positives;
    cumulativeNegatives[k] = negatives;
  }
  return {
    scores: new Float32Array(scoreBits.buffer),
    cumulativePositives,
    cumulativeNegatives,
    positives,
    negatives,
  };
}

/** The in-region pixels of several images, sorted together, each tagged with its image index. */
export interface SortedPixels {
  keys: Uint32Array;
  tags: Uint16Array;
  /** In-region pixels per image. */
  sizes: number[];
}

/**
 * Sorts the in-region pixels of the images together. The key of a pixel is its probability's
 * float32 bit pattern shifted left once, with the label (1 = vessel) in the lowest bit: keys
 * order like the probabilities, and equal probabilities stay one group. The digit histograms
 * are counted while the keys are written, saving the radix sort a pass.
 */
export function sortImagePixels(images: readonly ScoredImage[]): SortedPixels {
  if (images.length > 0x10000) {
    throw new AppError(
      METRICS_ERROR_CODES.TOO_MANY_IMAGES,
      `${images.length} images in one evaluation; split them into sets of at most 65,536.`,
    );
  }
  const sizes = images.map((image) => {
    checkImageSizes(image);
    if (image.region === null) return image.scores.length;
    let count = 0;
    for (let i = 0; i < image.region.length; i++) if (image.region[i] !== 0) count++;
    return count;
  });
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const keys = new Uint32Array(total);
  const tags = new Uint16Array(total);
  const histograms = [new Uint32Array(2048), new Uint32Array(2048), new Uint32Array(2048)];
  const [low, mid, high] = histograms;
  let at = 0;
  images.forEach((image, tag) => {
    const { scores, label, region } = image;
    const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
    const start = at;
    for (let i = 0; i < bits.length; i++) {
      if (region !== null && region[i] === 0) continue;
      let b = bits[i];
      if (b > ONE_BITS) {
        if (b !== NEGATIVE_ZERO_BITS) badProbability(image, i);
        b = 0;
      }
      const key = (b << 1) | (label[i] !== 0 ? 1 : 0);
      low[key & 0x7ff]++;
      mid[(key >>> 11) & 0x7ff]++;
      high[key >>> 22]++;
      keys[at++] = key;
    }
    tags.fill(tag, start, at);
  });
  const sorted = radixSortTaggedKeys(
    keys,
    tags,
    new Uint32Array(total),
    new Uint16Array(total),
    histograms,
  );
  return { ...sorted, sizes };
}

/** Ranks the in-region pixels of the images together (pooled). */
export function rankImages(images: readonly ScoredImage[]): RankedScores {
  return groupSortedKeys(sortImagePixels(images).keys);
}

/** Confusion counts at a threshold (`p >= threshold`), by binary search in the ranking. */
export function countsAtThreshold(ranked: RankedScores, threshold: number): ConfusionCounts {
  // Find the number of distinct scores that are >= threshold (scores are descending).
  let lo = 0;
  let hi = ranked.scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranked.scores[mid] >= threshold) lo = mid + 1;
    else hi = mid;
  }
  const tp = lo === 0 ? 0 : ranked.cumulativePositives[lo - 1];
  const fp = lo === 0 ? 0 : ranked.cumulativeNegatives[lo - 1];
  return { tp, fp, fn: ranked.positives - tp, tn: ranked.negatives - fp };
}

/**
 * Exact area under the ROC curve (trapezoids through every distinct score, so tied scores count
 * one half), `null` without positives or without negatives. Computed on integers: twice the area
 * in count units stays below 2^53 for any image set that fits in memory.
 */
export function areaUnderRoc(ranked: RankedScores): number | null {
  const { positives, negatives, cumulativePositives: tp, cumulativeNegatives: fp } = ranked;
  if (positives === 0 || negatives === 0) return null;
  let twiceArea = 0;
  let tpBefore = 0;
  let fpBefore = 0;
  for (let k = 0; k < tp.length; k++) {
    const newNegatives = fp[k] - fpBefore;
    twiceArea += newNegatives * (tpBefore + tp[k]);
    tpBefore = tp[k];
    fpBefore = fp[k];
  }
  return twiceArea / (2 * positives * negatives);
}

/**
 * Average precision: the sum over distinct scores of the recall gained times the precision
 * reached (scikit-learn's average_precision_score), `null` without positives.
 */
export function averagePrecision(ranked: RankedScores): number | null {
  const { positives, cumulativePositives: tp, cumulativeNegatives: fp } = ranked;
  if (positives === 0) return null;
  let sum = 0;
  let tpBefore = 0;
  for (let k = 0; k < tp.length; k++) {
    const gained = tp[k] - tpBefore;
    if (gained > 0) sum += (gained * tp[k]) / (tp[k] + fp[k]);
    tpBefore = tp[k];
  }
  return sum / positives;
}

/** The threshold (one of the distinct scores) with the highest F1, and that F1. */
export function bestF1Threshold(ranked: RankedScores): { threshold: number; f1: number } | null {
  const { positives, cumulativePositives: tp, cumulativeNegatives: fp } = ranked;
  if (positives === 0) return null;
  let best = -1;
  let bestF1 = -1;
  for (let k = 0; k < tp.length; k++) {
    const f1 = (2 * tp[k]) / (tp[k] + fp[k] + positives);
    // Strictly greater: among equal F1 the highest threshold (fewest detections) wins.
    if (f1 > bestF1) {
      bestF1 = f1;
      best = k;
    }
  }
  return { threshold: ranked.scores[best], f1: bestF1 };
}
