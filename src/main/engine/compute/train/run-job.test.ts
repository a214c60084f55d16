import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerRequestContext } from '../worker';
import { generateVesselSet, TINY_UNET } from './fixtures';
import type { TrainJob, TrainProgress } from './job';
import { runTrainJob } from './run-job';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-run-job-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function job(name: string, workers: TrainJob['workers']): TrainJob {
  return {
    data: { kind: 'images', images: generateVesselSet(3, 32) },
    model: { kind: 'config', config: TINY_UNET },
    outDir: path.join(dir, name),
    options: {
      epochs: 1,
      stepsPerEpoch: 2,
      batchSize: 4,
      patchSize: 16,
      validationFraction: 0.34,
      validationPatches: 4,
      earlyStopping: null,
    },
    workers,
  };
}

function context(logs: string[]): WorkerRequestContext<TrainProgress> {
  return {
    signal: new AbortController().signal,
    progress: () => {},
    log: (_level, message) => logs.push(message),
  };
}

describe('runTrainJob and its gradient workers', () => {
  const refuse = () => Promise.reject(new Error('threads unavailable here'));

  it('trains on one thread, saying why, when automatically chosen workers cannot start', async () => {
    const logs: string[] = [];
    const summary = await runTrainJob(job('auto', 'auto'), context(logs), refuse);
    expect(summary.workers).toBe(1);
    expect(summary.epochsRun).toBe(1);
    expect(logs.join('\n')).toMatch(/one thread.*threads unavailable here/);
  }, 60_000);

  it('fails when the workers asked for by number cannot start', async () => {
    await expect(runTrainJob(job('asked', 2), context([]), refuse)).rejects.toThrow(
      /threads unavailable here/,
    );
  }, 60_000);
});
