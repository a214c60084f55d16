/**
 * Runs a bench entry's main and exits with its code. Exiting explicitly matters: Dawn's GPU
 * instance keeps Node's event loop alive after the work is done.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
