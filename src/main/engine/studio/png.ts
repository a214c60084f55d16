/**
 * PNG encoding for what the studio sends to the renderer. Fast deflate (level 1): these bytes
 * cross a local pipe once per image switch, where encoding time matters more than size.
 */
import sharp from 'sharp';

function asBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** An 8-bit RGB image (HxWx3) as PNG. */
export async function rgbPng(data: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const png = await sharp(data, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1, palette: false })
    .toBuffer();
  return asBytes(png);
}

/** An 8-bit grey image (HxW) as PNG. */
export async function greyPng(
  data: Uint8Array,
  width: number,
  height: number,
): Promise<Uint8Array> {
  const png = await sharp(data, { raw: { width, height, channels: 1 } })
    .png({ compressionLevel: 1, palette: false })
    .toBuffer();
  return asBytes(png);
}

/** A 0/1 mask as a 0/255 grey PNG. */
export function maskPng(mask: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const grey = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) grey[i] = mask[i] ? 255 : 0;
  return greyPng(grey, width, height);
}

/** Probabilities in [0, 1] as an 8-bit grey PNG (0..255, rounded). */
export function probabilityPng(
  p: Float32Array,
  width: number,
  height: number,
): Promise<Uint8Array> {
  const grey = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) grey[i] = Math.round(Math.min(1, Math.max(0, p[i]!)) * 255);
  return greyPng(grey, width, height);
}

/** Width of the image list's thumbnails, in pixels. */
export const THUMBNAIL_WIDTH = 64;

/**
 * A small JPEG of an 8-bit RGB image (HxWx3), `width` pixels wide (never wider than the image),
 * its height kept in proportion, for the image list.
 */
export async function thumbnailJpeg(
  data: Uint8Array,
  width: number,
  height: number,
  thumbnailWidth = THUMBNAIL_WIDTH,
): Promise<{ jpeg: Uint8Array; width: number; height: number }> {
  const { data: jpeg, info } = await sharp(data, { raw: { width, height, channels: 3 } })
    .resize({ width: Math.min(width, thumbnailWidth), kernel: 'lanczos3' })
    .jpeg({ quality: 75 })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: asBytes(jpeg), width: info.width, height: info.height };
}
