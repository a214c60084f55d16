/** Predictions as PNG bytes: 16-bit grey probability maps and 8-bit binary masks. */
import sharp from 'sharp';

/** Probability p in [0, 1] as a 16-bit grey value round(p * 65535). */
export function toUint16Probabilities(probabilities: Float32Array): Uint16Array {
  const out = new Uint16Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    // NaN (never expected) maps to 0 rather than poisoning the whole map.
    out[i] = p > 0 ? Math.round(Math.min(1, p) * 65535) : 0;
  }
  return out;
}

/** A 16-bit grey PNG of a probability map (HxW, row-major). */
export async function encodeProbabilityPng(
  probabilities: Float32Array,
  width: number,
  height: number,
): Promise<Uint8Array> {
  const pixels = toUint16Probabilities(probabilities);
  const png = await sharp(pixels, { raw: { width, height, channels: 1 } })
    .toColourspace('grey16')
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** An 8-bit PNG mask: 255 where the probability is at least `threshold`, else 0. */
export async function encodeMaskPng(
  probabilities: Float32Array,
  width: number,
  height: number,
  threshold: number,
): Promise<Uint8Array> {
  const pixels = new Uint8Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++)
    pixels[i] = probabilities[i] >= threshold ? 255 : 0;
  const png = await sharp(pixels, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
