/**
 * A Vessel Studio project: one SQLite file (`*.vessel`) holding the dataset's image list, every
 * mask correction, model version, run, evaluation, the view settings and a prediction cache.
 *
 * Open it with `createProject` / `openProject` (open.ts). One process writes (it holds the project's
 * lock); others may open it read-only. Every write is one transaction, in WAL mode with
 * synchronous=FULL, so what a call acknowledged survives a killed process and a power cut.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { AppError } from '../../../shared/result';
import { listBackups, rollingBackupPath, writeBackup } from './backups';
import {
  hashFile,
  listFilesRecursively,
  relativeToRoot,
  resolveUnderRoot,
  sha256Hex,
} from './files';
import { corruptError, isCorruption } from './errors';
import type { ProjectLock } from './lock';
import {
  decodeStoredMask,
  encodeRleDeflate,
  encodePngMask,
  pngSize,
  type BinaryMask,
  type MaskEncoding,
} from './mask-codec';
import { readSchemaVersion } from './schema';
import { asBlob, type SqliteDatabase, type SqlValue } from './sqlite';
import {
  IMAGE_FILE_ROLES,
  PROJECT_ERROR_CODES as CODES,
  type CachedPrediction,
  type EpochLogEntry,
  type Evaluation,
  type EvaluationInput,
  type ImageFileRecord,
  type ImageFileRole,
  type ImageInput,
  type MaskInput,
  type MaskRevision,
  type ModelVersion,
  type ModelVersionInput,
  type ProjectImage,
  type ProjectInfo,
  type RelocationReport,
  type Run,
  type RunKind,
  type RunStatus,
  type TrainingMask,
} from './types';
import {
  defaultViewSettings,
  viewSettingKeys,
  viewSettingSchemas,
  viewSettingsUpdateSchema,
  type ViewSettings,
} from './view-settings';

const DEFAULT_BACKUP_INTERVAL_MS = 10 * 60 * 1000;

export interface OpenProjectOptions {
  /** Open without the lock and without writing anything (also for a project open elsewhere). */
  readOnly?: boolean;
  /** Recorded in the file as the writer's version. */
  appVersion?: string;
  /**
   * On close, a rolling backup (`<file>.bak`) is written when this session wrote something and
   * the last backup is older than this. 0 backs up on every close that follows a write.
   */
  backupIntervalMs?: number;
}

export interface CreateProjectOptions extends Omit<OpenProjectOptions, 'readOnly'> {
  /** The dataset folder; image paths are stored relative to it. */
  datasetRoot: string;
  images?: ImageInput[];
}

interface MaskRevisionRow {
  id: number;
  image_key: string;
  parent_id: number | null;
  created_at: string;
  note: string;
  encoding: MaskEncoding;
  width: number;
  height: number;
  byte_length: number;
  sha256: string;
}

interface RunRow {
  id: number;
  kind: RunKind;
  status: RunStatus;
  config: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error_code: string | null;
  error_message: string | null;
}

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

interface EvaluationRow {
  id: number;
  name: string;
  model_version_id: number | null;
  run_id: number | null;
  protocol: string;
  pooled: string;
  roc_fpr: Buffer | null;
  roc_tpr: Buffer | null;
  roc_thresholds: Buffer | null;
  pr_recall: Buffer | null;
  pr_precision: Buffer | null;
  pr_thresholds: Buffer | null;
  created_at: string;
}

const REVISION_COLUMNS = `r.id, i.key AS image_key, r.parent_id, r.created_at, r.note, r.encoding, r.width, r.height,
  length(r.bytes) AS byte_length, r.sha256`;

function now(): string {
  return new Date().toISOString();
}

function toRevision(row: MaskRevisionRow): MaskRevision {
  return {
    id: row.id,
    imageKey: row.image_key,
    parentId: row.parent_id,
    createdAt: row.created_at,
    note: row.note,
    encoding: row.encoding,
    width: row.width,
    height: row.height,
    byteLength: row.byte_length,
    sha256: row.sha256,
  };
}

function toRun(row: RunRow): Run {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    config: JSON.parse(row.config) as unknown,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error:
      row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
  };
}

/** A Float32 blob of a curve's values (null stays null). */
function floatBlob(values: ArrayLike<number> | undefined): Buffer | null {
  if (values === undefined) return null;
  return asBlob(Float32Array.from(values));
}

/** Copies a blob into its own Float32Array (a Buffer's offset need not be 4-aligned). */
function floatsOf(blob: Buffer | null): Float32Array | null {
  if (blob === null) return null;
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}

function jsonText(value: unknown, what: string): string {
  const text = JSON.stringify(value ?? null);
  if (text === undefined) throw new AppError(CODES.BAD_INPUT, `${what} cannot be stored as JSON.`);
  return text;
}

async function metaValue(db: SqliteDatabase, key: string): Promise<string | null> {
  const row = await db.get<{ value: string }>('SELECT value FROM project_meta WHERE key = ?', [
    key,
  ]);
  return row?.value ?? null;
}

/** One open project. Get one from createProject or openProject; close it when done. */
export class Project {
  private dirty = false;

  private constructor(
    /** The project file, absolute. */
    readonly file: string,
    private readonly db: SqliteDatabase,
    private readonly lock: ProjectLock | null,
    private readonly options: OpenProjectOptions,
  ) {}

  /** @internal Used by createProject/openProject. */
  static attach(
    file: string,
    db: SqliteDatabase,
    lock: ProjectLock | null,
    options: OpenProjectOptions,
  ): Project {
    return new Project(file, db, lock, options);
  }

  /** True when opened read-only: every write refuses with PROJECT_READ_ONLY. */
  get readOnly(): boolean {
    return this.lock === null;
  }

  get isClosed(): boolean {
    return this.db.isClosed;
  }

  /** Runs a read, turning SQLite's corruption errors into PROJECT_CORRUPT. */
  private async read<T>(work: (db: SqliteDatabase) => Promise<T>): Promise<T> {
    if (this.db.isClosed)
      throw new AppError(CODES.CLOSED, `The project ${this.file} is closed; open it again.`);
    return this.translateCorruption(() => this.db.serialized(() => work(this.db)));
  }

  private async translateCorruption<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isCorruption(error)) throw corruptError(this.file, await listBackups(this.file), error);
      throw error;
    }
  }

  /** Runs one write transaction (every write goes through here). */
  private async write<T>(work: (db: SqliteDatabase) => Promise<T>): Promise<T> {
    if (this.readOnly) {
      throw new AppError(
        CODES.READ_ONLY,
        `The project ${this.file} is open read-only (another process has it open); close it there to edit.`,
      );
    }
    if (this.db.isClosed) {
      throw new AppError(CODES.CLOSED, `The project ${this.file} is closed; open it again.`);
    }
    const result = await this.translateCorruption(() => this.db.transaction(work));
    this.dirty = true;
    return result;
  }

  // ---------------------------------------------------------------- lifecycle and facts

  /**
   * Closes the project: writes the rolling backup when due, closes the file (SQLite
   * checkpoints the WAL into it) and drops the lock. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.db.isClosed) return;
    try {
      if (!this.readOnly) {
        await this.db.transaction((db) => db.run('DELETE FROM lock_owner'));
        if (this.dirty) await this.backupIfDue();
      }
    } finally {
      await this.db.close();
      await this.lock?.release();
    }
  }

  private async backupIfDue(): Promise<void> {
    const interval = this.options.backupIntervalMs ?? DEFAULT_BACKUP_INTERVAL_MS;
    const target = rollingBackupPath(this.file);
    const stat = await fs.stat(target).catch(() => null);
    if (stat && Date.now() - stat.mtimeMs < interval) return;
    await writeBackup(this.db, target);
  }

  /** Writes a consistent copy of the project to `target` (default: the rolling `<file>.bak`). */
  async backup(target = rollingBackupPath(this.file)): Promise<string> {
    return this.read((db) => writeBackup(db, target));
  }

  /** Runs SQLite's full integrity check; returns its messages (['ok'] when sound). */
  async integrityCheck(): Promise<string[]> {
    const rows = await this.read((db) =>
      db.all<{ integrity_check: string }>('PRAGMA integrity_check'),
    );
    return rows.map((r) => r.integrity_check);
  }

  /** The dataset folder image paths are relative to (absolute). */
  async datasetRoot(): Promise<string> {
    return (await this.read((db) => metaValue(db, 'dataset_root'))) ?? '';
  }

  /** Counts of everything the project holds, for `project info` and the UI. */
  async info(): Promise<ProjectInfo> {
    return this.read(async (db) => {
      const count = async (sql: string): Promise<number> =>
        (await db.get<{ n: number }>(sql))?.n ?? 0;
      const runs: Record<RunStatus, number> = {
        queued: 0,
        running: 0,
        finished: 0,
        cancelled: 0,
        failed: 0,
      };
      for (const row of await db.all<{ status: RunStatus; n: number }>(
        'SELECT status, count(*) AS n FROM runs GROUP BY status',
      )) {
        runs[row.status] = row.n;
      }
      const stat = await fs.stat(this.file).catch(() => null);
      return {
        file: this.file,
        readOnly: this.readOnly,
        schemaVersion: await readSchemaVersion(db),
        createdAt: await metaValue(db, 'created_at'),
        appVersion: await metaValue(db, 'app_version'),
        datasetRoot: (await metaValue(db, 'dataset_root')) ?? '',
        images: await count('SELECT count(*) AS n FROM images'),
        maskRevisions: await count('SELECT count(*) AS n FROM mask_revisions'),
        correctedImages: await count('SELECT count(DISTINCT image_id) AS n FROM mask_revisions'),
        modelVersions: await count(
          'SELECT count(*) AS n FROM model_versions WHERE deleted_at IS NULL',
        ),
        runs,
        evaluations: await count('SELECT count(*) AS n FROM evaluations'),
        cachedPredictions: await count('SELECT count(*) AS n FROM prediction_cache'),
        fileBytes: stat?.size ?? 0,
      };
    });
  }

  // ---------------------------------------------------------------- images

  /**
   * Adds images (reading each file for its size and SHA-256). Keys already present are
   * refused: an image's files are facts of the dataset, not something to overwrite.
   */
  async addImages(inputs: ImageInput[]): Promise<void> {
    const root = await this.datasetRoot();
    const prepared: { input: ImageInput; files: ImageFileRecord[] }[] = [];
    for (const input of inputs) {
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
      prepared.push({ input, files });
    }
    await this.write(async (db) => {
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

  /** Every image with its files, in key order. */
  async listImages(): Promise<ProjectImage[]> {
    return this.read(async (db) => {
      const images = await db.all<{
        id: number;
        key: string;
        split: string;
        name: string;
        width: number | null;
        height: number | null;
      }>('SELECT id, key, split, name, width, height FROM images ORDER BY key');
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
  async imageFilePath(imageKey: string, role: ImageFileRole = 'image'): Promise<string> {
    const row = await this.read((db) =>
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
    return resolveUnderRoot(await this.datasetRoot(), row.rel_path);
  }

  /** Image files missing (or of another size) under the current root: non-empty means relocate. */
  async missingImageFiles(): Promise<{ imageKey: string; role: ImageFileRole; relPath: string }[]> {
    const root = await this.datasetRoot();
    const missing: { imageKey: string; role: ImageFileRole; relPath: string }[] = [];
    for (const image of await this.listImages()) {
      for (const f of image.files) {
        const stat = await fs.stat(resolveUnderRoot(root, f.relPath)).catch(() => null);
        if (!stat || stat.size !== f.size)
          missing.push({ imageKey: image.key, role: f.role, relPath: f.relPath });
      }
    }
    return missing;
  }

  /**
   * Finds the images again under `folder` (their dataset moved): files are matched by size and
   * SHA-256, so renamed subfolders still match. Where one content appears more than once
   * (identical FOV masks), the path sharing the longest tail with the old path wins.
   * The folder becomes the new dataset root; files not found are reported and keep their path.
   */
  async relocate(folder: string): Promise<RelocationReport> {
    const root = path.resolve(folder);
    const stat = await fs.stat(root).catch(() => null);
    if (!stat?.isDirectory())
      throw new AppError(
        CODES.BAD_INPUT,
        `${root} is not a folder; point to the moved dataset folder.`,
      );
    const wanted = await this.read((db) =>
      db.all<{
        image_id: number;
        key: string;
        role: ImageFileRole;
        rel_path: string;
        size: number;
        sha256: string;
      }>(
        'SELECT f.image_id, i.key, f.role, f.rel_path, f.size, f.sha256 FROM image_files f JOIN images i ON i.id = f.image_id',
      ),
    );
    const sizes = new Set(wanted.map((w) => w.size));
    const byHash = new Map<string, string[]>();
    for (const rel of await listFilesRecursively(root)) {
      const fileStat = await fs.stat(resolveUnderRoot(root, rel)).catch(() => null);
      if (!fileStat || !sizes.has(fileStat.size)) continue;
      const { sha256 } = await hashFile(resolveUnderRoot(root, rel));
      byHash.set(sha256, [...(byHash.get(sha256) ?? []), rel]);
    }
    const sharedTail = (a: string, b: string): number => {
      const x = a.split('/').reverse();
      const y = b.split('/').reverse();
      let n = 0;
      while (n < x.length && n < y.length && x[n] === y[n]) n++;
      return n;
    };
    // A found file serves one old path: two images with identical files (DRIVE's FOV masks can
    // be) must not both take one copy, but images that shared one file keep sharing it.
    const taken = new Map<string, string>();
    const updates: { imageId: number; role: ImageFileRole; relPath: string }[] = [];
    const report: RelocationReport = { root, found: 0, moved: 0, missing: [] };
    for (const w of wanted) {
      const candidates = (byHash.get(w.sha256) ?? []).filter(
        (c) => (taken.get(c) ?? w.rel_path) === w.rel_path,
      );
      if (candidates.length === 0) {
        report.missing.push({ imageKey: w.key, role: w.role, relPath: w.rel_path });
        continue;
      }
      const best = candidates.reduce((a, b) =>
        sharedTail(b, w.rel_path) > sharedTail(a, w.rel_path) ? b : a,
      );
      taken.set(best, w.rel_path);
      report.found++;
      if (best !== w.rel_path) report.moved++;
      updates.push({ imageId: w.image_id, role: w.role, relPath: best });
    }
    if (report.found > 0) {
      await this.write(async (db) => {
        await db.run("UPDATE project_meta SET value = ? WHERE key = 'dataset_root'", [root]);
        for (const u of updates) {
          await db.run('UPDATE image_files SET rel_path = ? WHERE image_id = ? AND role = ?', [
            u.relPath,
            u.imageId,
            u.role,
          ]);
        }
      });
    }
    return report;
  }

  private async imageId(db: SqliteDatabase, imageKey: string): Promise<number> {
    const row = await db.get<{ id: number }>('SELECT id FROM images WHERE key = ?', [imageKey]);
    if (!row)
      throw new AppError(
        CODES.UNKNOWN_IMAGE,
        `The project has no image ${imageKey}; add it first.`,
      );
    return row.id;
  }

  // ---------------------------------------------------------------- mask revisions

  /**
   * Appends a correction of an image's mask. Its parent is the image's latest revision unless
   * given (editing on top of an older state); revisions are never changed afterwards.
   */
  async saveMaskRevision(
    imageKey: string,
    mask: MaskInput,
    options: { note?: string; parentId?: number | null } = {},
  ): Promise<MaskRevision> {
    let encoding: MaskEncoding;
    let bytes: Uint8Array;
    let width: number;
    let height: number;
    if (mask.kind === 'png') {
      ({ width, height } = pngSize(mask.bytes));
      encoding = 'png';
      bytes = mask.bytes;
    } else {
      if (!(
        mask.width > 0 &&
        mask.height > 0 &&
        Number.isInteger(mask.width) &&
        Number.isInteger(mask.height)
      )) {
        throw new AppError(
          CODES.BAD_MASK,
          `A mask needs a positive whole width and height, got ${mask.width}x${mask.height}.`,
        );
      }
      ({ width, height } = mask);
      encoding = 'rle-deflate';
      bytes = encodeRleDeflate(mask);
    }
    const sha256 = sha256Hex(bytes);
    const note = options.note ?? '';
    return this.write(async (db) => {
      const imageId = await this.imageId(db, imageKey);
      let parentId: number | null;
      if (options.parentId === undefined) {
        const head = await db.get<{ id: number }>(
          'SELECT max(id) AS id FROM mask_revisions WHERE image_id = ?',
          [imageId],
        );
        parentId = head?.id ?? null;
      } else {
        parentId = options.parentId;
        if (parentId !== null) {
          const parent = await db.get(
            'SELECT id FROM mask_revisions WHERE id = ? AND image_id = ?',
            [parentId, imageId],
          );
          if (!parent)
            throw new AppError(
              CODES.UNKNOWN_REVISION,
              `Revision ${parentId} is not a revision of image ${imageKey}.`,
            );
        }
      }
      const createdAt = now();
      const { lastId } = await db.run(
        `INSERT INTO mask_revisions (image_id, parent_id, created_at, note, encoding, width, height, bytes, sha256)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [imageId, parentId, createdAt, note, encoding, width, height, asBlob(bytes), sha256],
      );
      return {
        id: lastId,
        imageKey,
        parentId,
        createdAt,
        note,
        encoding,
        width,
        height,
        byteLength: bytes.byteLength,
        sha256,
      };
    });
  }

  /** Revisions of one image (or all images), oldest first. */
  async listMaskRevisions(imageKey?: string): Promise<MaskRevision[]> {
    const rows = await this.read((db) =>
      imageKey === undefined
        ? db.all<MaskRevisionRow>(
            `SELECT ${REVISION_COLUMNS} FROM mask_revisions r JOIN images i ON i.id = r.image_id ORDER BY r.id`,
          )
        : db.all<MaskRevisionRow>(
            `SELECT ${REVISION_COLUMNS} FROM mask_revisions r JOIN images i ON i.id = r.image_id WHERE i.key = ? ORDER BY r.id`,
            [imageKey],
          ),
    );
    return rows.map(toRevision);
  }

  /** The latest revision of every corrected image: the current corrected masks. */
  async latestMaskRevisions(): Promise<MaskRevision[]> {
    const rows = await this.read((db) =>
      db.all<MaskRevisionRow>(
        `SELECT ${REVISION_COLUMNS} FROM mask_revisions r JOIN images i ON i.id = r.image_id
         WHERE r.id IN (SELECT max(id) FROM mask_revisions GROUP BY image_id) ORDER BY i.key`,
      ),
    );
    return rows.map(toRevision);
  }

  /**
   * The labels a training run on these images uses now: each image's latest revision, or null
   * where it was never corrected (its original label file). Pass the result as `trainedOn`.
   */
  async currentTrainingMasks(imageKeys: string[]): Promise<TrainingMask[]> {
    const latest = new Map((await this.latestMaskRevisions()).map((r) => [r.imageKey, r.id]));
    const known = new Set((await this.listImages()).map((i) => i.key));
    return imageKeys.map((imageKey) => {
      if (!known.has(imageKey)) {
        throw new AppError(CODES.UNKNOWN_IMAGE, `The project has no image ${imageKey}.`);
      }
      return { imageKey, revisionId: latest.get(imageKey) ?? null };
    });
  }

  /** One revision's record and its stored bytes (PNG or deflated run lengths, see `encoding`). */
  async maskRevisionBytes(id: number): Promise<{ revision: MaskRevision; bytes: Uint8Array }> {
    const row = await this.read((db) =>
      db.get<MaskRevisionRow & { bytes: Buffer }>(
        `SELECT ${REVISION_COLUMNS}, r.bytes FROM mask_revisions r JOIN images i ON i.id = r.image_id WHERE r.id = ?`,
        [id],
      ),
    );
    if (!row) throw new AppError(CODES.UNKNOWN_REVISION, `The project has no mask revision ${id}.`);
    return {
      revision: toRevision(row),
      bytes: new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength),
    };
  }

  /** One revision decoded to a 0/1 mask. */
  async loadMaskRevision(id: number): Promise<{ revision: MaskRevision; mask: BinaryMask }> {
    const { revision, bytes } = await this.maskRevisionBytes(id);
    return {
      revision,
      mask: await decodeStoredMask(revision.encoding, bytes, revision.width, revision.height),
    };
  }

  /** One revision as PNG bytes (0/255 grey), encoding it when it is stored as run lengths. */
  async maskRevisionPng(id: number): Promise<Uint8Array> {
    const { revision, bytes } = await this.maskRevisionBytes(id);
    if (revision.encoding === 'png') return bytes;
    return encodePngMask(
      await decodeStoredMask(revision.encoding, bytes, revision.width, revision.height),
    );
  }

  /** Makes an earlier state current again by appending a copy of it (history stays intact). */
  async restoreMaskRevision(id: number, note?: string): Promise<MaskRevision> {
    return this.write(async (db) => {
      const old = await db.get<{
        image_id: number;
        key: string;
        encoding: MaskEncoding;
        width: number;
        height: number;
        sha256: string;
      }>(
        'SELECT r.image_id, i.key, r.encoding, r.width, r.height, r.sha256 FROM mask_revisions r JOIN images i ON i.id = r.image_id WHERE r.id = ?',
        [id],
      );
      if (!old)
        throw new AppError(
          CODES.UNKNOWN_REVISION,
          `The project has no mask revision ${id} to restore.`,
        );
      const createdAt = now();
      const text = note ?? `restored revision ${id}`;
      const { lastId } = await db.run(
        `INSERT INTO mask_revisions (image_id, parent_id, created_at, note, encoding, width, height, bytes, sha256)
         SELECT image_id, id, ?, ?, encoding, width, height, bytes, sha256 FROM mask_revisions WHERE id = ?`,
        [createdAt, text, id],
      );
      const size = await db.get<{ n: number }>(
        'SELECT length(bytes) AS n FROM mask_revisions WHERE id = ?',
        [lastId],
      );
      return {
        id: lastId,
        imageKey: old.key,
        parentId: id,
        createdAt,
        note: text,
        encoding: old.encoding,
        width: old.width,
        height: old.height,
        byteLength: size?.n ?? 0,
        sha256: old.sha256,
      };
    });
  }

  // ---------------------------------------------------------------- runs

  /** Records a new run in state `queued`. */
  async createRun(input: { kind: RunKind; config: unknown }): Promise<Run> {
    const config = jsonText(input.config, 'The run config');
    const id = await this.write(async (db) => {
      const { lastId } = await db.run(
        "INSERT INTO runs (kind, status, config, created_at) VALUES (?, 'queued', ?, ?)",
        [input.kind, config, now()],
      );
      return lastId;
    });
    return this.getRun(id);
  }

  async getRun(id: number): Promise<Run> {
    const row = await this.read((db) => db.get<RunRow>('SELECT * FROM runs WHERE id = ?', [id]));
    if (!row) throw new AppError(CODES.UNKNOWN_RUN, `The project has no run ${id}.`);
    return toRun(row);
  }

  /** Every run, newest first. */
  async listRuns(): Promise<Run[]> {
    const rows = await this.read((db) => db.all<RunRow>('SELECT * FROM runs ORDER BY id DESC'));
    return rows.map(toRun);
  }

  private async moveRun(
    id: number,
    from: RunStatus[],
    to: RunStatus,
    extra: { column: 'started_at' | 'finished_at'; error?: { code: string; message: string } },
  ): Promise<Run> {
    await this.write(async (db) => {
      const row = await db.get<{ status: RunStatus }>('SELECT status FROM runs WHERE id = ?', [id]);
      if (!row) throw new AppError(CODES.UNKNOWN_RUN, `The project has no run ${id}.`);
      if (!from.includes(row.status)) {
        throw new AppError(
          CODES.BAD_RUN_STATE,
          `Run ${id} is ${row.status}; it can become ${to} only from ${from.join(' or ')}.`,
        );
      }
      const params: SqlValue[] = [to, now()];
      let sql = `UPDATE runs SET status = ?, ${extra.column} = ?`;
      if (extra.error) {
        sql += ', error_code = ?, error_message = ?';
        params.push(extra.error.code, extra.error.message);
      }
      await db.run(`${sql} WHERE id = ?`, [...params, id]);
    });
    return this.getRun(id);
  }

  /** queued -> running. */
  startRun(id: number): Promise<Run> {
    return this.moveRun(id, ['queued'], 'running', { column: 'started_at' });
  }
  /** running -> finished. */
  finishRun(id: number): Promise<Run> {
    return this.moveRun(id, ['running'], 'finished', { column: 'finished_at' });
  }
  /** queued or running -> cancelled. */
  cancelRun(id: number): Promise<Run> {
    return this.moveRun(id, ['queued', 'running'], 'cancelled', { column: 'finished_at' });
  }
  /** queued or running -> failed, keeping the error's code and message. */
  failRun(id: number, error: { code: string; message: string }): Promise<Run> {
    return this.moveRun(id, ['queued', 'running'], 'failed', { column: 'finished_at', error });
  }

  // ---------------------------------------------------------------- model versions

  /**
   * Stores a model version with the files of its tfjs model folder. model.json must parse and
   * every weight file its manifest names must be among the files, so a stored version can
   * always be loaded again.
   */
  async addModelVersion(input: ModelVersionInput): Promise<ModelVersion> {
    checkModelFiles(input.name, input.files);
    const config = jsonText(input.config, 'The model config');
    const epochLog = jsonText(input.epochLog ?? [], 'The epoch log');
    const id = await this.write(async (db) => {
      if (
        input.parentId != null &&
        !(await db.get('SELECT id FROM model_versions WHERE id = ?', [input.parentId]))
      ) {
        throw new AppError(
          CODES.UNKNOWN_MODEL,
          `The parent model version ${input.parentId} is not in the project.`,
        );
      }
      if (
        input.runId != null &&
        !(await db.get('SELECT id FROM runs WHERE id = ?', [input.runId]))
      ) {
        throw new AppError(CODES.UNKNOWN_RUN, `The project has no run ${input.runId}.`);
      }
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
      for (const [name, bytes] of Object.entries(input.files)) {
        await db.run(
          'INSERT INTO model_files (model_version_id, name, size, sha256, bytes) VALUES (?, ?, ?, ?, ?)',
          [lastId, name, bytes.byteLength, sha256Hex(bytes), asBlob(bytes)],
        );
      }
      for (const t of input.trainedOn ?? []) {
        const imageId = await this.imageId(db, t.imageKey);
        if (t.revisionId !== null) {
          const ok = await db.get('SELECT id FROM mask_revisions WHERE id = ? AND image_id = ?', [
            t.revisionId,
            imageId,
          ]);
          if (!ok)
            throw new AppError(
              CODES.UNKNOWN_REVISION,
              `Revision ${t.revisionId} is not a revision of image ${t.imageKey}.`,
            );
        }
        await db.run(
          'INSERT INTO model_training_masks (model_version_id, image_id, revision_id) VALUES (?, ?, ?)',
          [lastId, imageId, t.revisionId],
        );
      }
      return lastId;
    });
    return this.getModelVersion(id);
  }

  /** Stores a model version from a tfjs model folder on disk (every file directly in it). */
  async addModelVersionFromDir(
    dir: string,
    input: Omit<ModelVersionInput, 'files'>,
  ): Promise<ModelVersion> {
    const files: Record<string, Uint8Array> = {};
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => {
      throw new AppError(
        CODES.BAD_MODEL,
        `The model folder ${dir} cannot be read; check the path.`,
      );
    });
    for (const entry of entries) {
      if (entry.isFile())
        files[entry.name] = new Uint8Array(await fs.readFile(path.join(dir, entry.name)));
    }
    return this.addModelVersion({ ...input, files });
  }

  async getModelVersion(id: number): Promise<ModelVersion> {
    const [version] = await this.loadModelVersions(id);
    if (!version)
      throw new AppError(CODES.UNKNOWN_MODEL, `The project has no model version ${id}.`);
    return version;
  }

  /** Model versions (without files' bytes), oldest first; deleted ones only when asked for. */
  async listModelVersions(options: { includeDeleted?: boolean } = {}): Promise<ModelVersion[]> {
    const all = await this.loadModelVersions(null);
    return options.includeDeleted ? all : all.filter((v) => v.deletedAt === null);
  }

  /** Renames a model version (names are for people; ids stay). */
  async renameModelVersion(id: number, name: string): Promise<ModelVersion> {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 200) {
      throw new AppError(CODES.BAD_INPUT, 'A model version name needs 1 to 200 characters.');
    }
    await this.write(async (db) => {
      const { changes } = await db.run('UPDATE model_versions SET name = ? WHERE id = ?', [
        trimmed,
        id,
      ]);
      if (changes === 0)
        throw new AppError(CODES.UNKNOWN_MODEL, `The project has no model version ${id}.`);
    });
    return this.getModelVersion(id);
  }

  /**
   * Deletes a model version's weights and cached predictions (the bulk of a project). Its record
   * stays, marked deleted, so children keep their parent and evaluations keep their model.
   */
  async deleteModelVersion(id: number): Promise<ModelVersion> {
    await this.write(async (db) => {
      const row = await db.get<{ deleted_at: string | null }>(
        'SELECT deleted_at FROM model_versions WHERE id = ?',
        [id],
      );
      if (!row) throw new AppError(CODES.UNKNOWN_MODEL, `The project has no model version ${id}.`);
      if (row.deleted_at !== null) return;
      await db.run('DELETE FROM model_files WHERE model_version_id = ?', [id]);
      await db.run('DELETE FROM prediction_cache WHERE model_version_id = ?', [id]);
      await db.run('UPDATE model_versions SET deleted_at = ? WHERE id = ?', [now(), id]);
    });
    return this.getModelVersion(id);
  }

  /** One version or all, in three queries whatever their number (opening lists them all). */
  private loadModelVersions(id: number | null): Promise<ModelVersion[]> {
    const where = id === null ? '' : 'WHERE model_version_id = ?';
    const params = id === null ? [] : [id];
    return this.read(async (db) => {
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

  /** The bytes of a model version's files by name (model.json, weight shards, ...). */
  async readModelFiles(id: number): Promise<Record<string, Uint8Array>> {
    const rows = await this.read((db) =>
      db.all<{ name: string; bytes: Buffer }>(
        'SELECT name, bytes FROM model_files WHERE model_version_id = ?',
        [id],
      ),
    );
    if (rows.length === 0) {
      const version = await this.getModelVersion(id);
      if (version.deletedAt !== null) {
        throw new AppError(
          CODES.MODEL_DELETED,
          `Model version ${id} ("${version.name}") was deleted on ${version.deletedAt}; its weights are gone.`,
        );
      }
    }
    return Object.fromEntries(
      rows.map((r) => [
        r.name,
        new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
      ]),
    );
  }

  /** Writes a model version as a tfjs model folder (loadable by tf.loadLayersModel / loadModelDir). */
  async writeModelDir(id: number, dir: string): Promise<string[]> {
    const files = await this.readModelFiles(id);
    await fs.mkdir(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(files))
      await fs.writeFile(path.join(dir, name), bytes);
    return Object.keys(files).sort();
  }

  // ---------------------------------------------------------------- evaluations

  /** Stores an evaluation: protocol, pooled and per-image metrics, ROC and PR points. */
  async addEvaluation(input: EvaluationInput): Promise<Evaluation> {
    for (const [label, a, b] of [
      ['ROC', input.roc?.fpr, input.roc?.tpr],
      ['PR', input.pr?.recall, input.pr?.precision],
    ] as const) {
      if (a !== undefined && b !== undefined && a.length !== b.length) {
        throw new AppError(
          CODES.BAD_INPUT,
          `The ${label} curve's two arrays differ in length (${a.length} vs ${b.length}).`,
        );
      }
    }
    const protocol = jsonText(input.protocol, 'The evaluation protocol');
    const pooled = jsonText(input.pooled, 'The pooled metrics');
    const id = await this.write(async (db) => {
      if (
        input.modelVersionId !== null &&
        !(await db.get('SELECT id FROM model_versions WHERE id = ?', [input.modelVersionId]))
      ) {
        throw new AppError(
          CODES.UNKNOWN_MODEL,
          `The project has no model version ${input.modelVersionId}.`,
        );
      }
      const { lastId } = await db.run(
        `INSERT INTO evaluations (model_version_id, run_id, name, protocol, pooled, roc_fpr, roc_tpr, roc_thresholds,
           pr_recall, pr_precision, pr_thresholds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          input.modelVersionId,
          input.runId ?? null,
          input.name ?? '',
          protocol,
          pooled,
          floatBlob(input.roc?.fpr),
          floatBlob(input.roc?.tpr),
          floatBlob(input.roc?.thresholds),
          floatBlob(input.pr?.recall),
          floatBlob(input.pr?.precision),
          floatBlob(input.pr?.thresholds),
          now(),
        ],
      );
      for (const item of input.perImage ?? []) {
        await db.run(
          'INSERT INTO evaluation_images (evaluation_id, image_key, metrics) VALUES (?, ?, ?)',
          [lastId, item.imageKey, jsonText(item.metrics, `The metrics of ${item.imageKey}`)],
        );
      }
      return lastId;
    });
    return this.getEvaluation(id);
  }

  async getEvaluation(id: number): Promise<Evaluation> {
    return this.read(async (db) => {
      const row = await db.get<EvaluationRow>('SELECT * FROM evaluations WHERE id = ?', [id]);
      if (!row)
        throw new AppError(CODES.UNKNOWN_EVALUATION, `The project has no evaluation ${id}.`);
      const perImage = await db.all<{ image_key: string; metrics: string }>(
        'SELECT image_key, metrics FROM evaluation_images WHERE evaluation_id = ? ORDER BY image_key',
        [id],
      );
      const fpr = floatsOf(row.roc_fpr);
      const tpr = floatsOf(row.roc_tpr);
      const recall = floatsOf(row.pr_recall);
      const precision = floatsOf(row.pr_precision);
      return {
        id: row.id,
        name: row.name,
        modelVersionId: row.model_version_id,
        runId: row.run_id,
        protocol: JSON.parse(row.protocol) as unknown,
        pooled: JSON.parse(row.pooled) as Record<string, unknown>,
        perImage: perImage.map((p) => ({
          imageKey: p.image_key,
          metrics: JSON.parse(p.metrics) as Record<string, unknown>,
        })),
        roc: fpr && tpr ? { fpr, tpr, thresholds: floatsOf(row.roc_thresholds) } : null,
        pr:
          recall && precision
            ? { recall, precision, thresholds: floatsOf(row.pr_thresholds) }
            : null,
        createdAt: row.created_at,
      };
    });
  }

  /** Evaluations (of one model version, or all), oldest first. */
  async listEvaluations(modelVersionId?: number): Promise<Evaluation[]> {
    const ids = await this.read((db) =>
      modelVersionId === undefined
        ? db.all<{ id: number }>('SELECT id FROM evaluations ORDER BY id')
        : db.all<{ id: number }>(
            'SELECT id FROM evaluations WHERE model_version_id = ? ORDER BY id',
            [modelVersionId],
          ),
    );
    const out: Evaluation[] = [];
    for (const { id } of ids) out.push(await this.getEvaluation(id));
    return out;
  }

  // ---------------------------------------------------------------- view settings

  /** The saved view settings; keys never saved (or saved in a shape no longer valid) get defaults. */
  async getViewSettings(): Promise<ViewSettings> {
    const rows = await this.read((db) =>
      db.all<{ key: string; value: string }>('SELECT key, value FROM view_settings'),
    );
    const settings: Record<string, unknown> = { ...defaultViewSettings };
    for (const row of rows) {
      if (!(viewSettingKeys as string[]).includes(row.key)) continue;
      const parsed = viewSettingSchemas[row.key as keyof typeof viewSettingSchemas].safeParse(
        JSON.parse(row.value),
      );
      if (parsed.success) settings[row.key] = parsed.data;
    }
    return settings as ViewSettings;
  }

  /** Saves some view settings; refuses unknown keys and values outside their schema. */
  async updateViewSettings(update: Partial<ViewSettings>): Promise<ViewSettings> {
    const parsed = viewSettingsUpdateSchema.safeParse(update);
    if (!parsed.success) {
      throw new AppError(
        CODES.BAD_INPUT,
        `Invalid view settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        parsed.error.issues,
      );
    }
    await this.write(async (db) => {
      const at = now();
      for (const [key, value] of Object.entries(parsed.data)) {
        await db.run(
          'INSERT INTO view_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
          [key, JSON.stringify(value), at],
        );
      }
    });
    return this.getViewSettings();
  }

  // ---------------------------------------------------------------- prediction cache

  /**
   * Caches a model version's probabilities for an image (lossless: deflated Float32), replacing
   * an earlier entry for the same inference options.
   */
  async putPrediction(
    modelVersionId: number,
    imageKey: string,
    prediction: { width: number; height: number; probabilities: Float32Array },
    optionsKey = '',
  ): Promise<void> {
    const { width, height, probabilities } = prediction;
    if (probabilities.length !== width * height) {
      throw new AppError(
        CODES.BAD_INPUT,
        `The prediction has ${probabilities.length} values, expected ${width}x${height}.`,
      );
    }
    const bytes = deflateRawSync(asBlob(probabilities), { level: 1 });
    await this.write(async (db) => {
      const imageId = await this.imageId(db, imageKey);
      const model = await db.get<{ deleted_at: string | null }>(
        'SELECT deleted_at FROM model_versions WHERE id = ?',
        [modelVersionId],
      );
      if (!model || model.deleted_at !== null) {
        throw new AppError(
          model ? CODES.MODEL_DELETED : CODES.UNKNOWN_MODEL,
          `Model version ${modelVersionId} is ${model ? 'deleted' : 'not in the project'}; predictions are cached only for live versions.`,
        );
      }
      await db.run(
        `INSERT OR REPLACE INTO prediction_cache (model_version_id, image_id, options_key, encoding, width, height, bytes, created_at)
         VALUES (?, ?, ?, 'f32-deflate', ?, ?, ?, ?)`,
        [modelVersionId, imageId, optionsKey, width, height, bytes, now()],
      );
    });
  }

  /** A cached prediction, or undefined when there is none. */
  async getPrediction(
    modelVersionId: number,
    imageKey: string,
    optionsKey = '',
  ): Promise<CachedPrediction | undefined> {
    const row = await this.read((db) =>
      db.get<{ width: number; height: number; bytes: Buffer; created_at: string }>(
        `SELECT p.width, p.height, p.bytes, p.created_at FROM prediction_cache p JOIN images i ON i.id = p.image_id
         WHERE p.model_version_id = ? AND i.key = ? AND p.options_key = ?`,
        [modelVersionId, imageKey, optionsKey],
      ),
    );
    if (!row) return undefined;
    const raw = inflateRawSync(row.bytes);
    const probabilities = new Float32Array(raw.byteLength / 4);
    new Uint8Array(probabilities.buffer).set(raw);
    return { width: row.width, height: row.height, probabilities, createdAt: row.created_at };
  }

  /** Drops cached predictions (of one model version, or all); they can always be recomputed. */
  async clearPredictions(modelVersionId?: number): Promise<number> {
    return this.write(async (db) => {
      const { changes } =
        modelVersionId === undefined
          ? await db.run('DELETE FROM prediction_cache')
          : await db.run('DELETE FROM prediction_cache WHERE model_version_id = ?', [
              modelVersionId,
            ]);
      return changes;
    });
  }
}

/** Refuses a model folder that could not be loaded again. */
function checkModelFiles(name: string, files: Record<string, Uint8Array>): void {
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
