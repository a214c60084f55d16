/**
 * Schema 1: what a project is about. The dataset root and every image file with its path
 * relative to that root, size and SHA-256 (so a moved folder can be found again by content),
 * the mask corrections as append-only revisions, and the owner row that tells a second process
 * who holds the project open.
 */
import type { Migration } from './types';

export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  async up(db) {
    await db.exec(`
      CREATE TABLE project_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        split TEXT NOT NULL,
        name TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        added_at TEXT NOT NULL
      ) STRICT;

      -- One row per file that belongs to an image; relocation matches them by sha256.
      CREATE TABLE image_files (
        image_id INTEGER NOT NULL REFERENCES images(id),
        role TEXT NOT NULL CHECK (role IN ('image', 'label-1st', 'label-2nd', 'fov')),
        rel_path TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (image_id, role)
      ) STRICT;
      CREATE INDEX image_files_by_sha256 ON image_files(sha256);

      -- Corrections are never changed or removed: restoring an old state appends a copy of it.
      CREATE TABLE mask_revisions (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images(id),
        parent_id INTEGER REFERENCES mask_revisions(id),
        created_at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        encoding TEXT NOT NULL CHECK (encoding IN ('png', 'rle-deflate')),
        width INTEGER NOT NULL CHECK (width > 0),
        height INTEGER NOT NULL CHECK (height > 0),
        bytes BLOB NOT NULL,
        sha256 TEXT NOT NULL
      ) STRICT;
      CREATE INDEX mask_revisions_by_image ON mask_revisions(image_id, id);
      CREATE TRIGGER mask_revisions_append_only_update BEFORE UPDATE ON mask_revisions
        BEGIN SELECT RAISE(ABORT, 'mask revisions are append-only'); END;
      CREATE TRIGGER mask_revisions_append_only_delete BEFORE DELETE ON mask_revisions
        BEGIN SELECT RAISE(ABORT, 'mask revisions are append-only'); END;

      -- The process holding the project open (the lock itself is an OS lock on <file>.lock).
      CREATE TABLE lock_owner (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        app_version TEXT NOT NULL
      ) STRICT;
    `);
  },
};
