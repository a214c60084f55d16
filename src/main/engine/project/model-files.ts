/**
 * The files of a model version: the tfjs model folder (model.json, the weight shards it lists,
 * an optional vessel.json) stored byte for byte with size and SHA-256, checked on the way in
 * so a stored version can always be loaded again, and given back as bytes or as a folder.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/result';
import type { ProjectDatabase } from './database';
import { unknownModelError } from './errors';
import { sha256Hex } from './files';
import { bytesOf } from './records';
import { asBlob, type SqliteDatabase } from './sqlite';
import { PROJECT_ERROR_CODES as CODES } from './types';

/** Refuses a model folder that could not be loaded again. */
export function checkModelFiles(name: string, files: Record<string, Uint8Array>): void {
  const modelJson = files['model.json'];
  if (!modelJson)
    throw new AppError(CODES.BAD_MODEL, `The model version "${name}" has no model.json.`);
  let parsed: { modelTopology?: unknown; weightsManifest?: { paths?: string[] }[] };
  try {
    parsed = JSON.parse(Buffer.from(modelJson).toString('utf8')) as typeof parsed;
  } catch {
    throw new AppError(CODES.BAD_MODEL, `The model.json of "${name}" is not valid JSON.`);
  }
  if (parsed.modelTopology === undefined || !Array.isArray(parsed.weightsManifest)) {
    throw new AppError(
      CODES.BAD_MODEL,
      `The model.json of "${name}" is not a tfjs layers model (no modelTopology/weightsManifest).`,
    );
  }
  for (const group of parsed.weightsManifest) {
    for (const weightPath of group.paths ?? []) {
      if (!files[weightPath]) {
        throw new AppError(
          CODES.BAD_MODEL,
          `The model.json of "${name}" lists the weight file ${weightPath}, which was not given.`,
        );
      }
    }
  }
}

/** The files directly in a model folder on disk, by name. */
export async function readModelDir(dir: string): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => {
    throw new AppError(CODES.BAD_MODEL, `The model folder ${dir} cannot be read; check the path.`);
  });
  for (const entry of entries) {
    if (entry.isFile())
      files[entry.name] = new Uint8Array(await fs.readFile(path.join(dir, entry.name)));
  }
  return files;
}

/** Stores a version's files (inside the caller's transaction). */
export async function insertModelFiles(
  db: SqliteDatabase,
  modelVersionId: number,
  files: Record<string, Uint8Array>,
): Promise<void> {
  for (const [name, bytes] of Object.entries(files)) {
    await db.run(
      'INSERT INTO model_files (model_version_id, name, size, sha256, bytes) VALUES (?, ?, ?, ?, ?)',
      [modelVersionId, name, bytes.byteLength, sha256Hex(bytes), asBlob(bytes)],
    );
  }
}

/** A version's files by name; PROJECT_MODEL_DELETED when its weights were deleted. */
export async function readModelFiles(
  database: ProjectDatabase,
  id: number,
): Promise<Record<string, Uint8Array>> {
  const rows = await database.read((db) =>
    db.all<{ name: string; bytes: Buffer }>(
      'SELECT name, bytes FROM model_files WHERE model_version_id = ?',
      [id],
    ),
  );
  if (rows.length === 0) await refuseDeleted(database, id);
  return Object.fromEntries(rows.map((r) => [r.name, bytesOf(r.bytes)]));
}

/** Says why a version has no files: there is no such version, or it was deleted. */
async function refuseDeleted(database: ProjectDatabase, id: number): Promise<void> {
  const version = await database.read((db) =>
    db.get<{ name: string; deleted_at: string | null }>(
      'SELECT name, deleted_at FROM model_versions WHERE id = ?',
      [id],
    ),
  );
  if (!version) throw unknownModelError(id);
  if (version.deleted_at !== null) {
    throw new AppError(
      CODES.MODEL_DELETED,
      `Model version ${id} ("${version.name}") was deleted on ${version.deleted_at}; its weights are gone.`,
    );
  }
}

/** Writes a version as a tfjs model folder; returns the file names, sorted. */
export async function writeModelDir(
  database: ProjectDatabase,
  id: number,
  dir: string,
): Promise<string[]> {
  const files = await readModelFiles(database, id);
  await fs.mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files))
    await fs.writeFile(path.join(dir, name), bytes);
  return Object.keys(files).sort();
}
