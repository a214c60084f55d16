/**
 * The images a new project lists: the dataset area's openDataset finds them (its layouts, its
 * checks), and each entry becomes a project image with its image, label and FOV files.
 */
import { allEntries, openDataset, type DatasetIndex } from '../dataset';
import type { ImageInput } from './types';

/** Project image inputs for every usable image of an opened dataset. */
export function imageInputsOf(dataset: DatasetIndex): ImageInput[] {
  return allEntries(dataset).map((entry) => ({
    key: entry.id,
    split: entry.split,
    name: entry.name,
    width: entry.width,
    height: entry.height,
    files: {
      image: entry.imagePath,
      ...(entry.labelPaths['1st'] ? { 'label-1st': entry.labelPaths['1st'] } : {}),
      ...(entry.labelPaths['2nd'] ? { 'label-2nd': entry.labelPaths['2nd'] } : {}),
      // A derived FOV has no file: nothing to hash or find again.
      ...(entry.fovPath ? { fov: entry.fovPath } : {}),
    },
  }));
}

/**
 * Opens the dataset under `root` and lists its images as project image inputs, with the
 * problems the dataset area found (files it skipped, and why).
 */
export async function discoverImages(
  root: string,
): Promise<{ dataset: DatasetIndex; images: ImageInput[] }> {
  const dataset = await openDataset(root);
  return { dataset, images: imageInputsOf(dataset) };
}
