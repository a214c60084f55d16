/**
 * Probability maps as image files: 16-bit grey PNGs written by the export (value p * 65535), and
 * 8- or 16-bit PNGs read back as predictions (value / 255 or / 65535), so a map made by another
 * tool, or by an earlier export, can be scored without the model.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import { AppError } from '../../../shared/result';
import { METRICS_ERROR_CODES } from '../../../shared/api/errors';

/** A probability map, row-major, values in [0, 1]. */
export interface ProbabilityMap {
  width: number;
  height: number;
  data: Float32Array;
}

/** Writes a probability map as a 16-bit grey PNG (0 to 65535). */
export async function writeProbabilityPng(file: string, map: ProbabilityMap): Promise<void> {
  const values = new Uint16Array(map.data.length);
  for (let i = 0; i < values.length; i++) {
    values[i] = Math.round(Math.min(1, Math.max(0, map.data[i])) * 65535);
  }
  await sharp(values, { raw: { width: map.width, height: map.height, channels: 1 } })
    .toColourspace('grey16')
    .png()
    .toFile(file);
}

/** Reads an 8- or 16-bit PNG (grey, or RGB with equal channels) as probabilities in [0, 1]. */
export async function readProbabilityPng(file: string): Promise<ProbabilityMap> {
  let decoded: { data: Buffer; info: OutputInfo };
  let sixteenBit: boolean;
  try {
    const meta = await sharp(file).metadata();
    sixteenBit = meta.depth === 'ushort';
    decoded = await sharp(file)
      .toColourspace(sixteenBit ? 'grey16' : 'b-w')
      .raw(sixteenBit ? { depth: 'ushort' } : {})
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new AppError(
      METRICS_ERROR_CODES.PREDICTION_UNREADABLE,
      `${file} could not be read as a PNG probability map (${(error as Error).message}); ` +
        'write 8- or 16-bit grey PNGs, vessel probability = value / 255 or / 65535.',
    );
  }
  const { width, height } = decoded.info;
  const data = new Float32Array(width * height);
  if (sixteenBit) {
    const values = new Uint16Array(decoded.data.buffer, decoded.data.byteOffset, width * height);
    for (let i = 0; i < data.length; i++) data[i] = values[i] / 65535;
  } else {
    for (let i = 0; i < data.length; i++) data[i] = decoded.data[i] / 255;
  }
  return { width, height, data };
}

/**
 * The prediction file of an image in a folder, matched by the image's name stem
 * (`01_test.png` for `01_test.tif`); null when there is none.
 */
export function predictionFileFor(dir: string, stem: string): string | null {
  const file = path.join(dir, `${stem}.png`);
  return existsSync(file) ? file : null;
}

/** Throws a clear error unless `dir` is a folder holding at least one PNG. */
export async function checkPredictionFolder(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new AppError(
      METRICS_ERROR_CODES.PREDICTIONS_NOT_FOUND,
      `The predictions folder ${dir} does not exist or cannot be read; give a folder of PNG probability maps named by image stem (01_test.png).`,
    );
  }
  if (!names.some((n) => n.toLowerCase().endsWith('.png'))) {
    throw new AppError(
      METRICS_ERROR_CODES.PREDICTIONS_NOT_FOUND,
      `The predictions folder ${dir} holds no PNG file; write one probability map per image, named by its stem (01_test.png).`,
    );
  }
}
