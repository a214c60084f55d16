/**
 * Turns masks and probability maps into RGBA pixels for ImageData, one rectangle at a time,
 * so a brush stroke re-renders only what it touched. No canvas shapes, no smoothing: each
 * mask pixel becomes exactly one RGBA pixel.
 */
import { HEATMAP_RAMP } from './colour-maps';
import type { PixelRect } from './raster';

export type Rgb = readonly [number, number, number];
export type MaskStyle = 'filled' | 'contour';

/** Okabe-Ito colours (colour-blind safe) for the layers and the error map. */
export const LAYER_COLOURS = {
  truePositive: [0x00, 0x9e, 0x73] as Rgb, // bluish green
  falsePositive: [0xf0, 0xe4, 0x42] as Rgb, // yellow
  falseNegative: [0x56, 0xb4, 0xe9] as Rgb, // sky blue
  groundTruth: [0xe6, 0x9f, 0x00] as Rgb, // orange
  corrected: [0xcc, 0x79, 0xa7] as Rgb, // reddish purple
};

function isContour(mask: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  const i = y * width + x;
  if (mask[i] === 0) return false;
  return (
    x === 0 ||
    y === 0 ||
    x === width - 1 ||
    y === height - 1 ||
    mask[i - 1] === 0 ||
    mask[i + 1] === 0 ||
    mask[i - width] === 0 ||
    mask[i + width] === 0
  );
}

/**
 * Writes `rect` of a 0/1 mask into `rgba` (the whole image's RGBA buffer): set pixels get
 * `colour` at full alpha (layer opacity is applied when drawing), others are transparent.
 * In contour style only set pixels with an unset 4-neighbour are drawn; callers pass a rect
 * grown by one pixel so neighbours of a change are redrawn too.
 */
export function renderMaskRect(
  mask: Uint8Array,
  width: number,
  height: number,
  rect: PixelRect,
  rgba: Uint8ClampedArray,
  colour: Rgb,
  style: MaskStyle,
): void {
  const [r, g, b] = colour;
  const x1 = Math.min(width, rect.x + rect.width);
  const y1 = Math.min(height, rect.y + rect.height);
  for (let y = Math.max(0, rect.y); y < y1; y++) {
    for (let x = Math.max(0, rect.x); x < x1; x++) {
      const i = y * width + x;
      const on = style === 'filled' ? mask[i] === 1 : isContour(mask, width, height, x, y);
      const o = i * 4;
      if (on) {
        rgba[o] = r;
        rgba[o + 1] = g;
        rgba[o + 2] = b;
        rgba[o + 3] = 255;
      } else {
        rgba[o + 3] = 0;
      }
    }
  }
}

/**
 * The error map of a binary prediction against a reference inside the FOV: true positives,
 * false positives and false negatives in their Okabe-Ito colours, true negatives clear.
 */
export function renderErrorMap(
  predicted: Uint8Array,
  reference: Uint8Array,
  fov: Uint8Array | null,
  rgba: Uint8ClampedArray,
): void {
  const { truePositive: tp, falsePositive: fp, falseNegative: fn } = LAYER_COLOURS;
  for (let i = 0; i < predicted.length; i++) {
    const o = i * 4;
    const p = predicted[i] === 1;
    const t = reference[i] === 1;
    const colour = fov && fov[i] === 0 ? null : p && t ? tp : p ? fp : t ? fn : null;
    if (colour) {
      rgba[o] = colour[0];
      rgba[o + 1] = colour[1];
      rgba[o + 2] = colour[2];
      rgba[o + 3] = 255;
    } else {
      rgba[o + 3] = 0;
    }
  }
}

/** Binarises 8-bit probabilities (0..255) at `threshold` in [0, 1]: p >= threshold is vessel. */
export function thresholdProbabilities(probabilities: Uint8Array, threshold: number): Uint8Array {
  const cut = Math.round(threshold * 255);
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++) out[i] = probabilities[i]! >= cut ? 1 : 0;
  return out;
}

/**
 * The prediction heatmap: probabilities at or above `threshold` coloured by the ramp, the rest
 * transparent, so moving the threshold slider shows what the model would call vessel.
 */
export function renderHeatmap(
  probabilities: Uint8Array,
  threshold: number,
  rgba: Uint8ClampedArray,
): void {
  const cut = Math.round(threshold * 255);
  for (let i = 0; i < probabilities.length; i++) {
    const v = probabilities[i]!;
    const o = i * 4;
    if (v >= cut && v > 0) {
      rgba[o] = HEATMAP_RAMP[v * 3]!;
      rgba[o + 1] = HEATMAP_RAMP[v * 3 + 1]!;
      rgba[o + 2] = HEATMAP_RAMP[v * 3 + 2]!;
      rgba[o + 3] = 255;
    } else {
      rgba[o + 3] = 0;
    }
  }
}
