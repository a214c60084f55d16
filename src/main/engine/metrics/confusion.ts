/**
 * Confusion counts of a probability map (or a binary mask) against a label set, inside a region
 * (the FOV mask, or the whole image). A pixel is predicted a vessel when its probability is at
 * least the threshold (`p >= t`), the rule of orobix/retina-unet and LadderNet.
 */
import { AppError } from '../../../shared/result';
import { METRICS_ERROR_CODES } from '../../../shared/api/errors';

/** The four counts every threshold metric is computed from. */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** One image's pixels as the metrics see them; all arrays are HxW, row-major. */
export interface ScoredImage {
  /** Stable id, such as `test/01_test`. */
  id: string;
  /** Probabilities in [0, 1] (a binary mask is 0/1). */
  scores: Float32Array;
  /** Ground truth: non-zero is vessel. */
  label: Uint8Array;
  /** Region to score: non-zero is inside. `null` scores the whole image. */
  region: Uint8Array | null;
}

/** An empty set of counts. */
export function emptyCounts(): ConfusionCounts {
  return { tp: 0, fp: 0, fn: 0, tn: 0 };
}

/** The element-wise sum of confusion counts (pooling over images). */
export function sumCounts(all: readonly ConfusionCounts[]): ConfusionCounts {
  const total = emptyCounts();
  for (const c of all) {
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
    total.tn += c.tn;
  }
  return total;
}

/** Throws METRICS_SIZE_MISMATCH unless every array of the image has the same length. */
export function checkImageSizes(image: ScoredImage): void {
  const n = image.scores.length;
  if (image.label.length !== n || (image.region !== null && image.region.length !== n)) {
    throw new AppError(
      METRICS_ERROR_CODES.SIZE_MISMATCH,
      `${image.id}: the prediction has ${n} pixels but the label has ${image.label.length}` +
        (image.region ? ` and the FOV mask ${image.region.length}` : '') +
        '; predict on the full-size image so every map has the same width and height.',
    );
  }
}

/** Confusion counts of one image at a threshold (`p >= threshold` is a vessel). */
export function countConfusion(image: ScoredImage, threshold: number): ConfusionCounts {
  checkImageSizes(image);
  const { scores, label, region } = image;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < scores.length; i++) {
    if (region !== null && region[i] === 0) continue;
    const predicted = scores[i] >= threshold;
    if (label[i] !== 0) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
    else tn++;
  }
  return { tp, fp, fn, tn };
}
