import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/result';
import { ComputeHost } from './host';
import { COMPUTE_ERROR_CODES } from './protocol';
import { generateVesselSet, TINY_UNET } from './train/fixtures';
import type { TrainJob, TrainProgress } from './train/job';
import { nextEvent } from '../../../test/support/host-events';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-host-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tinyJob(outName: string, epochs: number): TrainJob {
  return {
    data: { kind: 'images', images: generateVesselSet(3, 24) },
    model: { kind: 'config', config: TINY_UNET },
    outDir: path.join(dir, outName),
    options: {
      epochs,
      stepsPerEpoch: 3,
      batchSize: 2,
      patchSize: 8,
      validationPatches: 8,
      validationFraction: 0.34,
      augment: false,
    },
  };
}

const hosts: ComputeHost[] = [];
function makeHost(restartOnCrash = true): ComputeHost {
  const host = new ComputeHost({ restartOnCrash });
  hosts.push(host);
  return host;
}

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.dispose()));
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ComputeHost with a real forked child', () => {
  it('answers a request with its id in a separate process', async () => {
    const host = makeHost();
    const [a, b] = await Promise.all([
      host.request('compute.ping', { echo: 'first' }),
      host.request('compute.ping', { echo: 'second' }),
    ]);
    expect(a.echo).toBe('first');
    expect(b.echo).toBe('second');
    expect(a.pid).not.toBe(process.pid);
    expect(a.pid).toBe(host.pid);
    expect(host.pendingCount).toBe(0);
  });

  it('streams training progress to the caller, returns the summary, and cancels by message', async () => {
    const host = makeHost();
    const events: TrainProgress[] = [];
    const summary = await host.request('train.run', tinyJob('progress', 1), {
      onProgress: (p) => events.push(p),
    });
    expect(summary.status).toBe('completed');
    expect(summary.epochsRun).toBe(1);
    expect(summary.modelDir).toBe(path.join(dir, 'progress'));
    expect(events[0]?.phase).toBe('preparing');
    expect(events.filter((e) => e.phase === 'batch').map((e) => e.batch)).toEqual([1, 2, 3]);
    const last = events[events.length - 1]!;
    expect(last).toMatchObject({ phase: 'epoch', epoch: 1, epochs: 1, bestEpoch: 1 });
    expect(last.valLoss).toBeGreaterThan(0);

    // Cancel: a long run stops after the batch in flight, and the process serves on.
    const controller = new AbortController();
    const cancelled = await host.request('train.run', tinyJob('cancel', 50), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'batch') controller.abort();
      },
    });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.epochsRun).toBe(0);
    expect(cancelled.modelDir).toBeNull();
    await expect(host.request('compute.ping', { echo: 'still here' })).resolves.toMatchObject({
      echo: 'still here',
      pid: host.pid,
    });
  });

  it('rejects a method the worker does not know with a stable code', async () => {
    const host = makeHost();
    const request = host.request as (method: string, input: unknown) => Promise<unknown>;
    await expect(request.call(host, 'compute.nothing', {})).rejects.toMatchObject({
      code: COMPUTE_ERROR_CODES.UNKNOWN_METHOD,
    });
  });

  it('rejects pending requests when the child is killed, reports the crash and restarts', async () => {
    const host = makeHost();
    const first = await host.request('compute.ping', {});
    const crash = nextEvent(host, 'crash');
    const readyAgain = nextEvent(host, 'ready');
    // A request that will never be answered: the child dies first.
    const pending = host.request('train.run', {
      data: { kind: 'images', images: [] },
      outDir: '/nonexistent-never-written',
    });
    process.kill(first.pid, 'SIGKILL');
    const error = await pending.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(COMPUTE_ERROR_CODES.CRASHED);
    expect((error as AppError).message).toMatch(/killed \(SIGKILL\).*train\.run/);
    const crashed = await crash;
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.pending).toEqual(['train.run']);
    const ready = await readyAgain;
    expect(ready.restarts).toBe(1);
    const second = await host.request('compute.ping', {});
    expect(second.pid).not.toBe(first.pid);
  });

  it('starts a new process on the next request when automatic restart is off', async () => {
    const host = makeHost(false);
    const first = await host.request('compute.ping', {});
    const exited = nextEvent(host, 'exit');
    process.kill(first.pid, 'SIGKILL');
    await exited;
    expect(host.pid).toBeUndefined();
    const second = await host.request('compute.ping', {});
    expect(second.pid).not.toBe(first.pid);
  });

  it('kills the child on dispose and refuses later requests', async () => {
    const host = makeHost();
    const { pid } = await host.request('compute.ping', {});
    await host.dispose();
    expect(isAlive(pid)).toBe(false);
    await expect(host.request('compute.ping', {})).rejects.toMatchObject({
      code: COMPUTE_ERROR_CODES.DISPOSED,
    });
  });

  it('reports a process that cannot start', async () => {
    const host = new ComputeHost({
      factory: (await import('./host')).forkComputeProcess({
        modulePath: '/nonexistent/worker.js',
      }),
      startTimeoutMs: 20_000,
    });
    hosts.push(host);
    await expect(host.request('compute.ping', {})).rejects.toMatchObject({
      code: COMPUTE_ERROR_CODES.START_FAILED,
    });
  });
});
