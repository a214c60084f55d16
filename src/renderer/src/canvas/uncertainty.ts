/**
 * The uncertainty layer: how undecided the model is about the display threshold at each pixel
 * (shared/uncertainty.ts: 1 at the threshold, 0 at p = 0 and p = 1), inside the FOV. Each
 * pixel is coloured by its own colour map with alpha following the uncertainty, so sure pixels
 * stay clear and the image shows through where the model has made up its mind.
 */
import { uncertaintyTable } from '../../../shared/uncertainty';
import { UNCERTAINTY_RAMP } from './colour-maps';

/** Uncertainty per pixel in 0..255 at `threshold`, 0 outside the FOV. */
export function uncertaintyMap(
  probabilities: Uint8Array,
  threshold: number,
  fov: Uint8Array | null,
): Uint8Array {
  const table = uncertaintyTable(threshold);
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++) {
    if (fov && fov[i] === 0) continue;
    out[i] = Math.round(table[probabilities[i]!]! * 255);
  }
  return out;
}

/** Writes the uncertainty layer's RGBA pixels: the ramp's colour, alpha the uncertainty. */
export function renderUncertainty(
  probabilities: Uint8Array,
  threshold: number,
  fov: Uint8Array | null,
  rgba: Uint8ClampedArray,
): void {
  const u = uncertaintyMap(probabilities, threshold, fov);
  for (let i = 0; i < u.length; i++) {
    const v = u[i]!;
    const o = i * 4;
    rgba[o] = UNCERTAINTY_RAMP[v * 3]!;
    rgba[o + 1] = UNCERTAINTY_RAMP[v * 3 + 1]!;
    rgba[o + 2] = UNCERTAINTY_RAMP[v * 3 + 2]!;
    rgba[o + 3] = v;
  }
}

/**
 * The uncertainty layer's colours over the probability axis at `threshold` (entry v is the
 * colour a pixel of 8-bit probability v gets), for its colour bar: brightest at the threshold.
 */
export function uncertaintyRampByProbability(threshold: number): Uint8Array {
  const levels = Uint8Array.from({ length: 256 }, (_, v) => v);
  const u = uncertaintyMap(levels, threshold, null);
  const ramp = new Uint8Array(256 * 3);
  for (let v = 0; v < 256; v++)
    ramp.set(UNCERTAINTY_RAMP.subarray(u[v]! * 3, u[v]! * 3 + 3), v * 3);
  return ramp;
}
