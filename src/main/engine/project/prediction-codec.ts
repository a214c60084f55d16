/**
 * How the prediction cache stores a probability map: 8 bits per pixel (round(p * 255)) in a
 * grey PNG. That is what the canvas shows, and `p >= 0.5` survives it exactly (0.5 * 255 =
 * 127.5 rounds up to 128, and 127/255 < 0.5 < 128/255), so masks and F1 at 0.5 from a cached
 * map equal those from the exact one; other values move by at most 1/510. Metrics that are
 * stored (the evaluation of a model version) are computed from the exact maps before caching.
 */
import sharp from 'sharp';

/** The `encoding` column's value for this format. */
export const PREDICTION_ENCODING = 'u8-png';

/**
 * zlib level of the PNG. On DRIVE maps (565x584) level 1 takes ~6 ms a map for ~137 kB; level 6
 * ~17 ms for a fifth less, level 9 ~66 ms (bench/project-size.ts, 2-core x86 VM).
 */
export const PREDICTION_PNG_LEVEL = 1;

/** Probabilities (clamped to [0, 1]; NaN as 0) quantised to one byte each. */
export function quantiseProbabilities(probabilities: Float32Array): Uint8Array {
  const bytes = new Uint8Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    bytes[i] = p > 0 ? (p < 1 ? Math.round(p * 255) : 255) : 0;
  }
  return bytes;
}

/** A probability map as an 8-bit grey PNG. */
export async function encodePrediction(
  probabilities: Float32Array,
  width: number,
  height: number,
  level = PREDICTION_PNG_LEVEL,
): Promise<Buffer> {
  // 'b-w' keeps one channel: without it sharp writes the grey bytes as sRGB, three per pixel.
  return sharp(quantiseProbabilities(probabilities), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: level, palette: false })
    .toBuffer();
}

/** Decodes what encodePrediction wrote back to probabilities (k / 255). */
export async function decodePrediction(
  png: Buffer,
  width: number,
  height: number,
): Promise<Float32Array> {
  const { data, info } = await sharp(png)
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 1) {
    throw new Error(
      `a cached prediction is ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x1`,
    );
  }
  const probabilities = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) probabilities[i] = data[i]! / 255;
  return probabilities;
}
