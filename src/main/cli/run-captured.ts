/** Runs one CLI invocation with its output captured: what the command tests assert on. */
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
