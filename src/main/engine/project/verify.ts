/**
 * Checks every stored blob against its SHA-256. PRAGMA integrity_check reads SQLite's page
 * structure, not the bytes inside a blob, so bytes damaged on disk pass it and are only found
 * by hashing them again.
 */
import type { ProjectDatabase } from './database';
import { sha256Hex } from './files';
import { bytesOf } from './records';

/** One blob whose bytes are not what was stored. */
export interface DamagedBlob {
  kind: 'mask-revision' | 'model-file';
  /** The mask revision's image, or the model version's id and file name. */
  imageKey?: string;
  revisionId?: number;
  modelVersionId?: number;
  fileName?: string;
  problem: string;
}

/** Hashes every mask revision and model file one row at a time; returns the damaged ones. */
export async function verifyBlobs(database: ProjectDatabase): Promise<DamagedBlob[]> {
  const damaged: DamagedBlob[] = [];
  const check = async (
    blob: Omit<DamagedBlob, 'problem'>,
    sha256: string,
    read: () => Promise<Buffer | undefined>,
  ): Promise<void> => {
    try {
      const bytes = await read();
      if (!bytes || sha256Hex(bytesOf(bytes)) !== sha256)
        damaged.push({ ...blob, problem: 'its bytes do not match their SHA-256' });
    } catch (error) {
      // A damaged page under one blob must not hide the others: report it and go on.
      damaged.push({ ...blob, problem: (error as Error).message });
    }
  };
  const revisions = await database.read((db) =>
    db.all<{ id: number; image_key: string; sha256: string }>(
      'SELECT r.id, i.key AS image_key, r.sha256 FROM mask_revisions r JOIN images i ON i.id = r.image_id ORDER BY r.id',
    ),
  );
  for (const r of revisions) {
    await check({ kind: 'mask-revision', imageKey: r.image_key, revisionId: r.id }, r.sha256, () =>
      database.read(
        async (db) =>
          (await db.get<{ bytes: Buffer }>('SELECT bytes FROM mask_revisions WHERE id = ?', [r.id]))
            ?.bytes,
      ),
    );
  }
  const files = await database.read((db) =>
    db.all<{ model_version_id: number; name: string; sha256: string }>(
      'SELECT model_version_id, name, sha256 FROM model_files ORDER BY model_version_id, name',
    ),
  );
  for (const f of files) {
    await check(
      { kind: 'model-file', modelVersionId: f.model_version_id, fileName: f.name },
      f.sha256,
      () =>
        database.read(
          async (db) =>
            (
              await db.get<{ bytes: Buffer }>(
                'SELECT bytes FROM model_files WHERE model_version_id = ? AND name = ?',
                [f.model_version_id, f.name],
              )
            )?.bytes,
        ),
    );
  }
  return damaged;
}
