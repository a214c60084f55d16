/**
 * The cursor readout under the canvas: the image pixel under the pointer with its colour, the
 * model's probability and the label values there, read from the pixels the canvas already
 * holds. Pure code (the fundus colour comes through a sampler), so it is tested in node.
 */

/** What the readout reads from: the shown image's pixels, as the overlays are drawn from them. */
export interface ReadoutSources {
  width: number;
  height: number;
  /** The fundus colour at a pixel inside the image, or null where it cannot be read. */
  rgbAt(x: number, y: number): readonly [number, number, number] | null;
  /** 8-bit probabilities (0..255 for 0..1), or null without a prediction. */
  probabilities: Uint8Array | null;
  /** The ground truth shown (the chosen observer's label), 0/1. */
  reference: Uint8Array;
  /** The corrected mask, 0/1. */
  mask: Uint8Array;
}

/** The values at one image pixel. */
export interface PixelReadout {
  x: number;
  y: number;
  rgb: readonly [number, number, number] | null;
  /** The probability (0..1, in steps of 1/255), or null without a prediction. */
  probability: number | null;
  groundTruth: 0 | 1;
  corrected: 0 | 1;
}

/** The values at image pixel (x, y), or null when it lies outside the image. */
export function readoutAt(sources: ReadoutSources, x: number, y: number): PixelReadout | null {
  const { width, height } = sources;
  if (!Number.isInteger(x) || !Number.isInteger(y)) return null;
  if (x < 0 || y < 0 || x >= width || y >= height) return null;
  const i = y * width + x;
  const p = sources.probabilities;
  return {
    x,
    y,
    rgb: sources.rgbAt(x, y),
    probability: p ? p[i]! / 255 : null,
    groundTruth: sources.reference[i] ? 1 : 0,
    corrected: sources.mask[i] ? 1 : 0,
  };
}

/** The readout's fields as label and text, in the order shown; empty off the image. */
export function readoutFields(readout: PixelReadout | null): { label: string; value: string }[] {
  if (!readout) return [];
  const { x, y, rgb, probability, groundTruth, corrected } = readout;
  return [
    { label: 'x', value: String(x) },
    { label: 'y', value: String(y) },
    { label: 'RGB', value: rgb ? rgb.join(' ') : '–' },
    { label: 'p', value: probability === null ? '–' : probability.toFixed(3) },
    { label: 'GT', value: String(groundTruth) },
    { label: 'mask', value: String(corrected) },
  ];
}
