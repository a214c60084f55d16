/**
 * The overlays' colour maps as 256-entry ramps (colour-bar.ts). Stops are written as hex
 * colours, the form the published maps they follow (viridis, inferno) are quoted in.
 */
import { colourRamp } from './colour-bar';
import type { Rgb } from './mask-render';

function hexRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [n >> 16, (n >> 8) & 0xff, n & 0xff];
}

/** A ramp through `#rrggbb` colours at `positions` in 0..1, evenly spaced when left out. */
function hexRamp(
  colours: readonly string[],
  positions: readonly number[] = colours.map((_, k) => k / (colours.length - 1)),
): Uint8Array {
  return colourRamp(colours.map((hex, k) => [positions[k]!, hexRgb(hex)] as const));
}

/** The probability heatmap's colour map (dark purple to yellow, viridis-like). */
export const HEATMAP_RAMP = hexRamp(['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725']);

/** The uncertainty layer's colour map (inferno-like: dark violet, red, orange, pale yellow). */
export const UNCERTAINTY_RAMP = hexRamp(
  ['#280b54', '#781c6d', '#c43a4b', '#f57d15', '#fcffa4'],
  [0, 0.3, 0.55, 0.8, 1],
);
