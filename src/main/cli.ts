/** The command-line front of the engine: `npm run cli -- <command>`. */
import { runCli } from './cli/run';
import { commands } from './cli/commands';

/** A second Ctrl+C within this time is the same keypress relayed again (npm and tsx do that). */
const RELAYED_SIGNAL_MS = 1000;

const controller = new AbortController();
const stopDeadlineMs = commands.find((c) => c.name === process.argv[2])?.stopDeadlineMs;
let interruptedBy: NodeJS.Signals | null = null;
let interruptedAt = 0;

/**
 * Ends the process by the signal's default action. Not process.exit: that joins libuv's
 * thread pool first, and hangs for good while a thread is blocked in a read (a FIFO, a dead
 * network mount).
 */
function exitBySignal(signal: NodeJS.Signals): void {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

function onStopSignal(signal: NodeJS.Signals): void {
  const now = Date.now();
  if (interruptedBy === null) {
    interruptedBy = signal;
    interruptedAt = now;
    process.stderr.write('\ninterrupted: stopping cleanly (press Ctrl+C again to force)\n');
    controller.abort();
    if (stopDeadlineMs !== undefined) {
      setTimeout(() => {
        process.stderr.write(
          `still stopping after ${stopDeadlineMs / 1000} s (some work is stuck): exiting now\n`,
        );
        exitBySignal(signal);
      }, stopDeadlineMs).unref();
    }
  } else if (now - interruptedAt > RELAYED_SIGNAL_MS) {
    exitBySignal(signal);
  }
}
process.on('SIGINT', onStopSignal);
process.on('SIGTERM', onStopSignal);

/**
 * Exits once stdout and stderr have flushed. Explicitly: a command that ran tfjs on the webgpu
 * rung in this process holds Dawn's GPU instance, which keeps Node's event loop alive.
 */
function exitAfterFlush(code: number): void {
  process.exitCode = code;
  // A command with a stop deadline (serve) may leave a thread blocked: exit by the signal.
  const exit = () =>
    interruptedBy && stopDeadlineMs !== undefined
      ? exitBySignal(interruptedBy)
      : process.exit(code);
  process.stdout.write('', () => process.stderr.write('', exit));
}

runCli(process.argv.slice(2), { signal: controller.signal }).then(
  exitAfterFlush,
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    exitAfterFlush(1);
  },
);
