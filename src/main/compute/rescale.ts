/**
 * Scale-aware inference: a model records the FOV diameter of the images it was trained on
 * (vessel.json `trainingScale`), and an image of another scale is resampled so that its FOV
 * matches before it is predicted; the probabilities are resampled back to the image's own
 * pixels. A vessel then spans as many pixels as the model saw in training, whatever the
 * camera's resolution. No tfjs here: the engine uses the same functions to say which factor a
 * prediction used.
 */
import sharp from 'sharp';
import type { TrainingScale } from '../../shared/model-config';
import { AppError } from '../../shared/result';
import type { RgbImage } from '../engine/dataset/types';
import { INFER_ERROR_CODES } from '../../shared/api/errors';

/** An image whose FOV diameter is within this fraction of the training one is not resampled. */
export const SCALE_MATCH_TOLERANCE = 0.02;

/** The resampling factors `--scale <factor>` accepts (and auto may choose). */
export const SCALE_FACTOR_LIMITS = { min: 0.25, max: 4 } as const;

/**
 * How an image's scale is chosen: `auto` matches its FOV diameter to the model's training
 * images (models without `trainingScale` predict at the image's own size), `off` never
 * resamples, a number resamples by that factor.
 */
export type ScaleSetting = 'auto' | 'off' | number;

/** The scale an image was predicted at, returned with its probabilities. */
export interface ImageScale {
  /** What was asked for. */
  setting: 'auto' | 'off' | 'factor';
  /** Network pixels per image pixel: 1 when the image was predicted at its own size. */
  factor: number;
  /** The image's FOV diameter in pixels (measured with auto), else null. */
  fovDiameter: number | null;
  /** The model's training FOV diameter, or null when the model records none. */
  trainingFovDiameter: number | null;
  /** Why auto did not resample when it could not measure or compare (else null). */
  note: string | null;
}

/**
 * Parses `auto`, `off` or a factor such as `1.5`; anything else is COMPUTE_BAD_SCALE naming
 * what is accepted.
 */
export function parseScaleSetting(text: string): ScaleSetting {
  const value = text.trim().toLowerCase();
  if (value === 'auto' || value === 'off') return value;
  const factor = /^\d*\.?\d+$/.test(value) ? Number(value) : Number.NaN;
  checkFactor(factor, text);
  return factor;
}

function checkFactor(factor: number, shown: string | number): void {
  if (
    !Number.isFinite(factor) ||
    factor < SCALE_FACTOR_LIMITS.min ||
    factor > SCALE_FACTOR_LIMITS.max
  ) {
    throw new AppError(
      INFER_ERROR_CODES.BAD_SCALE,
      `The scale must be auto, off or a factor from ${SCALE_FACTOR_LIMITS.min} to ${SCALE_FACTOR_LIMITS.max} (network pixels per image pixel), got "${shown}".`,
    );
  }
}

/** Checks a setting that arrived as a value (a request from another process). */
export function checkScaleSetting(setting: ScaleSetting): ScaleSetting {
  if (setting === 'auto' || setting === 'off') return setting;
  checkFactor(setting, setting);
  return setting;
}

/**
 * The FOV diameter of a 0/1 mask (HxW): the longest horizontal or vertical run of FOV pixels
 * counted along one row or column (the most FOV pixels in any row or column).
 *
 * Why this and not the area or the bounding box: many fundus cameras clip the circular FOV at
 * the top and bottom, which shrinks 2*sqrt(area/pi) below the circle's diameter while the widest
 * row still spans it; and a few stray pixels outside the disc (a derived FOV of a noisy image)
 * stretch a bounding box to them but add only themselves to a row's count. On DRIVE's unclipped
 * discs it gives 536..541 px where 2*sqrt(area/pi) gives 535..539 px.
 */
export function fovDiameter(fov: Uint8Array, width: number, height: number): number {
  if (fov.length !== width * height) {
    throw new AppError(
      INFER_ERROR_CODES.BAD_IMAGE,
      `The FOV mask holds ${fov.length} values; ${width}x${height} needs ${width * height}.`,
    );
  }
  const columns = new Uint32Array(width);
  let widest = 0;
  for (let y = 0; y < height; y++) {
    let row = 0;
    const base = y * width;
    for (let x = 0; x < width; x++) {
      if (fov[base + x] !== 0) {
        row++;
        columns[x]!++;
      }
    }
    if (row > widest) widest = row;
  }
  let tallest = 0;
  for (let x = 0; x < width; x++) if (columns[x]! > tallest) tallest = columns[x]!;
  return Math.max(widest, tallest);
}

/**
 * What a model records about its training images' scale: the median of their FOV diameters
 * (images with an empty FOV are left out; none measurable: null).
 */
export function trainingScaleOf(
  fovs: readonly { fov: Uint8Array; width: number; height: number }[],
): TrainingScale | null {
  const diameters = fovs
    .map((f) => fovDiameter(f.fov, f.width, f.height))
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  if (diameters.length === 0) return null;
  const mid = diameters.length >> 1;
  const median =
    diameters.length % 2 === 1 ? diameters[mid]! : (diameters[mid - 1]! + diameters[mid]!) / 2;
  return { fovDiameter: median, images: diameters.length, resample: 'bicubic' };
}

/**
 * The scale to predict an image at. `measure` gives the image's FOV diameter and is called only
 * when auto needs it. Auto with a model that records no training scale, or an image whose FOV
 * diameter is within SCALE_MATCH_TOLERANCE of it, predicts at factor 1.
 */
export async function chooseScale(
  setting: ScaleSetting,
  trainingScale: TrainingScale | null | undefined,
  measure: () => Promise<number>,
): Promise<ImageScale> {
  const trainingFovDiameter = trainingScale?.fovDiameter ?? null;
  if (setting === 'off') {
    return { setting: 'off', factor: 1, fovDiameter: null, trainingFovDiameter, note: null };
  }
  if (typeof setting === 'number') {
    checkFactor(setting, setting);
    return {
      setting: 'factor',
      factor: setting,
      fovDiameter: null,
      trainingFovDiameter,
      note: null,
    };
  }
  if (trainingFovDiameter === null) {
    return {
      setting: 'auto',
      factor: 1,
      fovDiameter: null,
      trainingFovDiameter,
      note: 'the model records no training scale, so the image is predicted at its own size (as --scale off)',
    };
  }
  const diameter = await measure();
  if (diameter <= 0) {
    return {
      setting: 'auto',
      factor: 1,
      fovDiameter: diameter,
      trainingFovDiameter,
      note: 'the image has an empty FOV, so it is predicted at its own size',
    };
  }
  let factor = trainingFovDiameter / diameter;
  if (Math.abs(diameter / trainingFovDiameter - 1) <= SCALE_MATCH_TOLERANCE) factor = 1;
  if (factor > 1) {
    // Auto never enlarges: enlarging cannot restore vessels a smaller image lost, and on DRIVE
    // resampled by 0.75x (scripts/rescaled-drive-check.ts) enlarging back scored lower
    // (AUC 0.9701, F1 0.7727) than predicting at the image's own size (0.9732, 0.8022).
    return {
      setting: 'auto',
      factor: 1,
      fovDiameter: diameter,
      trainingFovDiameter,
      note: `the FOV is smaller than the training scale (factor ${factor.toFixed(3)}); auto never enlarges, so the image is predicted at its own size (--scale <factor> forces one)`,
    };
  }
  const limited = Math.min(SCALE_FACTOR_LIMITS.max, Math.max(SCALE_FACTOR_LIMITS.min, factor));
  return {
    setting: 'auto',
    factor: limited,
    fovDiameter: diameter,
    trainingFovDiameter,
    note:
      limited === factor
        ? null
        : `the FOV asks for a factor of ${factor.toFixed(3)}; limited to ${limited}`,
  };
}

/** The size an image of width x height has at a factor (at least 1x1). */
export function scaledSize(
  width: number,
  height: number,
  factor: number,
): { width: number; height: number } {
  return {
    width: Math.max(1, Math.round(width * factor)),
    height: Math.max(1, Math.round(height * factor)),
  };
}

/** An 8-bit RGB image resampled to width x height with sharp's bicubic kernel. */
export async function resampleRgb(
  image: RgbImage,
  width: number,
  height: number,
): Promise<RgbImage> {
  if (width === image.width && height === image.height) return image;
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(width, height, { kernel: 'cubic', fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3) {
    throw new AppError(
      INFER_ERROR_CODES.BAD_IMAGE,
      `Resampling gave ${info.width}x${info.height}x${info.channels}, not ${width}x${height}x3.`,
    );
  }
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * An image resampled to the scale chosen for it (chooseScale), with that scale. `measure` gives
 * the image's FOV diameter and is called only when auto needs it.
 */
export async function resampleToScale(
  image: RgbImage,
  setting: ScaleSetting,
  trainingScale: TrainingScale | null | undefined,
  measure: () => Promise<number>,
): Promise<{ scale: ImageScale; image: RgbImage }> {
  const scale = await chooseScale(setting, trainingScale, measure);
  const size = scaledSize(image.width, image.height, scale.factor);
  return { scale, image: await resampleRgb(image, size.width, size.height) };
}

/** A 0/1 (or 0/255) single-channel mask resampled to width x height, nearest neighbour (sharp). */
export async function resampleMask(
  mask: Uint8Array,
  from: { width: number; height: number },
  width: number,
  height: number,
): Promise<Uint8Array> {
  if (width === from.width && height === from.height) return mask;
  const { data, info } = await sharp(mask, {
    raw: { width: from.width, height: from.height, channels: 1 },
  })
    .resize(width, height, { kernel: 'nearest', fit: 'fill' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 1) {
    throw new AppError(
      INFER_ERROR_CODES.BAD_IMAGE,
      `Resampling a mask gave ${info.width}x${info.height}x${info.channels}, not ${width}x${height}x1.`,
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A probability map (HxW, row-major) resampled bilinearly to width x height, with pixel
 * centres aligned (a destination pixel's centre maps to (x + 0.5) * sw / dw - 0.5 in the
 * source, clamped at the border). Written here because sharp turns one-channel float input
 * into sRGB.
 */
export function resampleProbabilities(
  values: Float32Array,
  from: { width: number; height: number },
  width: number,
  height: number,
): Float32Array {
  const sw = from.width;
  const sh = from.height;
  if (values.length !== sw * sh) {
    throw new AppError(
      INFER_ERROR_CODES.BAD_IMAGE,
      `The probability map holds ${values.length} values; ${sw}x${sh} needs ${sw * sh}.`,
    );
  }
  if (width === sw && height === sh) return values;
  const out = new Float32Array(width * height);
  // Per destination column: the two source columns and the weight of the right one.
  const x0 = new Int32Array(width);
  const x1 = new Int32Array(width);
  const wx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const s = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / width - 0.5));
    x0[x] = Math.floor(s);
    x1[x] = Math.min(sw - 1, x0[x]! + 1);
    wx[x] = s - x0[x]!;
  }
  for (let y = 0; y < height; y++) {
    const s = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / height - 0.5));
    const y0 = Math.floor(s);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = s - y0;
    const top = y0 * sw;
    const bottom = y1 * sw;
    for (let x = 0; x < width; x++) {
      const a = x0[x]!;
      const b = x1[x]!;
      const w = wx[x]!;
      const upper = values[top + a]! * (1 - w) + values[top + b]! * w;
      const lower = values[bottom + a]! * (1 - w) + values[bottom + b]! * w;
      out[y * width + x] = upper * (1 - wy) + lower * wy;
    }
  }
  return out;
}

/** One line for logs and the studio: "1.50x (FOV 360 px, trained on 540 px)" or "1x". */
export function describeScale(scale: ImageScale): string {
  const factor = scale.factor === 1 ? '1x' : `${scale.factor.toFixed(2)}x`;
  const parts: string[] = [];
  if (scale.fovDiameter !== null) parts.push(`FOV ${scale.fovDiameter} px`);
  if (scale.trainingFovDiameter !== null && scale.setting === 'auto')
    parts.push(`trained on ${scale.trainingFovDiameter} px`);
  if (scale.setting === 'off') parts.push('scale off');
  if (scale.setting === 'factor') parts.push('factor given');
  return parts.length > 0 ? `${factor} (${parts.join(', ')})` : factor;
}
