/**
 * Model versions: each trained model with its config, backend, epoch log, parent version, the
 * run that made it and the masks it was trained on. Deleting one drops its weights and cached
 * predictions (the bulk of a project) but keeps the record, for lineage and evaluations.
 */
import { AppError } from '../../../shared/result';
import type { ProjectDatabase } from './database';
import { unknownModelError, unknownRunError } from './errors';
import { imageIdOf } from './images';
import { checkModelFiles, insertModelFiles, readModelDir } from './model-files';
import { jsonText, now } from './records';
import { checkRevisionOf } from './revisions';
import type { SqliteDatabase } from './sqlite';
import {
  PROJECT_ERROR_CODES as CODES,
  type EpochLogEntry,
  type ModelVersion,
  type ModelVersionInput,
  type TrainingMask,
} from './types';

interface ModelVersionRow {
  id: number;
  name: string;
  parent_id: number | null;
  run_id: number | null;
  config: string;
  backend: string;
  epoch_log: string;
  created_at: string;
  deleted_at: string | null;
}

/** Stores a version with its files after checking they make a loadable tfjs model. */
export async function addModelVersion(
  database: ProjectDatabase,
  input: ModelVersionInput,
): Promise<ModelVersion> {
  checkModelFiles(input.name, input.files);
  const config = jsonText(input.config, 'The model config');
  const epochLog = jsonText(input.epochLog ?? [], 'The epoch log');
  const id = await database.write(async (db) => {
    await checkLinks(db, input);
    const { lastId } = await db.run(
      `INSERT INTO model_versions (name, parent_id, run_id, config, backend, epoch_log, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        input.name,
        input.parentId ?? null,
        input.runId ?? null,
        config,
        input.backend,
        epochLog,
        now(),
      ],
    );
    await insertModelFiles(db, lastId, input.files);
    for (const t of input.trainedOn ?? []) {
      const imageId = await imageIdOf(db, t.imageKey);
      if (t.revisionId !== null) await checkRevisionOf(db, t.revisionId, imageId, t.imageKey);
      await db.run(
        'INSERT INTO model_training_masks (model_version_id, image_id, revision_id) VALUES (?, ?, ?)',
        [lastId, imageId, t.revisionId],
      );
    }
    return lastId;
  });
  return getModelVersion(database, id);
}

/** Refuses a parent version or a run the project does not hold. */
async function checkLinks(db: SqliteDatabase, input: ModelVersionInput): Promise<void> {
  if (
    input.parentId != null &&
    !(await db.get('SELECT id FROM model_versions WHERE id = ?', [input.parentId]))
  ) {
    throw new AppError(
      CODES.UNKNOWN_MODEL,
      `The parent model version ${input.parentId} is not in the project.`,
    );
  }
  if (input.runId != null && !(await db.get('SELECT id FROM runs WHERE id = ?', [input.runId]))) {
    throw unknownRunError(input.runId);
  }
}

/** Stores a version from a tfjs model folder on disk (every file directly in it). */
export async function addModelVersionFromDir(
  database: ProjectDatabase,
  dir: string,
  input: Omit<ModelVersionInput, 'files'>,
): Promise<ModelVersion> {
  return addModelVersion(database, { ...input, files: await readModelDir(dir) });
}

/** One version (without its files' bytes); PROJECT_UNKNOWN_MODEL when there is none. */
export async function getModelVersion(
  database: ProjectDatabase,
  id: number,
): Promise<ModelVersion> {
  const [version] = await loadModelVersions(database, id);
  if (!version) throw unknownModelError(id);
  return version;
}

/** Versions oldest first; deleted ones only when asked for. */
export async function listModelVersions(
  database: ProjectDatabase,
  options: { includeDeleted?: boolean },
): Promise<ModelVersion[]> {
  const all = await loadModelVersions(database, null);
  return options.includeDeleted ? all : all.filter((v) => v.deletedAt === null);
}

/** Renames a version (names are for people; ids stay). */
export async function renameModelVersion(
  database: ProjectDatabase,
  id: number,
  name: string,
): Promise<ModelVersion> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) {
    throw new AppError(CODES.BAD_INPUT, 'A model version name needs 1 to 200 characters.');
  }
  await database.write(async (db) => {
    const { changes } = await db.run('UPDATE model_versions SET name = ? WHERE id = ?', [
      trimmed,
      id,
    ]);
    if (changes === 0) throw unknownModelError(id);
  });
  return getModelVersion(database, id);
}

/** Drops a version's weights and cached predictions, keeping its record marked deleted. */
export async function deleteModelVersion(
  database: ProjectDatabase,
  id: number,
): Promise<ModelVersion> {
  await database.write(async (db) => {
    const row = await db.get<{ deleted_at: string | null }>(
      'SELECT deleted_at FROM model_versions WHERE id = ?',
      [id],
    );
    if (!row) throw unknownModelError(id);
    if (row.deleted_at !== null) return;
    await db.run('DELETE FROM model_files WHERE model_version_id = ?', [id]);
    await db.run('DELETE FROM prediction_cache WHERE model_version_id = ?', [id]);
    await db.run('UPDATE model_versions SET deleted_at = ? WHERE id = ?', [now(), id]);
  });
  return getModelVersion(database, id);
}

/** One version or all, in three queries whatever their number (opening lists them all). */
function loadModelVersions(database: ProjectDatabase, id: number | null): Promise<ModelVersion[]> {
  const where = id === null ? '' : 'WHERE model_version_id = ?';
  const params = id === null ? [] : [id];
  return database.read(async (db) => {
    const rows = await db.all<ModelVersionRow>(
      `SELECT * FROM model_versions ${id === null ? '' : 'WHERE id = ?'} ORDER BY id`,
      params,
    );
    const files = await db.all<{
      model_version_id: number;
      name: string;
      size: number;
      sha256: string;
    }>(
      `SELECT model_version_id, name, size, sha256 FROM model_files ${where} ORDER BY name`,
      params,
    );
    const trainedOn = await db.all<{
      model_version_id: number;
      key: string;
      revision_id: number | null;
    }>(
      `SELECT t.model_version_id, i.key, t.revision_id FROM model_training_masks t
       JOIN images i ON i.id = t.image_id ${where.replace('model_version_id', 't.model_version_id')} ORDER BY i.key`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      parentId: row.parent_id,
      runId: row.run_id,
      config: JSON.parse(row.config) as unknown,
      backend: row.backend,
      epochLog: JSON.parse(row.epoch_log) as EpochLogEntry[],
      createdAt: row.created_at,
      deletedAt: row.deleted_at,
      files: files
        .filter((f) => f.model_version_id === row.id)
        .map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })),
      trainedOn: trainedOn
        .filter((t) => t.model_version_id === row.id)
        .map((t): TrainingMask => ({ imageKey: t.key, revisionId: t.revision_id })),
    }));
  });
}
