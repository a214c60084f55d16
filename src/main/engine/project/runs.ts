/**
 * Runs: each train, eval or predict job the project recorded, with its config and how it
 * ended. A run moves only along queued -> running -> finished / cancelled / failed; a run a
 * dead process left unfinished is failed by the next read-write open (open.ts).
 */
import { AppError } from '../../../shared/result';
import type { ProjectDatabase } from './database';
import { unknownRunError } from './errors';
import { jsonText, now } from './records';
import type { SqlValue } from './sqlite';
import { PROJECT_ERROR_CODES as CODES, type Run, type RunKind, type RunStatus } from './types';

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

/** The error a failed run keeps. */
type RunError = { code: string; message: string };

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

/** Records a new run in state `queued`. */
export async function createRun(
  database: ProjectDatabase,
  input: { kind: RunKind; config: unknown },
): Promise<Run> {
  const config = jsonText(input.config, 'The run config');
  const id = await database.write(async (db) => {
    const { lastId } = await db.run(
      "INSERT INTO runs (kind, status, config, created_at) VALUES (?, 'queued', ?, ?)",
      [input.kind, config, now()],
    );
    return lastId;
  });
  return getRun(database, id);
}

/** One run; PROJECT_UNKNOWN_RUN when there is none with this id. */
export async function getRun(database: ProjectDatabase, id: number): Promise<Run> {
  const row = await database.read((db) => db.get<RunRow>('SELECT * FROM runs WHERE id = ?', [id]));
  if (!row) throw unknownRunError(id);
  return toRun(row);
}

/** Every run, newest first. */
export async function listRuns(database: ProjectDatabase): Promise<Run[]> {
  const rows = await database.read((db) => db.all<RunRow>('SELECT * FROM runs ORDER BY id DESC'));
  return rows.map(toRun);
}

/** queued -> running. */
export function startRun(database: ProjectDatabase, id: number): Promise<Run> {
  return moveRun(database, id, ['queued'], 'running', { column: 'started_at' });
}

/** running -> finished. */
export function finishRun(database: ProjectDatabase, id: number): Promise<Run> {
  return moveRun(database, id, ['running'], 'finished', { column: 'finished_at' });
}

/** queued or running -> cancelled. */
export function cancelRun(database: ProjectDatabase, id: number): Promise<Run> {
  return moveRun(database, id, ['queued', 'running'], 'cancelled', { column: 'finished_at' });
}

/** queued or running -> failed, keeping the error's code and message. */
export function failRun(database: ProjectDatabase, id: number, error: RunError): Promise<Run> {
  return moveRun(database, id, ['queued', 'running'], 'failed', { column: 'finished_at', error });
}

/** Moves a run from one of `from` to `to`, stamping `column`; refuses any other move. */
async function moveRun(
  database: ProjectDatabase,
  id: number,
  from: RunStatus[],
  to: RunStatus,
  extra: { column: 'started_at' | 'finished_at'; error?: RunError },
): Promise<Run> {
  await database.write(async (db) => {
    const row = await db.get<{ status: RunStatus }>('SELECT status FROM runs WHERE id = ?', [id]);
    if (!row) throw unknownRunError(id);
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
  return getRun(database, id);
}
