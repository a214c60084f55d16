/**
 * Each image's uncertainty score for the image list's "most uncertain first" order: the mean,
 * inside the FOV, of the uncertainty the studio's uncertainty layer draws (shared/uncertainty.ts)
 * at the display threshold, over the active model's cached prediction. The prediction is kept
 * as a histogram of its 8-bit levels inside the FOV, so a new threshold costs 256 lookups per
 * image, not a pass over its pixels.
 */
import { meanUncertainty, PROBABILITY_LEVELS } from '../../../shared/uncertainty';

/** Counts the FOV pixels of a probability map per 8-bit level (p rounded to 1/255, as shown). */
export function probabilityHistogram(probabilities: Float32Array, fov: Uint8Array): Uint32Array {
  const histogram = new Uint32Array(PROBABILITY_LEVELS);
  const top = PROBABILITY_LEVELS - 1;
  for (let i = 0; i < probabilities.length; i++) {
    if (fov[i] === 0) continue;
    const p = probabilities[i]!;
    // NaN counts as 0, as the 8-bit map the renderer gets shows it.
    const level = p > 0 ? Math.round(Math.min(1, p) * top) : 0;
    histogram[level]!++;
  }
  return histogram;
}

/** The score of one image at `threshold`, or null without FOV pixels. */
export function uncertaintyScore(histogram: Uint32Array, threshold: number): number | null {
  return meanUncertainty(histogram, threshold);
}
