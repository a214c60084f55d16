/** The schema's steps, in order. Add a step as a new file and one entry here; never edit a shipped one. */
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-models-runs-evaluations';
import { migration0003 } from './0003-view-settings-prediction-cache';
import { migration0004 } from './0004-blob-columns-last';
import { migration0005 } from './0005-model-version-deletion';
import { migration0006 } from './0006-compact-prediction-cache';
import { migration0007 } from './0007-prediction-scale';
import type { Migration } from './types';

export type { Migration } from './types';

export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
];

/** The schema version this build writes. */
export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1].version;
