/**
 * The images a new project lists. Until the dataset area's openDataset lands, every image file
 * under the folder (tif, gif, png, jpg, ppm) becomes one image keyed by its relative path
 * without extension, its first folder as the split.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { AppError } from '../../../shared/result';
import { listFilesRecursively, resolveUnderRoot } from './files';
import { PROJECT_ERROR_CODES, type ImageInput } from './types';

const IMAGE_EXTENSIONS = new Set(['.tif', '.tiff', '.gif', '.png', '.jpg', '.jpeg', '.ppm']);

/** Lists the images under a dataset folder as project image inputs. */
export async function discoverImages(root: string): Promise<ImageInput[]> {
  const stat = await fs.stat(root).catch(() => null);
  if (!stat?.isDirectory()) {
    throw new AppError(
      PROJECT_ERROR_CODES.BAD_INPUT,
      `The dataset folder ${root} does not exist or is not a folder.`,
    );
  }
  const files = (await listFilesRecursively(root)).filter((rel) =>
    IMAGE_EXTENSIONS.has(path.extname(rel).toLowerCase()),
  );
  return files.map((rel) => {
    const key = rel.slice(0, rel.length - path.extname(rel).length);
    const parts = key.split('/');
    return {
      key,
      split: parts.length > 1 ? parts[0] : '',
      name: parts[parts.length - 1],
      files: { image: resolveUnderRoot(root, rel) },
    };
  });
}
