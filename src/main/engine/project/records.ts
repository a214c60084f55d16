/** Small conversions every domain module of the project uses between records and SQLite rows. */
import { AppError } from '../../../shared/result';
import type { SqlValue } from './sqlite';
import { PROJECT_ERROR_CODES as CODES } from './types';

/** The time stamp stored with a record: ISO 8601 in UTC. */
export function now(): string {
  return new Date().toISOString();
}

/** `value` as JSON text for a TEXT column; refuses what JSON cannot hold (a function, ...). */
export function jsonText(value: unknown, what: string): string {
  const text = JSON.stringify(value ?? null);
  if (text === undefined) throw new AppError(CODES.BAD_INPUT, `${what} cannot be stored as JSON.`);
  return text;
}

/** A blob column's bytes as a Uint8Array view (no copy). */
export function bytesOf(blob: Buffer): Uint8Array {
  return new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
}

/**
 * A WHERE clause keeping the rows whose `column` (a name written in the code, never input)
 * equals `value`, with the parameters it binds; an empty one, keeping every row, when `value`
 * is undefined.
 */
export function whereEquals(
  column: string,
  value: SqlValue | undefined,
): { where: string; params: SqlValue[] } {
  return value === undefined
    ? { where: '', params: [] }
    : { where: `WHERE ${column} = ?`, params: [value] };
}
