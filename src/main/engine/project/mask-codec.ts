/**
 * Mask bytes as the project stores them. A binary mask (0/1 per pixel, row-major) is stored as
 * run lengths (LEB128 varints, alternating runs of 0 and 1, starting with 0) compressed with
 * raw deflate: a 565x584 vessel mask takes a few kilobytes and encodes in about a millisecond,
 * far cheaper than a PNG encode on every brush stroke. PNG bytes are kept as given.
 * sharp is imported only when a PNG is coded: opening a project should not pay for loading libvips.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { AppError } from '../../../shared/result';
import { PROJECT_ERROR_CODES } from '../../../shared/api/errors';

/** A binary mask: `data[y * width + x]` is 0 or 1. */
export interface BinaryMask {
  width: number;
  height: number;
  data: Uint8Array;
}

export type MaskEncoding = 'png' | 'rle-deflate';

/** Encodes a 0/1 mask (any non-zero counts as 1) as deflated run lengths. */
export function encodeRleDeflate(mask: BinaryMask): Uint8Array {
  const { data } = mask;
  if (data.length !== mask.width * mask.height) {
    throw new AppError(
      PROJECT_ERROR_CODES.BAD_MASK,
      `The mask has ${data.length} pixels, expected ${mask.width}x${mask.height}.`,
    );
  }
  // A run of length L takes at most L varint bytes (1 byte holds up to 127), so the runs of a
  // mask never take more bytes than it has pixels, plus one for a leading empty run of 0s.
  const out = Buffer.allocUnsafe(data.length + 8);
  let used = 0;
  const writeVarint = (value: number): void => {
    let v = value;
    while (v >= 0x80) {
      out[used++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[used++] = v;
  };
  let current = 0;
  let run = 0;
  for (let i = 0; i < data.length; i++) {
    const bit = data[i] === 0 ? 0 : 1;
    if (bit === current) {
      run++;
    } else {
      writeVarint(run);
      current = bit;
      run = 1;
    }
  }
  writeVarint(run);
  return deflateRawSync(out.subarray(0, used), { level: 6 });
}

/** Decodes deflated run lengths back into a 0/1 mask of the given size. */
export function decodeRleDeflate(bytes: Uint8Array, width: number, height: number): BinaryMask {
  const runs = inflateRawSync(bytes);
  const data = new Uint8Array(width * height);
  let position = 0;
  let bit = 0;
  let i = 0;
  while (i < runs.length) {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = runs[i++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && i < runs.length);
    if (position + value > data.length) break;
    if (bit === 1) data.fill(1, position, position + value);
    position += value;
    bit ^= 1;
  }
  if (position !== data.length) {
    throw new AppError(
      PROJECT_ERROR_CODES.CORRUPT,
      `A stored mask decodes to ${position} pixels instead of ${width}x${height}.`,
    );
  }
  return { width, height, data };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from a PNG's IHDR chunk, without decoding it. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const isPng = bytes.length >= 24 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
  if (!isPng)
    throw new AppError(
      PROJECT_ERROR_CODES.BAD_MASK,
      'The mask bytes are not a PNG file (wrong signature).',
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0)
    throw new AppError(PROJECT_ERROR_CODES.BAD_MASK, 'The mask PNG has a zero width or height.');
  return { width, height };
}

/** Decodes PNG mask bytes to 0/1: a pixel is 1 when its first channel is above 127. */
export async function decodePngMask(bytes: Uint8Array): Promise<BinaryMask> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(bytes)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const mask = new Uint8Array(info.width * info.height);
  for (let i = 0, p = 0; i < mask.length; i++, p += info.channels) mask[i] = data[p] > 127 ? 1 : 0;
  return { width: info.width, height: info.height, data: mask };
}

/** Encodes a 0/1 mask as an 8-bit grey PNG (0 and 255), the form other tools read. */
export async function encodePngMask(mask: BinaryMask): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  const grey = Buffer.alloc(mask.width * mask.height);
  for (let i = 0; i < grey.length; i++) grey[i] = mask.data[i] ? 255 : 0;
  const png = await sharp(grey, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .png({ compressionLevel: 9, palette: false })
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Decodes stored mask bytes of either encoding into a 0/1 mask. */
export async function decodeStoredMask(
  encoding: MaskEncoding,
  bytes: Uint8Array,
  width: number,
  height: number,
): Promise<BinaryMask> {
  return encoding === 'png' ? decodePngMask(bytes) : decodeRleDeflate(bytes, width, height);
}
