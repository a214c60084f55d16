/**
 * Decoding of image, label and FOV files into typed arrays. sharp (libvips) decodes TIFF (LZW),
 * GIF, PNG and JPEG; sharp's prebuilt libvips ships no PPM/PGM loader (sharp.format.ppm has no
 * input), so Netpbm files are parsed here. STARE's `.ppm.gz` files are gunzipped with node:zlib.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { AppError } from '../../../shared/result';
import { DATASET_ERRORS } from './errors';
import { deriveFov } from './fov';
import type { ImageEntry, Observer, RgbImage } from './types';

/** Decoded pixels as the file holds them: 1 (grey) or 3 (RGB) channels, 8 bits each. */
export interface DecodedPixels {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

function corrupt(file: string, reason: string): AppError {
  return new AppError(
    DATASET_ERRORS.FILE_CORRUPT,
    `Cannot decode ${file}: ${reason}. The file is corrupt, truncated or not an image: ` +
      'replace it with an intact copy (download or extract the dataset again).',
    { file },
  );
}

/** Parses a Netpbm file (P2, P3, P5, P6; 8 or 16 bits), the format STARE ships. */
export function parseNetpbm(bytes: Uint8Array, file: string): DecodedPixels {
  let pos = 0;
  const readToken = (): string => {
    for (;;) {
      while (pos < bytes.length && /\s/.test(String.fromCharCode(bytes[pos]!))) pos++;
      if (bytes[pos] === 0x23 /* # */) {
        while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
        continue;
      }
      break;
    }
    const start = pos;
    while (pos < bytes.length && !/\s/.test(String.fromCharCode(bytes[pos]!))) pos++;
    return String.fromCharCode(...bytes.subarray(start, pos));
  };
  const magic = readToken();
  if (!['P2', 'P3', 'P5', 'P6'].includes(magic)) {
    throw corrupt(
      file,
      `unsupported Netpbm type "${magic.slice(0, 4)}" (P2, P3, P5 and P6 are read)`,
    );
  }
  const width = Number(readToken());
  const height = Number(readToken());
  const maxval = Number(readToken());
  if (
    !(width > 0 && height > 0 && maxval > 0 && maxval < 65536) ||
    !Number.isInteger(width + height + maxval)
  ) {
    throw corrupt(file, 'bad Netpbm header');
  }
  const channels: 1 | 3 = magic === 'P3' || magic === 'P6' ? 3 : 1;
  const count = width * height * channels;
  const data = new Uint8Array(count);
  const scale = 255 / maxval;
  if (magic === 'P5' || magic === 'P6') {
    pos++; // exactly one whitespace byte separates the header from the raster
    const bytesPer = maxval < 256 ? 1 : 2;
    if (bytes.length - pos < count * bytesPer) {
      throw corrupt(
        file,
        `truncated: ${count * bytesPer} bytes of pixels expected, ${bytes.length - pos} found`,
      );
    }
    for (let i = 0; i < count; i++) {
      const v =
        bytesPer === 1 ? bytes[pos + i]! : (bytes[pos + 2 * i]! << 8) | bytes[pos + 2 * i + 1]!;
      data[i] = maxval === 255 ? v : Math.round(v * scale);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const token = readToken();
      if (token === '') throw corrupt(file, `truncated: ${count} values expected, ${i} found`);
      data[i] = Math.round(Number(token) * scale);
    }
  }
  return { width, height, channels, data };
}

/** Reads and decodes any supported file (gzipped or not) into 8-bit grey or RGB pixels. */
export async function decodeFile(file: string): Promise<DecodedPixels> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw corrupt(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw corrupt(file, `gzip data is damaged (${(error as Error).message})`);
    }
  }
  if (bytes[0] === 0x50 /* P */ && bytes[1]! >= 0x31 && bytes[1]! <= 0x37)
    return parseNetpbm(bytes, file);
  try {
    // failOn 'warning': a truncated TIFF or JPEG must fail here, not decode half grey.
    const { data, info } = await sharp(bytes, { failOn: 'warning' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels === 3 || info.channels === 1) {
      return {
        width: info.width,
        height: info.height,
        channels: info.channels,
        data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      };
    }
    // Two-channel grey+alpha survives removeAlpha only in odd files: keep the first band.
    const grey = new Uint8Array(info.width * info.height);
    for (let i = 0; i < grey.length; i++) grey[i] = data[i * info.channels]!;
    return { width: info.width, height: info.height, channels: 1, data: grey };
  } catch (error) {
    throw corrupt(file, (error as Error).message);
  }
}

/**
 * Reads only what is needed to know a file's size: the header through sharp, or the whole file
 * for gzipped and Netpbm files (which sharp cannot read). Does not detect a truncated raster.
 */
export async function readImageSize(file: string): Promise<{ width: number; height: number }> {
  if (/\.(gz|ppm|pgm)$/i.test(file)) return decodeFile(file);
  try {
    const meta = await sharp(file).metadata();
    if (!meta.width || !meta.height) throw new Error('no size in the header');
    return { width: meta.width, height: meta.height };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw corrupt(file, code ? `cannot be read (${code})` : (error as Error).message);
  }
}

/** Expands grey pixels to RGB (a grey image is its own three channels). */
export function toRgb(pixels: DecodedPixels): RgbImage {
  if (pixels.channels === 3)
    return { width: pixels.width, height: pixels.height, data: pixels.data };
  const n = pixels.width * pixels.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = pixels.data[i]!;
    data[3 * i] = v;
    data[3 * i + 1] = v;
    data[3 * i + 2] = v;
  }
  return { width: pixels.width, height: pixels.height, data };
}

/**
 * Binarises a label or mask: 1 where the grey value is > 127. DRIVE's 2nd_manual GIFs are
 * palette images whose white is (252,254,252), so testing == 255 would lose every vessel.
 */
export function binarise(pixels: DecodedPixels): Uint8Array {
  const n = pixels.width * pixels.height;
  const out = new Uint8Array(n);
  const d = pixels.data;
  if (pixels.channels === 1) {
    for (let i = 0; i < n; i++) out[i] = d[i]! > 127 ? 1 : 0;
  } else {
    // Rec. 601 luminance in integers: grey labels give their own value, colour labels their brightness.
    for (let i = 0; i < n; i++) {
      const y = d[3 * i]! * 299 + d[3 * i + 1]! * 587 + d[3 * i + 2]! * 114;
      out[i] = y > 127_500 ? 1 : 0;
    }
  }
  return out;
}

/** Decodes an entry's image as 8-bit RGB (HxWx3, row-major). */
export async function loadRgb(entry: Pick<ImageEntry, 'imagePath'>): Promise<RgbImage> {
  return toRgb(await decodeFile(entry.imagePath));
}

/** Decodes an entry's label of one observer as 0/1 (HxW, row-major). */
export async function loadLabel(
  entry: ImageEntry,
  observer: Observer = '1st',
): Promise<Uint8Array> {
  const file = entry.labelPaths[observer];
  if (file === undefined) {
    throw new AppError(
      DATASET_ERRORS.LABEL_MISSING,
      `${entry.imagePath} has no ${observer}-observer label in this dataset: choose an observer it has (${Object.keys(entry.labelPaths).join(', ') || 'none'}).`,
      { file: entry.imagePath },
    );
  }
  const pixels = await decodeFile(file);
  checkSize(entry, pixels, file);
  return binarise(pixels);
}

/** Decodes an entry's FOV mask as 0/1 (HxW), or derives one from the image when the set has none. */
export async function loadFov(entry: ImageEntry): Promise<Uint8Array> {
  if (entry.fovPath === null) return deriveFov(await loadRgb(entry));
  const pixels = await decodeFile(entry.fovPath);
  checkSize(entry, pixels, entry.fovPath);
  return binarise(pixels);
}

function checkSize(
  entry: Pick<ImageEntry, 'width' | 'height' | 'imagePath'>,
  pixels: DecodedPixels,
  file: string,
): void {
  if (pixels.width !== entry.width || pixels.height !== entry.height)
    throw sizeMismatch(entry, pixels, file);
}

/** The error for a label or mask whose size differs from its image. */
export function sizeMismatch(
  entry: Pick<ImageEntry, 'width' | 'height' | 'imagePath'>,
  pixels: { width: number; height: number },
  file: string,
): AppError {
  return new AppError(
    DATASET_ERRORS.SIZE_MISMATCH,
    `${file} is ${pixels.width}x${pixels.height} but its image ${entry.imagePath} is ${entry.width}x${entry.height}: ` +
      'replace it with the file that belongs to this image.',
    { file },
  );
}
