/** Runs one CLI invocation with its output captured: what the command tests assert on. */
import { expect } from 'vitest';
import type { CliCommand } from './command';
import { runCli } from './run';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` against the given commands, collecting stdout and stderr as strings. */
export async function runCliCaptured(commands: CliCommand[], argv: string[]): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    commands,
    streams: {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    },
  });
  return { code, stdout, stderr };
}

/**
 * Asserts that a `--json` run was refused with exit code 2 and the error `code`, and that the
 * error's message and stderr both say each of `says` (a text they contain or a pattern they
 * match) and contain none of `omits`.
 */
export function expectRefusal(
  run: CapturedRun,
  code: string,
  says: (string | RegExp)[],
  omits: string[] = [],
): void {
  expect(run.code).toBe(2);
  const error = JSON.parse(run.stdout).error;
  expect(error.code).toBe(code);
  for (const text of [error.message, run.stderr]) {
    for (const part of says) {
      if (typeof part === 'string') expect(text).toContain(part);
      else expect(text).toMatch(part);
    }
    for (const part of omits) expect(text).not.toContain(part);
  }
}
