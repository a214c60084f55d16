import type { ZodType } from 'zod';
import { COMMON_ERROR_CODES } from './api/errors';

export { COMMON_ERROR_CODES };

/**
 * Errors are values at every process boundary: IPC keeps only an error's message, so a
 * result carries a stable code the UI can act on and a message a person can read. The codes
 * are declared in src/shared/api/errors.ts; a request's result narrows `C` to its own.
 */
export interface ErrorInfo<C extends string = string> {
  /** Stable, machine-readable code such as `BAD_INPUT` or `DATASET_FOLDER_MISSING`. */
  code: C;
  /** One or two sentences for a person: what is wrong and what to do. */
  message: string;
  /** Optional structured detail (for example the zod issues of a refused input). */
  details?: unknown;
}

export type Result<T, C extends string = string> =
  { ok: true; value: T } | { ok: false; error: ErrorInfo<C> };

/** An error that knows its stable code; thrown inside the engine, turned into a Result at the edge. */
export class AppError extends Error {
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toInfo(): ErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: string, message: string, details?: unknown): Result<T> {
  return details === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, details } };
}

/** Turns anything thrown into an ErrorInfo: AppErrors keep their code, the rest become INTERNAL. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof AppError) return error.toInfo();
  if (error instanceof Error) return { code: COMMON_ERROR_CODES.INTERNAL, message: error.message };
  return { code: COMMON_ERROR_CODES.INTERNAL, message: String(error) };
}

/** Formats zod issues as one line a person can act on: `imageId: expected string`. */
export function describeIssues(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): string {
  return issues
    .map(
      (issue) =>
        (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '') + issue.message,
    )
    .join('; ');
}

/**
 * `schema`'s reading of `value`, or an AppError with `code` whose message `describe` words
 * around the issues ("fees.0: Expected number"); the issues go along as its details.
 */
export function parseOrThrow<T>(
  schema: ZodType<T>,
  value: unknown,
  code: string,
  describe: (where: string) => string,
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AppError(code, describe(describeIssues(parsed.error.issues)), parsed.error.issues);
}
