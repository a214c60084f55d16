/**
 * Schema 3: what makes reopening a project feel like coming back to it. View settings (one row
 * per key of the typed list in view-settings.ts) and a cache of predicted probabilities per
 * model version and image, so the canvas does not rerun inference on every open.
 */
import type { Migration } from './types';

export const migration0003: Migration = {
  version: 3,
  name: 'view-settings-prediction-cache',
  async up(db) {
    await db.exec(`
      CREATE TABLE view_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      -- options_key tells apart predictions of one model made with other inference options.
      CREATE TABLE prediction_cache (
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        image_id INTEGER NOT NULL REFERENCES images(id),
        options_key TEXT NOT NULL,
        encoding TEXT NOT NULL CHECK (encoding IN ('f32-deflate')),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (model_version_id, image_id, options_key)
      ) STRICT;
    `);
  },
};
