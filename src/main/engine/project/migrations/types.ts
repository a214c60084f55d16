import type { SqliteDatabase } from '../sqlite';

/** One step of the schema: `up` runs inside the runner's transaction and must not commit itself. */
export interface Migration {
  /** The PRAGMA user_version the file has after this step. */
  version: number;
  name: string;
  up(db: SqliteDatabase): Promise<void>;
}
