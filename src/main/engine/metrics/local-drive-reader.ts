/**
 * TEMPORARY: decodes the DRIVE label and FOV GIFs for the metrics until the dataset area's
 * loadLabel/loadFov exist (src/main/engine/dataset); then this file is deleted.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../../shared/result';

export interface DriveEntry {
  id: string;
  stem: string;
  label1st: string;
  label2nd: string | null;
  fov: string;
}

/** The DRIVE entries of a split, with their file paths. */
export function driveEntries(root: string, split: 'test' | 'training'): DriveEntry[] {
  const folder = path.join(root, split, '1st_manual');
  if (!existsSync(folder)) {
    throw new AppError(
      'METRICS_DATA_NOT_FOUND',
      `${root} is not a DRIVE folder: ${folder} is missing. Give the folder that holds training/ and test/.`,
    );
  }
  const entries: DriveEntry[] = [];
  const numbers = split === 'test' ? [1, 20] : [21, 40];
  for (let n = numbers[0]; n <= numbers[1]; n++) {
    const nn = String(n).padStart(2, '0');
    const stem = `${nn}_${split}`;
    entries.push({
      id: `${split}/${stem}`,
      stem,
      label1st: path.join(root, split, '1st_manual', `${nn}_manual1.gif`),
      label2nd: split === 'test' ? path.join(root, split, '2nd_manual', `${nn}_manual2.gif`) : null,
      fov: path.join(root, split, 'mask', `${stem}_mask.gif`),
    });
  }
  for (const e of entries) {
    if (!existsSync(e.label1st))
      throw new AppError('METRICS_FILE_MISSING', `${e.label1st} is missing.`);
  }
  return entries;
}

/** Decodes a label or mask GIF to 0/1; > 127 because 2nd_manual's white is (252,254,252). */
export async function readBinaryGif(
  file: string,
): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(file)
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] > 127 ? 1 : 0;
  return { width: info.width, height: info.height, data: out };
}
