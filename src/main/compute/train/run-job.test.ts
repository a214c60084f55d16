import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerRequestContext } from '../worker';
import { tinyTrainJob } from './fixtures';
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
  return tinyTrainJob(path.join(dir, name), { workers });
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
