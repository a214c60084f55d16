/**
 * Schema 4: blobs last in their rows. SQLite stores a row's bytes in order and spills what does
 * not fit the page into a chain of overflow pages; a column after a 5 MB weights blob can only
 * be reached by walking that whole chain, so listing 50 model versions (their sha256) read every
 * byte of their weights (~370 ms). model_files and prediction_cache are rebuilt with the blob
 * as the last column and its size in a column of its own. Neither table is referenced by a
 * foreign key or has triggers, so copy, drop, rename is safe inside the step's transaction.
 */
import type { Migration } from './types';

export const migration0004: Migration = {
  version: 4,
  name: 'blob-columns-last',
  async up(db) {
    await db.exec(`
      CREATE TABLE model_files_v4 (
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (model_version_id, name)
      ) STRICT;
      INSERT INTO model_files_v4 (model_version_id, name, size, sha256, bytes)
        SELECT model_version_id, name, length(bytes), sha256, bytes FROM model_files;
      DROP TABLE model_files;
      ALTER TABLE model_files_v4 RENAME TO model_files;

      CREATE TABLE prediction_cache_v4 (
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        image_id INTEGER NOT NULL REFERENCES images(id),
        options_key TEXT NOT NULL,
        encoding TEXT NOT NULL CHECK (encoding IN ('f32-deflate')),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (model_version_id, image_id, options_key)
      ) STRICT;
      INSERT INTO prediction_cache_v4
          (model_version_id, image_id, options_key, encoding, width, height, created_at, bytes)
        SELECT model_version_id, image_id, options_key, encoding, width, height, created_at, bytes
        FROM prediction_cache;
      DROP TABLE prediction_cache;
      ALTER TABLE prediction_cache_v4 RENAME TO prediction_cache;
    `);
  },
};
