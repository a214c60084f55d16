/**
 * The built compute process (out/main/worker.js, as the desktop app starts it) trains with
 * data-parallel gradient workers: the bundled gradient-worker.js is found beside the bundle and
 * its threads start without tsx.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeHost, forkComputeProcess } from '../src/main/compute/host';
import { tinyTrainJob } from '../src/main/compute/train/fixtures';
import { repoRoot } from './harness';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-built-compute-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('built compute process', () => {
  it('trains with two gradient workers from the bundle', async () => {
    const host = new ComputeHost({
      factory: forkComputeProcess({ modulePath: path.join(repoRoot, 'out/main/worker.js') }),
    });
    try {
      const summary = await host.request(
        'train.run',
        tinyTrainJob(path.join(dir, 'model'), { backend: 'wasm', workers: 2 }),
      );
      expect(summary.workers).toBe(2);
      expect(summary.epochsRun).toBe(1);
      expect(Number.isFinite(summary.history[0]!.loss)).toBe(true);
    } finally {
      await host.dispose();
    }
  }, 120_000);
});
