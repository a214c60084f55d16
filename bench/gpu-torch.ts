/**
 * The GPU section's PyTorch side: asks bench/torch/twins.py what torch sees (--probe), and runs
 * a twin on the device the plan chose. Each call is its own python process.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { GpuBenchOptions, TorchProbe } from './gpu-section';
import type { BenchNetwork } from './network-common';

const run = promisify(execFile);

/**
 * The twins' script: bench/torch/twins.py beside this file, and torch/twins.py beside the
 * bundled bench (scripts/gpu-bench/bundle.sh copies it there), since both sit where this
 * module's URL points.
 */
export const DEFAULT_TWINS = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'torch',
  'twins.py',
);
/** Debian's python3 with python3-torch, as the compute bench uses; VESSEL_PYTHON replaces it. */
export const DEFAULT_PYTHON = process.env.VESSEL_PYTHON || '/usr/bin/python3';

export interface TorchPaths {
  python: string;
  twins: string;
}

function firstLine(error: unknown): string {
  const e = error as { stderr?: string; message?: string };
  const stderr = (e.stderr ?? '').trim().split('\n').pop();
  return stderr || (e.message ?? String(error)).split('\n')[0]!;
}

function lastJsonLine(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

export async function probeTorch(paths: TorchPaths, signal: AbortSignal): Promise<TorchProbe> {
  try {
    const { stdout } = await run(paths.python, [paths.twins, '--probe'], {
      signal,
      maxBuffer: 1 << 20,
    });
    const facts = lastJsonLine(stdout);
    return {
      ok: true,
      torch: String(facts.torch),
      cudaAvailable: facts.cudaAvailable === true,
      cudaVersion: typeof facts.cudaVersion === 'string' ? facts.cudaVersion : null,
      gpuName: typeof facts.gpuName === 'string' ? facts.gpuName : null,
    };
  } catch (error) {
    return {
      ok: false,
      reason: `PyTorch did not run (${paths.python} ${paths.twins} --probe): ${firstLine(error)}`,
    };
  }
}

/** One twin's figures on `device` (twins.py's JSON), or {error} when it failed. */
export async function runTwin(
  paths: TorchPaths,
  name: BenchNetwork,
  device: 'cuda' | 'cpu',
  options: GpuBenchOptions,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const args = [
    paths.twins,
    ...['--net', name],
    ...['--device', device],
    ...['--batch', options.batches.join(',')],
    ...['--warmup', String(options.warmup)],
    ...['--steps', String(options.steps)],
    ...['--infer-warmup', String(Math.max(1, options.warmup))],
    ...['--infer-runs', String(options.inferRuns)],
    ...['--height', String(options.height)],
    ...['--width', String(options.width)],
  ];
  try {
    const { stdout } = await run(paths.python, args, { signal, maxBuffer: 1 << 20 });
    return lastJsonLine(stdout);
  } catch (error) {
    return { error: `The PyTorch twin failed on ${device}: ${firstLine(error)}` };
  }
}
