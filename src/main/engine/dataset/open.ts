/** openDataset: discovery, then every file checked (decoded, by default) so training never meets a bad file. */
import path from 'node:path';
import { AppError } from '../../../shared/result';
import { decodeFile, readImageSize, sizeMismatch } from './decode';
import { discoverLayout, type Candidate } from './discover';
import { mapLimited } from './map-limited';
import { DATASET_ERRORS } from './errors';
import type { DatasetIndex, DatasetProblem, ImageEntry, Observer, SplitName } from './types';

function asProblem(error: unknown, file: string): DatasetProblem {
  if (error instanceof AppError) return { code: error.code, message: error.message, file };
  return {
    code: DATASET_ERRORS.FILE_CORRUPT,
    message: `Cannot decode ${file}: ${String(error)}`,
    file,
  };
}

/** How thoroughly `openDataset` checks files: decode every pixel, or read headers only. */
export type VerifyLevel = 'full' | 'headers';

export interface OpenOptions {
  /**
   * `full` (default): every image, label and mask is decoded once, so corrupt and truncated
   * files are found at open. `headers`: sizes only, much faster on large sets (HRF), but a
   * truncated file is found only when it is loaded.
   */
  verify?: VerifyLevel;
}

/** Checks one candidate's files; returns its entry (or null when unusable) and the problems found. */
async function checkCandidate(
  c: Candidate,
  verify: VerifyLevel,
): Promise<{ entry: ImageEntry | null; problems: DatasetProblem[] }> {
  const problems: DatasetProblem[] = [];
  const sizeOf = verify === 'full' ? decodeFile : readImageSize;
  let image: { width: number; height: number };
  try {
    image = await sizeOf(c.imagePath);
  } catch (error) {
    problems.push(asProblem(error, c.imagePath));
    return { entry: null, problems };
  }
  const dims = { width: image.width, height: image.height, imagePath: c.imagePath };
  const usable = async (file: string): Promise<boolean> => {
    try {
      const pixels = await sizeOf(file);
      if (pixels.width !== image.width || pixels.height !== image.height)
        throw sizeMismatch(dims, pixels, file);
      return true;
    } catch (error) {
      problems.push(asProblem(error, file));
      return false;
    }
  };
  const labelPaths: Partial<Record<Observer, string>> = {};
  for (const observer of ['1st', '2nd'] as const) {
    const file = c.labelPaths[observer];
    if (file !== undefined && (await usable(file))) labelPaths[observer] = file;
  }
  if (labelPaths['1st'] === undefined) return { entry: null, problems };
  let fovPath = c.fovPath;
  if (fovPath !== null && !(await usable(fovPath))) fovPath = null;
  return {
    entry: {
      id: `${c.split}/${c.name}`,
      split: c.split,
      name: c.name,
      imagePath: c.imagePath,
      labelPaths,
      fovPath,
      fovDerived: fovPath === null,
      width: image.width,
      height: image.height,
    },
    problems,
  };
}

/**
 * Opens a dataset folder: finds its layout and files, decodes every image, label and mask once
 * (or reads only their headers, with `verify: 'headers'`) and checks their sizes. Unusable
 * images are left out and listed in `problems`; throws an AppError (DATASET_...) only when the
 * folder is missing, unreadable, of no known layout, or has not one usable image.
 */
export async function openDataset(root: string, options: OpenOptions = {}): Promise<DatasetIndex> {
  const verify = options.verify ?? 'full';
  const resolved = path.resolve(root);
  const discovery = await discoverLayout(resolved);
  const problems = [...discovery.problems];
  const splits: Partial<Record<SplitName, ImageEntry[]>> = {};
  let usable = 0;
  for (const { split, folder, candidates } of discovery.splits) {
    const checked = await mapLimited(candidates, 4, (c) => checkCandidate(c, verify));
    const entries: ImageEntry[] = [];
    for (const { entry, problems: found } of checked) {
      problems.push(...found);
      if (entry) entries.push(entry);
    }
    if (entries.length === 0) {
      problems.push({
        code: DATASET_ERRORS.SPLIT_EMPTY,
        file: folder,
        message: `The ${split} split in ${folder} has no usable image: add images with their labels, or fix the problems listed for it.`,
      });
    }
    splits[split] = entries;
    usable += entries.length;
  }
  if (usable === 0) {
    const first = problems.slice(0, 5).map((p) => `  - ${p.message}`);
    throw new AppError(
      DATASET_ERRORS.NO_USABLE_IMAGES,
      `${resolved} looks like a ${discovery.layout} dataset but holds no usable image (an image with its label, all decodable):\n${first.join('\n')}`,
      { file: resolved, problems },
    );
  }
  return { root: resolved, layout: discovery.layout, splits, problems };
}

/** Every entry of a dataset, split by split (training, test, all). */
export function allEntries(index: DatasetIndex): ImageEntry[] {
  return (['training', 'test', 'all'] as const).flatMap((s) => index.splits[s] ?? []);
}
