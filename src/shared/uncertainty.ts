/**
 * How undecided a vessel probability is about the threshold that turns it into a label: 1 at
 * the threshold, falling linearly to 0 at p = 0 and at p = 1. With the threshold at 0.5 this is
 * 1 - |2p - 1|. The studio's uncertainty layer and the image list's "most uncertain first"
 * order both use it, so the order ranks images by what the layer shows.
 */

/** Uncertainty of probability `p` at `threshold` (both in [0, 1]): p/t below t, (1-p)/(1-t) above. */
export function uncertaintyAt(p: number, threshold: number): number {
  if (p < threshold) return threshold > 0 ? p / threshold : 0;
  if (p > threshold) return threshold < 1 ? (1 - p) / (1 - threshold) : 0;
  return 1;
}

/** Number of levels of an 8-bit probability map (0..255 stands for 0..1). */
export const PROBABILITY_LEVELS = 256;

/**
 * The uncertainty of each 8-bit probability level at `threshold`, so a whole map is turned
 * into uncertainties (or a histogram into a mean) by lookups.
 */
export function uncertaintyTable(threshold: number): Float64Array {
  const table = new Float64Array(PROBABILITY_LEVELS);
  for (let v = 0; v < PROBABILITY_LEVELS; v++) {
    table[v] = uncertaintyAt(v / (PROBABILITY_LEVELS - 1), threshold);
  }
  return table;
}

/**
 * Mean uncertainty at `threshold` of the pixels counted in `histogram` (one count per 8-bit
 * probability level), or null when it counts no pixel.
 */
export function meanUncertainty(histogram: ArrayLike<number>, threshold: number): number | null {
  const table = uncertaintyTable(threshold);
  let sum = 0;
  let n = 0;
  for (let v = 0; v < PROBABILITY_LEVELS; v++) {
    const count = histogram[v] ?? 0;
    sum += count * table[v]!;
    n += count;
  }
  return n > 0 ? sum / n : null;
}
