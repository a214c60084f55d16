/**
 * Decoding of image, label and FOV files into typed arrays. sharp (libvips) decodes TIFF (LZW),
 * GIF, PNG and JPEG; sharp's prebuilt libvips ships no PPM/PGM loader (sharp.format.ppm has no
 * input), so Netpbm files are parsed here. STARE's `.ppm.gz` files are gunzipped with node:zlib.
 * Dataset folders are untrusted: only regular files are read, and every size is checked against
 * `imageLimits()` before anything of that size is allocated.
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import sharp, { type Metadata } from 'sharp';
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

/**
 * The most pixels an image, label or mask may have; larger files are refused from their header,
 * before any pixel is decoded. The largest fundus images of the public sets are HRF's 3504x2336
 * (8.2 MP); cameras built on consumer camera bodies record up to about 24 MP (6000x4000).
 * 8192x8192 (67 MP) leaves 8x HRF and almost 3x those, while one decoded RGB image at the limit
 * still takes only 192 MiB. Override it with the environment variable VESSEL_MAX_IMAGE_PIXELS
 * (a whole number of pixels, e.g. VESSEL_MAX_IMAGE_PIXELS=150000000), read at every open.
 */
export const MAX_IMAGE_PIXELS = 8192 * 8192;
export const MAX_IMAGE_PIXELS_ENV = 'VESSEL_MAX_IMAGE_PIXELS';
/** The widest raster any format we read stores per pixel: 16-bit RGBA, uncompressed (TIFF, PNG). */
const MAX_BYTES_PER_PIXEL = 8;
/** Room beside the raster for headers and metadata (EXIF, ICC profiles, TIFF tags, comments). */
const METADATA_BYTES = 16 * 2 ** 20;

/** The size limits a file is checked against before it is read, gunzipped or decoded. */
export interface ImageLimits {
  /** Most pixels (width x height) of one image. */
  maxPixels: number;
  /**
   * Most bytes of one file, and of a gzipped file once gunzipped: the largest file an image of
   * `maxPixels` can be (the raster at MAX_BYTES_PER_PIXEL plus metadata). ASCII Netpbm, which
   * spends up to 18 bytes a pixel, reaches it first and is refused as too large.
   */
  maxBytes: number;
}

/** The limits in force: MAX_IMAGE_PIXELS, or VESSEL_MAX_IMAGE_PIXELS when set. */
export function imageLimits(env: NodeJS.ProcessEnv = process.env): ImageLimits {
  const raw = env[MAX_IMAGE_PIXELS_ENV]?.trim();
  let maxPixels = MAX_IMAGE_PIXELS;
  if (raw !== undefined && raw !== '') {
    maxPixels = Number(raw);
    if (!Number.isSafeInteger(maxPixels) || maxPixels <= 0) {
      throw new AppError(
        DATASET_ERRORS.BAD_CONFIG,
        `${MAX_IMAGE_PIXELS_ENV} is "${raw.slice(0, 40)}", not a whole number of pixels: set it to a positive integer (e.g. ${MAX_IMAGE_PIXELS}) or unset it for the default.`,
      );
    }
  }
  return { maxPixels, maxBytes: maxPixels * MAX_BYTES_PER_PIXEL + METADATA_BYTES };
}

function corrupt(file: string, reason: string): AppError {
  return new AppError(
    DATASET_ERRORS.FILE_CORRUPT,
    `Cannot decode ${file}: ${reason}. The file is corrupt, truncated or not an image: ` +
      'replace it with an intact copy (download or extract the dataset again).',
    { file },
  );
}

function tooLarge(file: string, what: string, limits: ImageLimits): AppError {
  return new AppError(
    DATASET_ERRORS.IMAGE_TOO_LARGE,
    `${file} is too large: ${what}, over the limit of ${limits.maxPixels} pixels (${limits.maxBytes} bytes of file). ` +
      `It is left out rather than decoded, to keep memory bounded. If it is a real fundus image, ` +
      `raise the limit with the environment variable ${MAX_IMAGE_PIXELS_ENV} (e.g. ${MAX_IMAGE_PIXELS_ENV}=${limits.maxPixels * 4}) and open the dataset again.`,
    { file },
  );
}

function checkPixels(file: string, width: number, height: number, limits: ImageLimits): void {
  if (width * height > limits.maxPixels)
    throw tooLarge(file, `${width}x${height} (${width * height} pixels)`, limits);
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  if (info.isDirectory()) return 'a folder';
  return 'not a regular file';
}

async function notRegular(file: string, kind: string): Promise<AppError> {
  const target = await realpath(file).catch(() => file);
  const link = target === file ? '' : ` (a link to ${target})`;
  return new AppError(
    DATASET_ERRORS.FILE_NOT_REGULAR,
    `${file}${link} is ${kind}, not an image file: only regular files (or links to them) are read. ` +
      'Replace it with the image file itself; it is left out until then.',
    { file },
  );
}

/** The error for a file that `open` or `read` refused: permissions get their own code. */
function readFailure(file: string, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new AppError(
      DATASET_ERRORS.FILE_UNREADABLE,
      `${file} cannot be read: permission denied (${code}). The file is there but this user may not read it: ` +
        `fix its permissions (e.g. chmod a+r "${file}", or ask its owner) and open the dataset again.`,
      { file },
    );
  }
  return corrupt(file, `cannot be read (${code ?? (error as Error).message})`);
}

/**
 * Reads a regular file (links followed) of at most `limits.maxBytes`. Anything else is refused
 * without reading: a FIFO would block a libuv pool thread until a writer comes (four of them stop
 * every later file operation), and /dev/zero never ends.
 */
async function readRegularFile(file: string, limits: ImageLimits): Promise<Uint8Array> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    throw readFailure(file, error);
  }
  if (!info.isFile()) throw await notRegular(file, kindOf(info));
  let handle: FileHandle;
  try {
    // O_NONBLOCK: should the name become a FIFO after the stat, open returns at once instead of
    // waiting for a writer; fstat below then refuses it. On a regular file the flag does nothing.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw readFailure(file, error);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw await notRegular(file, kindOf(opened));
    if (opened.size > limits.maxBytes) throw tooLarge(file, `${opened.size} bytes`, limits);
    // Read what fstat reported and no more: a file that grows meanwhile is read as truncated.
    const bytes = Buffer.allocUnsafe(opened.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } catch (error) {
    throw error instanceof AppError ? error : readFailure(file, error);
  } finally {
    await handle.close();
  }
}

/** A file's bytes, gunzipped when they are gzip, never more than `limits.maxBytes`. */
async function readImageBytes(file: string, limits: ImageLimits): Promise<Uint8Array> {
  const bytes = await readRegularFile(file, limits);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: limits.maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw tooLarge(file, `more than ${limits.maxBytes} bytes once gunzipped`, limits);
    throw corrupt(file, `gzip data is damaged (${(error as Error).message})`);
  }
}

function isNetpbm(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 /* P */ && bytes[1]! >= 0x31 && bytes[1]! <= 0x37;
}

interface NetpbmHeader {
  magic: 'P2' | 'P3' | 'P5' | 'P6';
  width: number;
  height: number;
  maxval: number;
}

/** Reads whitespace-separated Netpbm tokens, skipping `#` comments. */
class NetpbmTokens {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  next(): string {
    const bytes = this.bytes;
    for (;;) {
      while (this.pos < bytes.length && isSpace(bytes[this.pos]!)) this.pos++;
      if (bytes[this.pos] === 0x23 /* # */) {
        while (this.pos < bytes.length && bytes[this.pos] !== 0x0a) this.pos++;
        continue;
      }
      break;
    }
    const start = this.pos;
    while (this.pos < bytes.length && !isSpace(bytes[this.pos]!)) this.pos++;
    // No number is longer than 32 characters; a longer run is garbage and must not be spread
    // into fromCharCode's arguments whole.
    return String.fromCharCode(...bytes.subarray(start, Math.min(this.pos, start + 32)));
  }
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

function readNetpbmHeader(tokens: NetpbmTokens, file: string): NetpbmHeader {
  const magic = tokens.next();
  if (magic !== 'P2' && magic !== 'P3' && magic !== 'P5' && magic !== 'P6') {
    throw corrupt(
      file,
      `unsupported Netpbm type "${magic.slice(0, 4)}" (P2, P3, P5 and P6 are read)`,
    );
  }
  const width = Number(tokens.next());
  const height = Number(tokens.next());
  const maxval = Number(tokens.next());
  if (
    !(width > 0 && height > 0 && maxval > 0 && maxval < 65536) ||
    !Number.isInteger(width + height + maxval)
  ) {
    throw corrupt(file, 'bad Netpbm header');
  }
  return { magic, width, height, maxval };
}

/**
 * Parses a Netpbm file (P2, P3, P5, P6; 8 or 16 bits), the format STARE ships. The size in the
 * header is checked against `limits` before the raster is allocated.
 */
export function parseNetpbm(
  bytes: Uint8Array,
  file: string,
  limits: ImageLimits = imageLimits(),
): DecodedPixels {
  const tokens = new NetpbmTokens(bytes);
  const { magic, width, height, maxval } = readNetpbmHeader(tokens, file);
  checkPixels(file, width, height, limits);
  const channels: 1 | 3 = magic === 'P3' || magic === 'P6' ? 3 : 1;
  const count = width * height * channels;
  const data = new Uint8Array(count);
  const scale = 255 / maxval;
  if (magic === 'P5' || magic === 'P6') {
    const pos = tokens.pos + 1; // exactly one whitespace byte separates the header from the raster
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
      const token = tokens.next();
      if (token === '') throw corrupt(file, `truncated: ${count} values expected, ${i} found`);
      data[i] = Math.round(Number(token) * scale);
    }
  }
  return { width, height, channels, data };
}

/** The size in a sharp-readable file's header, checked against the limits; decodes no pixel. */
async function sharpHeaderSize(
  bytes: Uint8Array,
  file: string,
  limits: ImageLimits,
): Promise<{ width: number; height: number }> {
  let meta: Metadata;
  try {
    // No pixel limit here: metadata reads the header only, and the check below names the size.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw corrupt(file, (error as Error).message);
  }
  if (!meta.width || !meta.height) throw corrupt(file, 'no size in the header');
  checkPixels(file, meta.width, meta.height, limits);
  return { width: meta.width, height: meta.height };
}

/** Reads and decodes any supported file (gzipped or not) into 8-bit grey or RGB pixels. */
export async function decodeFile(file: string): Promise<DecodedPixels> {
  const limits = imageLimits();
  const bytes = await readImageBytes(file, limits);
  if (isNetpbm(bytes)) return parseNetpbm(bytes, file, limits);
  await sharpHeaderSize(bytes, file, limits);
  try {
    // failOn 'warning': a truncated TIFF or JPEG must fail here, not decode half grey.
    // limitInputPixels: libvips refuses from the header too, should metadata and decoder disagree.
    const { data, info } = await sharp(bytes, {
      failOn: 'warning',
      limitInputPixels: limits.maxPixels,
    })
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
 * Reads only what is needed to know a file's size: the file's bytes, then the header (through
 * sharp, or the Netpbm header here). Does not detect a truncated raster.
 */
export async function readImageSize(file: string): Promise<{ width: number; height: number }> {
  const limits = imageLimits();
  const bytes = await readImageBytes(file, limits);
  if (isNetpbm(bytes)) {
    const { width, height } = readNetpbmHeader(new NetpbmTokens(bytes), file);
    checkPixels(file, width, height, limits);
    return { width, height };
  }
  return sharpHeaderSize(bytes, file, limits);
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
 * Binarises a label or mask: 1 where the grey value (or, in colour, any channel) is > 127.
 * DRIVE's 2nd_manual GIFs are palette images whose white is (252,254,252), so testing == 255
 * would lose every vessel.
 */
export function binarise(pixels: DecodedPixels): Uint8Array {
  const n = pixels.width * pixels.height;
  const out = new Uint8Array(n);
  const d = pixels.data;
  if (pixels.channels === 1) {
    for (let i = 0; i < n; i++) out[i] = d[i]! > 127 ? 1 : 0;
  } else {
    // The brightest channel, not luminance: vessels drawn in pure red on black have a luminance
    // of 76 and would all vanish; grey labels (equal channels) give their own value either way.
    for (let i = 0; i < n; i++) {
      out[i] = d[3 * i]! > 127 || d[3 * i + 1]! > 127 || d[3 * i + 2]! > 127 ? 1 : 0;
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
