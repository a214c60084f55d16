/**
 * Compute benchmark: training throughput, whole-image inference time and peak memory of the
 * two reference networks on the backend the ladder picks, next to their PyTorch twins
 * (bench/torch/twins.py, Debian's python3-torch on the CPU with the same thread count).
 * Each side of each network runs in its own process so peak RSS is that network's alone.
 * The machine is shared: figures move with the load of the moment, so the same run's ratio
 * is the figure to read, not the absolute numbers.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Benchmark, BenchContext } from './index';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const NETWORKS = ['bench-unet', 'laddernet'] as const;

interface Sizes {
  threads: number;
  warmup: number;
  steps: number;
  inferRuns: number;
  height: number;
  width: number;
}

/** Ours: one child process per network (tsx loads the TypeScript). */
async function measureTfjs(
  name: string,
  sizes: Sizes,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const args = [
    '--import',
    'tsx',
    path.join(here, 'compute-network.ts'),
    name,
    ...[sizes.threads, sizes.warmup, sizes.steps, sizes.inferRuns, sizes.height, sizes.width].map(
      String,
    ),
  ];
  const { stdout } = await run(process.execPath, args, {
    signal,
    maxBuffer: 1 << 20,
    cwd: path.dirname(here),
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

/** The PyTorch twin, or why it could not run. */
async function measureTorch(
  name: string,
  sizes: Sizes,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const args = [
    path.join(here, 'torch', 'twins.py'),
    '--net',
    name,
    '--threads',
    String(sizes.threads),
    '--warmup',
    String(sizes.warmup),
    '--steps',
    String(sizes.steps),
    '--infer-runs',
    String(sizes.inferRuns),
    '--height',
    String(sizes.height),
    '--width',
    String(sizes.width),
  ];
  try {
    const { stdout } = await run(PYTHON, args, { signal, maxBuffer: 1 << 20 });
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  } catch (error) {
    return {
      error: `PyTorch twin did not run (${PYTHON} with python3-torch): ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

function ratio(ours: unknown, peer: unknown): number | null {
  return typeof ours === 'number' && typeof peer === 'number' && peer > 0 ? ours / peer : null;
}

export const computeBenchmark: Benchmark = {
  name: 'compute',
  summary:
    'Training patches/s, whole-image inference and peak memory of bench-unet and LadderNet, against PyTorch twins.',
  async run(ctx: BenchContext) {
    const threads = Math.min(2, os.cpus().length);
    const sizes: Sizes = ctx.quick
      ? { threads, warmup: 1, steps: 1, inferRuns: 1, height: 96, width: 80 }
      : { threads, warmup: 2, steps: 5, inferRuns: 3, height: 584, width: 565 };
    const networks: Record<string, unknown>[] = [];
    for (const name of NETWORKS) {
      ctx.log(`compute: ${name} on tfjs (${sizes.steps} timed steps)`);
      const ours = await measureTfjs(name, sizes, ctx.signal);
      ctx.log(`compute: ${name} on PyTorch`);
      const peer = await measureTorch(name, sizes, ctx.signal);
      networks.push({
        ...ours,
        peer,
        ratio: {
          // >= 0.5 is the target: our training throughput as a fraction of PyTorch's.
          trainThroughput: ratio(ours.trainPatchesPerSec, peer.trainPatchesPerSec),
          // <= 1.5 is the target: our inference time as a multiple of PyTorch's.
          inferTime: ratio(ours.inferMsPerImage, peer.inferMsPerImage),
        },
      });
    }
    return {
      networks,
      computeConditions: {
        threads,
        loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
        note: 'Shared 2-core machine: ours and the peer run one after the other, so load changes between them move the ratio.',
      },
    };
  },
};
