/**
 * Preprocessing recipes: one grey channel, normalisation, CLAHE and gamma, configured by a
 * JSON-serialisable `PreprocessConfig` that is stored with every model so inference repeats it.
 */
import sharp from 'sharp';
import { z } from 'zod';
import { AppError } from '../../../shared/result';
import { claheEqualize } from './clahe';
import { DATASET_ERRORS } from './errors';
import type { RgbImage } from './types';

export const preprocessConfigSchema = z
  .object({
    /** `green`: the G channel (best vessel contrast); `luminance`: 0.299R + 0.587G + 0.114B. */
    channel: z.enum(['green', 'luminance']),
    /**
     * `none`: values as decoded; `image-minmax`: each image stretched to 0-255;
     * `set-zscore-minmax`: z-score with the mean and std of the whole set, then each image
     * stretched to 0-255 (orobix/retina-unet, LadderNet).
     */
    normalise: z.enum(['none', 'image-minmax', 'set-zscore-minmax']),
    /** OpenCV-style CLAHE on 8-bit values, or null for none. */
    clahe: z
      .object({
        clipLimit: z.number().min(0).max(256),
        tilesX: z.number().int().min(1).max(64),
        tilesY: z.number().int().min(1).max(64),
      })
      .strict()
      .nullable(),
    /** Gamma g > 1 brightens: out = 255 * (in / 255)^(1/g) on 8-bit values, or null for none. */
    gamma: z.number().min(1).max(3).nullable(),
  })
  .strict();

/** How images become the network's single input channel (values about 0-1). */
export type PreprocessConfig = z.infer<typeof preprocessConfigSchema>;

/** Named recipes. `laddernet` is the DRIVE protocol of orobix/retina-unet and LadderNet. */
export const PREPROCESS_RECIPES = {
  laddernet: {
    channel: 'luminance',
    normalise: 'set-zscore-minmax',
    clahe: { clipLimit: 2, tilesX: 8, tilesY: 8 },
    gamma: 1.2,
  },
  green: { channel: 'green', normalise: 'none', clahe: null, gamma: null },
  'green-clahe': {
    channel: 'green',
    normalise: 'none',
    clahe: { clipLimit: 2, tilesX: 8, tilesY: 8 },
    gamma: null,
  },
  luminance: { channel: 'luminance', normalise: 'image-minmax', clahe: null, gamma: null },
} as const satisfies Record<string, PreprocessConfig>;

export type PreprocessRecipeName = keyof typeof PREPROCESS_RECIPES;

/** Parses a preprocessing config from untrusted JSON, or throws DATASET_BAD_CONFIG naming the field. */
export function parsePreprocessConfig(value: unknown): PreprocessConfig {
  const parsed = preprocessConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      DATASET_ERRORS.BAD_CONFIG,
      `Preprocessing config is invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'unknown'}. ` +
        `Use a recipe (${Object.keys(PREPROCESS_RECIPES).join(', ')}) or fix that field.`,
      { issues: parsed.error.issues },
    );
  }
  return parsed.data;
}

/**
 * One grey channel, 0-255, in double precision like the recipe's numpy code: the values are
 * truncated to 8 bits before CLAHE, and float32 would move a few across an integer.
 */
export function extractChannel(
  image: RgbImage,
  channel: PreprocessConfig['channel'],
): Float64Array {
  const n = image.width * image.height;
  const out = new Float64Array(n);
  const d = image.data;
  if (channel === 'green') {
    for (let i = 0; i < n; i++) out[i] = d[3 * i + 1]!;
  } else {
    for (let i = 0; i < n; i++)
      out[i] = 0.299 * d[3 * i]! + 0.587 * d[3 * i + 1]! + 0.114 * d[3 * i + 2]!;
  }
  return out;
}

function stretchTo255(values: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  // (v - min) / range * 255 in this order, as the recipe writes it: v * (255 / range) rounds
  // differently and moves a few values across an integer before the 8-bit truncation.
  for (let i = 0; i < values.length; i++)
    values[i] = range > 0 ? ((values[i]! - min) / range) * 255 : 0;
}

/**
 * Gamma with sharp: its gamma(1, g) skips the darkening step (exponent 1) and brightens by
 * x^(1/g) through libvips' 8-bit lookup table, the same mapping as the recipe's cv2.LUT.
 */
export async function applyGamma(
  values: Uint8Array,
  width: number,
  height: number,
  gamma: number,
): Promise<Uint8Array> {
  const out = await sharp(values, { raw: { width, height, channels: 1 } })
    .gamma(1, gamma)
    .extractChannel(0)
    .raw()
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * Preprocesses a set of images (the set matters for `set-zscore-minmax`): one Float32Array
 * (HxW, values 0-1) per image, in order.
 */
export async function preprocessImages(
  images: RgbImage[],
  config: PreprocessConfig,
): Promise<Float32Array[]> {
  const channels = images.map((image) => extractChannel(image, config.channel));
  if (config.normalise === 'set-zscore-minmax') {
    let count = 0;
    let sum = 0;
    for (const c of channels) for (let i = 0; i < c.length; i++) sum += c[i]!;
    for (const c of channels) count += c.length;
    const mean = sum / count;
    let squares = 0;
    for (const c of channels) for (let i = 0; i < c.length; i++) squares += (c[i]! - mean) ** 2;
    const std = Math.sqrt(squares / count) || 1;
    // The per-image stretch that follows makes this z-score cancel out (an increasing affine map
    // before a min-max stretch changes nothing); it is kept because the recipe does it and it
    // keeps rounding as in the recipe. It also means one test image alone gives the same input.
    // Against the recipe run with numpy and OpenCV on the 20 DRIVE test images, the output is
    // identical but for 25 of 6,599,200 pixels (by at most 2/255): numpy sums the mean and std
    // pairwise, we sum in order, and that moves 25 values across an integer before truncation.
    for (const c of channels) for (let i = 0; i < c.length; i++) c[i] = (c[i]! - mean) / std;
    for (const c of channels) stretchTo255(c);
  } else if (config.normalise === 'image-minmax') {
    for (const c of channels) stretchTo255(c);
  }
  if (config.clahe === null && config.gamma === null) {
    return channels.map((c) => Float32Array.from(c, (v) => v / 255));
  }
  const results: Float32Array[] = [];
  for (let k = 0; k < channels.length; k++) {
    const { width, height } = images[k]!;
    const c = channels[k]!;
    // The recipe casts to uint8 (numpy astype truncates) before CLAHE and gamma.
    let bytes: Uint8Array = new Uint8Array(c.length);
    for (let i = 0; i < c.length; i++) bytes[i] = Math.min(255, Math.max(0, Math.trunc(c[i]!)));
    if (config.clahe) bytes = claheEqualize(bytes, width, height, config.clahe);
    if (config.gamma !== null) bytes = await applyGamma(bytes, width, height, config.gamma);
    const out = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
    results.push(out);
  }
  return results;
}
