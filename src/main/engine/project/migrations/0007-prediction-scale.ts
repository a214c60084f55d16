/**
 * Schema 7: the scale each cached prediction was made at. Scale-aware inference resamples an
 * image so that its FOV diameter matches the model's training images (compute/rescale.ts); the
 * factor used (network pixels per image pixel, 1 = the image's own size) and the FOV diameter
 * it matched are kept beside the map so the studio can say how the prediction was made. Rows
 * cached before this step have neither: both stay null (unknown), never guessed. The table is
 * rebuilt so that the PNG bytes stay the last column (see 0004); nothing references it, so copy,
 * drop, rename is safe in the step's transaction.
 */
import type { Migration } from './types';

export const migration0007: Migration = {
  version: 7,
  name: 'prediction-scale',
  async up(db) {
    await db.exec(`
      CREATE TABLE prediction_cache_v7 (
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        image_id INTEGER NOT NULL REFERENCES images(id),
        options_key TEXT NOT NULL,
        encoding TEXT NOT NULL CHECK (encoding IN ('u8-png')),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        scale_factor REAL CHECK (scale_factor IS NULL OR scale_factor > 0),
        fov_diameter REAL CHECK (fov_diameter IS NULL OR fov_diameter >= 0),
        bytes BLOB NOT NULL,
        PRIMARY KEY (model_version_id, image_id, options_key)
      ) STRICT;
      INSERT INTO prediction_cache_v7
        (model_version_id, image_id, options_key, encoding, width, height, created_at, bytes)
        SELECT model_version_id, image_id, options_key, encoding, width, height, created_at, bytes
        FROM prediction_cache;
      DROP TABLE prediction_cache;
      ALTER TABLE prediction_cache_v7 RENAME TO prediction_cache;
    `);
  },
};
