/**
 * Schema 2: results that must trace back to the data behind them. Runs with their state and
 * timing, model versions (config, tfjs model folder files, parent, backend, per-epoch log and
 * the mask revisions that trained them) and evaluations (protocol, pooled and per-image
 * metrics, ROC and PR points as Float32 blobs, which are 4x smaller than JSON numbers).
 */
import type { Migration } from './types';

export const migration0002: Migration = {
  version: 2,
  name: 'models-runs-evaluations',
  async up(db) {
    await db.exec(`
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('train', 'eval', 'predict')),
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'cancelled', 'failed')),
        config TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error_code TEXT,
        error_message TEXT
      ) STRICT;

      CREATE TABLE model_versions (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        parent_id INTEGER REFERENCES model_versions(id),
        run_id INTEGER REFERENCES runs(id),
        config TEXT NOT NULL,
        backend TEXT NOT NULL,
        epoch_log TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      -- The files of a tfjs model folder (model.json, weights .bin shards, vessel.json).
      CREATE TABLE model_files (
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        name TEXT NOT NULL,
        bytes BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (model_version_id, name)
      ) STRICT;

      -- Which labels trained a version: a revision, or NULL for the image's original label file.
      CREATE TABLE model_training_masks (
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        image_id INTEGER NOT NULL REFERENCES images(id),
        revision_id INTEGER REFERENCES mask_revisions(id),
        PRIMARY KEY (model_version_id, image_id)
      ) STRICT;

      CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY,
        model_version_id INTEGER REFERENCES model_versions(id),
        run_id INTEGER REFERENCES runs(id),
        name TEXT NOT NULL,
        protocol TEXT NOT NULL,
        pooled TEXT NOT NULL,
        roc_fpr BLOB,
        roc_tpr BLOB,
        roc_thresholds BLOB,
        pr_recall BLOB,
        pr_precision BLOB,
        pr_thresholds BLOB,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX evaluations_by_model ON evaluations(model_version_id);

      -- Keyed by the dataset's image id: an evaluation may cover images the project does not list.
      CREATE TABLE evaluation_images (
        evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
        image_key TEXT NOT NULL,
        metrics TEXT NOT NULL,
        PRIMARY KEY (evaluation_id, image_key)
      ) STRICT;
    `);
  },
};
