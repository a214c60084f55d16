/**
 * GPU benchmark: where there is a GPU (a hardware WebGPU adapter, as the backend ladder judges
 * it), our training patches/s at batch 32 and 128 and whole-image inference time of bench-unet
 * and LadderNet on webgpu, beside their PyTorch twins on CUDA when torch sees a GPU, with the
 * ratios and whether the targets are met. Where there is none, one line says why and nothing
 * runs: the probe asks Dawn for an adapter without loading tfjs.
 *
 * The measuring runs in its own process (gpu-main.ts), like the compute bench's networks: a
 * GPU fault there cannot take the other sections' figures with it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchContext } from './index';
import { probeGpu } from './gpu-probe';
import { gpuBenchArgs, gpuBenchOptions, noGpuSection } from './gpu-section';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs gpu-main.ts with tsx; resolves with its stdout and exit code (stderr passes through). */
function runGpuMain(
  args: string[],
  signal: AbortSignal,
): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'gpu-main.ts'), ...args],
      { cwd: path.dirname(here), stdio: ['ignore', 'pipe', 'inherit'], signal },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

export const gpuBenchmark: Benchmark = {
  name: 'gpu',
  summary:
    'On a GPU (WebGPU): training patches/s at batch 32 and 128 and whole-image inference of bench-unet and LadderNet, against PyTorch twins on CUDA.',
  async run(ctx: BenchContext) {
    const options = gpuBenchOptions(ctx.values, process.env, ctx.quick);
    const availability = await probeGpu(options);
    if (!availability.available) {
      ctx.log(`gpu: no GPU to bench: ${availability.reason}`);
      return noGpuSection(availability);
    }
    const { adapter } = availability;
    ctx.log(`gpu: ${adapter.vendor} ${adapter.device}${adapter.software ? ' (software)' : ''}`);
    const { code, stdout } = await runGpuMain(gpuBenchArgs(options), ctx.signal);
    const last = stdout.trim().split('\n').pop() ?? '';
    if (code !== 0 || !last.startsWith('{')) {
      return {
        gpu: {
          available: true,
          adapter,
          error: `the GPU bench process (bench/gpu-main.ts) failed with exit code ${code}; its stderr is above`,
        },
      };
    }
    return JSON.parse(last) as Record<string, unknown>;
  },
};
