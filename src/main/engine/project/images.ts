/**
 * The dataset's images as the project lists them: each image's files by role, stored relative
 * to the dataset root with their size and SHA-256, so a moved dataset can be found again
 * (relocation.ts) and a changed file noticed.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/result';
import type { ProjectDatabase } from './database';
import { hashFile, relativeToRoot, resolveUnderRoot } from './files';
import { datasetRoot } from './meta';
import { now } from './records';
import type { SqliteDatabase } from './sqlite';
import {
  IMAGE_FILE_ROLES,
  PROJECT_ERROR_CODES as CODES,
  type ImageFileRecord,
  type ImageFileRole,
  type ImageInput,
  type ProjectImage,
  type RelocationReport,
} from './types';

/** An image to insert with its files already hashed. */
interface PreparedImage {
  input: ImageInput;
  files: ImageFileRecord[];
}

/** Adds images, refusing keys already present: an image's files are facts, not edits. */
export async function addImages(database: ProjectDatabase, inputs: ImageInput[]): Promise<void> {
  const root = await datasetRoot(database);
  // Hash before the transaction: reading files can take seconds, and a transaction held open
  // that long would hold up every other read and write of the project.
  const prepared: PreparedImage[] = [];
  for (const input of inputs) prepared.push({ input, files: await hashImageFiles(root, input) });
  await database.write(async (db) => {
    const addedAt = now();
    for (const { input, files } of prepared) {
      const existing = await db.get('SELECT id FROM images WHERE key = ?', [input.key]);
      if (existing)
        throw new AppError(CODES.BAD_INPUT, `The project already lists an image ${input.key}.`);
      const { lastId } = await db.run(
        'INSERT INTO images (key, split, name, width, height, added_at) VALUES (?, ?, ?, ?, ?, ?)',
        [input.key, input.split, input.name, input.width ?? null, input.height ?? null, addedAt],
      );
      for (const f of files) {
        await db.run(
          'INSERT INTO image_files (image_id, role, rel_path, size, sha256) VALUES (?, ?, ?, ?, ?)',
          [lastId, f.role, f.relPath, f.size, f.sha256],
        );
      }
    }
  });
}

/** The size, hash and root-relative path of each of an image's files; it must have an image. */
async function hashImageFiles(root: string, input: ImageInput): Promise<ImageFileRecord[]> {
  const files: ImageFileRecord[] = [];
  for (const role of IMAGE_FILE_ROLES) {
    const file = input.files[role];
    if (file === undefined) continue;
    const relPath = relativeToRoot(root, path.resolve(file));
    files.push({ role, relPath, ...(await hashFile(file)) });
  }
  if (!files.some((f) => f.role === 'image')) {
    throw new AppError(
      CODES.BAD_INPUT,
      `The image ${input.key} has no image file; give files.image.`,
    );
  }
  return files;
}

/** Every image with its files, in key order. */
export function listImages(database: ProjectDatabase): Promise<ProjectImage[]> {
  return database.read(async (db) => {
    const images = await db.all<Omit<ProjectImage, 'files'> & { id: number }>(
      'SELECT id, key, split, name, width, height FROM images ORDER BY key',
    );
    const files = await db.all<{
      image_id: number;
      role: ImageFileRole;
      rel_path: string;
      size: number;
      sha256: string;
    }>('SELECT image_id, role, rel_path, size, sha256 FROM image_files ORDER BY image_id, role');
    const byImage = new Map<number, ImageFileRecord[]>();
    for (const f of files) {
      const list = byImage.get(f.image_id) ?? [];
      list.push({ role: f.role, relPath: f.rel_path, size: f.size, sha256: f.sha256 });
      byImage.set(f.image_id, list);
    }
    return images.map((i) => ({
      key: i.key,
      split: i.split,
      name: i.name,
      width: i.width,
      height: i.height,
      files: byImage.get(i.id) ?? [],
    }));
  });
}

/** The absolute path of one of an image's files under the current dataset root. */
export async function imageFilePath(
  database: ProjectDatabase,
  imageKey: string,
  role: ImageFileRole,
): Promise<string> {
  const row = await database.read((db) =>
    db.get<{ rel_path: string }>(
      'SELECT f.rel_path FROM image_files f JOIN images i ON i.id = f.image_id WHERE i.key = ? AND f.role = ?',
      [imageKey, role],
    ),
  );
  if (!row)
    throw new AppError(
      CODES.UNKNOWN_IMAGE,
      `The project has no ${role} file for image ${imageKey}.`,
    );
  return resolveUnderRoot(await datasetRoot(database), row.rel_path);
}

/** Image files missing (or of another size) under the current root: non-empty means relocate. */
export async function missingImageFiles(
  database: ProjectDatabase,
): Promise<RelocationReport['missing']> {
  const root = await datasetRoot(database);
  const missing: RelocationReport['missing'] = [];
  for (const image of await listImages(database)) {
    for (const f of image.files) {
      const stat = await fs.stat(resolveUnderRoot(root, f.relPath)).catch(() => null);
      if (!stat || stat.size !== f.size)
        missing.push({ imageKey: image.key, role: f.role, relPath: f.relPath });
    }
  }
  return missing;
}

/** The row id of an image (inside the caller's read or write); PROJECT_UNKNOWN_IMAGE if none. */
export async function imageIdOf(db: SqliteDatabase, imageKey: string): Promise<number> {
  const row = await db.get<{ id: number }>('SELECT id FROM images WHERE key = ?', [imageKey]);
  if (!row)
    throw new AppError(CODES.UNKNOWN_IMAGE, `The project has no image ${imageKey}; add it first.`);
  return row.id;
}
