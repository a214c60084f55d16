/** The command-line front of the engine: `npm run cli -- <command>`. */
import { runCli } from './cli/run';

/** A second Ctrl+C within this time is the same keypress relayed again (npm and tsx do that). */
const RELAYED_SIGNAL_MS = 1000;

const controller = new AbortController();
let interruptedAt = 0;
process.on('SIGINT', () => {
  const now = Date.now();
  if (interruptedAt === 0) {
    interruptedAt = now;
    process.stderr.write('\ninterrupted: stopping cleanly (press Ctrl+C again to force)\n');
    controller.abort();
  } else if (now - interruptedAt > RELAYED_SIGNAL_MS) {
    process.exit(130);
  }
});

/**
 * Exits once stdout and stderr have flushed. Explicitly: a command that ran tfjs on the webgpu
 * rung in this process holds Dawn's GPU instance, which keeps Node's event loop alive.
 */
function exitAfterFlush(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

runCli(process.argv.slice(2), { signal: controller.signal }).then(
  exitAfterFlush,
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    exitAfterFlush(1);
  },
);
