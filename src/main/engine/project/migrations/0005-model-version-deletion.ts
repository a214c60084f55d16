/**
 * Schema 5: deleting a model version. Its weights (the bulk of a project) and cached
 * predictions go, but its row stays with `deleted_at` set: the versions trained from it still
 * name their parent, and its evaluations still say which model and data they measured.
 */
import type { Migration } from './types';

export const migration0005: Migration = {
  version: 5,
  name: 'model-version-deletion',
  async up(db) {
    await db.exec('ALTER TABLE model_versions ADD COLUMN deleted_at TEXT');
  },
};
