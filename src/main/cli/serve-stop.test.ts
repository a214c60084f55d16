/**
 * `serve` as a person runs it (a child process through src/main/cli.ts), stopped with a signal
 * while one of libuv's thread-pool threads is blocked for good: a read of a FIFO nobody writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findAppRoot } from './app-root';

const root = findAppRoot();
let dir: string;
let child: ChildProcess | null = null;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-serve-stop-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  execFileSync('mkfifo', [path.join(dir, 'never-written')]);
  // Opening a FIFO with no writer blocks the thread-pool thread that runs the open().
  await writeFile(
    path.join(dir, 'block-a-thread.cjs'),
    `require('node:fs').readFile(${JSON.stringify(path.join(dir, 'never-written'))}, () => {});\n`,
  );
});

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts serve on a free port and resolves once it printed its URL. */
async function startServe(): Promise<ChildProcess> {
  const started = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--require',
      path.join(dir, 'block-a-thread.cjs'),
      path.join(root, 'src/main/cli.ts'),
      'serve',
      '--port',
      '0',
      '--json',
      '--renderer-dir',
      dir,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = started;
  await new Promise<void>((resolve, reject) => {
    let out = '';
    let err = '';
    started.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"url"')) resolve();
    });
    started.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    started.once('exit', (code) =>
      reject(new Error(`serve exited (${code}) before its URL: ${err}`)),
    );
  });
  return started;
}

/** Milliseconds from now until the child exits, and how it ended. */
function timeExit(process: ChildProcess): Promise<{ ms: number; signal: string | null }> {
  const start = Date.now();
  return new Promise((resolve) =>
    process.once('exit', (_code, signal) => resolve({ ms: Date.now() - start, signal })),
  );
}

describe('serve stops on a signal even with a thread-pool thread stuck', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`exits on ${signal}`, async () => {
      const serve = await startServe();
      const exited = timeExit(serve);
      serve.kill(signal);
      const { ms, signal: endedBy } = await exited;
      expect(endedBy).toBe(signal);
      // Well inside the stop deadline: the clean stop finished and the exit did not hang.
      expect(ms).toBeLessThan(2500);
    }, 30_000);
  }
});
