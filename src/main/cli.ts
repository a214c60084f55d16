/** The command-line front of the engine: `npm run cli -- <command>`. */
import { runCli } from './cli/run';

const controller = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted: stopping cleanly (press Ctrl+C again to force)\n');
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});

runCli(process.argv.slice(2), { signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
