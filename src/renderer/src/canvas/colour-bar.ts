/**
 * Colour maps as 256-entry ramps and what a colour bar needs to show one: CSS gradient stops
 * sampled from the ramp, tick marks over 0..1 and where the threshold sits. Pure code.
 */
import type { Rgb } from './mask-render';

/** A 256-entry RGB ramp interpolated linearly between stops at positions 0..1 (first at 0, last at 1). */
export function colourRamp(stops: ReadonlyArray<readonly [number, Rgb]>): Uint8Array {
  const ramp = new Uint8Array(256 * 3);
  for (let v = 0; v < 256; v++) {
    const t = v / 255;
    let k = 0;
    while (k < stops.length - 2 && t > stops[k + 1]![0]) k++;
    const [t0, c0] = stops[k]!;
    const [t1, c1] = stops[k + 1]!;
    const f = t1 > t0 ? Math.min(1, Math.max(0, (t - t0) / (t1 - t0))) : 0;
    for (let c = 0; c < 3; c++) ramp[v * 3 + c] = Math.round(c0[c]! + (c1[c]! - c0[c]!) * f);
  }
  return ramp;
}

/** The colour of ramp entry `level` (0..255) as a CSS colour. */
export function rampColour(ramp: Uint8Array, level: number): string {
  const v = Math.min(255, Math.max(0, Math.round(level)));
  return `rgb(${ramp[v * 3]}, ${ramp[v * 3 + 1]}, ${ramp[v * 3 + 2]})`;
}

/** A left-to-right CSS gradient of the ramp, sampled at `samples` evenly spaced levels. */
export function rampGradient(ramp: Uint8Array, samples = 9): string {
  const stops = Array.from({ length: samples }, (_, k) => {
    const t = k / (samples - 1);
    return `${rampColour(ramp, t * 255)} ${(t * 100).toFixed(1)}%`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** A tick of the colour bar: its value and its place along the bar (0..1). */
export interface ColourBarTick {
  value: number;
  position: number;
  label: string;
}

/** Ticks at 0, 0.25, 0.5, 0.75 and 1 for a bar that spans 0..1. */
export function colourBarTicks(count = 5): ColourBarTick[] {
  return Array.from({ length: count }, (_, k) => {
    const value = k / (count - 1);
    return { value, position: value, label: String(Number(value.toFixed(2))) };
  });
}

/** Where the threshold marker sits along the bar (0..1), clamped. */
export function thresholdPosition(threshold: number): number {
  return Math.min(1, Math.max(0, threshold));
}
