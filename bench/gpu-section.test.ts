import type * as childProcess from 'node:child_process';
import { parseArgs } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import type { BackendReport, GpuAdapterReport } from '../src/shared/api/app';
import { AppError } from '../src/shared/result';
import {
  allMet,
  compareWithPeer,
  GPU_CLI_OPTIONS,
  GPU_TARGET,
  gpuAvailability,
  gpuAvailabilityFromError,
  gpuBenchArgs,
  gpuBenchOptions,
  GpuOptionError,
  noGpuSection,
  peerFigures,
  torchPlan,
  type PeerFigures,
  type SideFigures,
} from './gpu-section';

vi.mock('./gpu-probe', () => ({
  probeGpu: vi.fn(async () => ({
    available: false,
    reason: 'WebGPU found only a software adapter (mesa llvmpipe)',
    adapter: null,
  })),
}));
vi.mock('node:child_process', async (original) => ({
  ...(await original<typeof childProcess>()),
  spawn: vi.fn(() => {
    throw new Error('the GPU bench must not start a process without a GPU');
  }),
}));

const LAVAPIPE: GpuAdapterReport = {
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe',
  description: 'llvmpipe: Mesa',
  software: true,
  maxBufferSize: 1,
  maxStorageBufferBindingSize: 1,
};
const HARDWARE: GpuAdapterReport = {
  ...LAVAPIPE,
  vendor: 'nvidia',
  architecture: '',
  device: 'x',
  software: false,
};

function report(partial: Partial<BackendReport>): BackendReport {
  return { active: 'wasm', chosenBy: 'ladder', rejected: [], threads: 2, ...partial };
}

describe('gpuBenchOptions', () => {
  it('defaults to batches 32 and 128, a DRIVE-sized image, both networks, torch on auto', () => {
    const options = gpuBenchOptions({}, {}, false);
    expect(options).toMatchObject({
      forceSoftware: false,
      forcedBy: null,
      batches: [32, 128],
      height: 584,
      width: 565,
      networks: ['bench-unet', 'laddernet'],
      torchDevice: 'auto',
    });
    expect(options.steps).toBeGreaterThanOrEqual(1);
    expect(options.inferRuns).toBeGreaterThanOrEqual(1);
  });

  it('quick keeps the batch sizes but takes the smallest counts and image', () => {
    const options = gpuBenchOptions({}, {}, true);
    expect(options).toMatchObject({ batches: [32, 128], steps: 1, inferRuns: 1, warmup: 1 });
    expect(options.height * options.width).toBeLessThan(584 * 565);
  });

  it('is forced onto a software adapter by the flag, --backend webgpu or VESSEL_BACKEND=webgpu', () => {
    expect(gpuBenchOptions({ 'force-software-gpu': true }, {}, false).forcedBy).toBe('flag');
    expect(gpuBenchOptions({ backend: 'webgpu' }, {}, false).forcedBy).toBe('flag');
    expect(gpuBenchOptions({}, { VESSEL_BACKEND: ' WebGPU ' }, false).forcedBy).toBe('env');
    // --backend wins over the environment, as for every command.
    expect(gpuBenchOptions({ backend: 'wasm' }, { VESSEL_BACKEND: 'webgpu' }, false)).toMatchObject(
      { forceSoftware: false, forcedBy: null },
    );
    expect(gpuBenchOptions({}, { VESSEL_BACKEND: 'wasm' }, false).forceSoftware).toBe(false);
  });

  it('reads counts, sizes, networks and the torch device', () => {
    const options = gpuBenchOptions(
      {
        'gpu-batches': '8, 8,16',
        'gpu-warmup': '0',
        'gpu-steps': '2',
        'gpu-infer-runs': '3',
        'gpu-image': '64x48',
        'gpu-networks': 'laddernet',
        'gpu-torch-device': 'cpu',
      },
      {},
      false,
    );
    expect(options).toMatchObject({
      batches: [8, 16],
      warmup: 0,
      steps: 2,
      inferRuns: 3,
      height: 64,
      width: 48,
      networks: ['laddernet'],
      torchDevice: 'cpu',
    });
  });

  it.each([
    [{ 'gpu-batches': '32,x' }, /gpu-batches/],
    [{ 'gpu-batches': '0' }, /gpu-batches/],
    [{ 'gpu-batches': ' , ' }, /gpu-batches/],
    [{ 'gpu-steps': '0' }, /gpu-steps/],
    [{ 'gpu-warmup': '-1' }, /gpu-warmup/],
    [{ 'gpu-infer-runs': '1.5' }, /gpu-infer-runs/],
    [{ 'gpu-image': '584' }, /gpu-image/],
    [{ 'gpu-image': '0x10' }, /gpu-image/],
    [{ 'gpu-networks': 'resnet' }, /unknown network "resnet"/],
    [{ 'gpu-torch-device': 'rocm' }, /gpu-torch-device/],
  ])('refuses %o, naming the option', (values, pattern) => {
    expect(() => gpuBenchOptions(values, {}, false)).toThrow(GpuOptionError);
    expect(() => gpuBenchOptions(values, {}, false)).toThrow(pattern);
  });

  it('gpuBenchArgs gives the same options back through the runner’s parser', () => {
    const options = gpuBenchOptions(
      { 'force-software-gpu': true, 'gpu-batches': '4,8', 'gpu-image': '40x32' },
      {},
      true,
    );
    const { values } = parseArgs({
      args: gpuBenchArgs(options),
      options: Object.fromEntries(
        Object.entries(GPU_CLI_OPTIONS).map(([name, option]) => [name, { type: option.type }]),
      ),
      strict: true,
    });
    expect(gpuBenchOptions(values, {}, false)).toEqual(options);
  });
});

describe('gpuAvailability', () => {
  it('is available when the ladder (or a forced backend) started webgpu', () => {
    expect(gpuAvailability(report({ active: 'webgpu', adapter: HARDWARE }))).toEqual({
      available: true,
      adapter: HARDWARE,
    });
  });

  it('gives the webgpu rung’s rejection message and the adapter it saw', () => {
    const message = 'WebGPU found only a software adapter (mesa llvmpipe), which runs on the CPU';
    const availability = gpuAvailability(
      report({
        rejected: [
          { backend: 'tensorflow-gpu', reason: 'not-installed', message: 'not installed' },
          { backend: 'webgpu', reason: 'software-adapter', message },
        ],
        adapter: LAVAPIPE,
      }),
    );
    expect(availability).toEqual({ available: false, reason: message, adapter: LAVAPIPE });
  });

  it('says no adapter when Dawn found none', () => {
    const availability = gpuAvailability(
      report({
        rejected: [{ backend: 'webgpu', reason: 'no-gpu', message: 'WebGPU found no GPU' }],
      }),
    );
    expect(availability).toEqual({
      available: false,
      reason: 'WebGPU found no GPU',
      adapter: null,
    });
  });

  it('is null when the rung was never asked, so the caller asks it', () => {
    expect(gpuAvailability(report({ active: 'tensorflow-gpu' }))).toBeNull();
    expect(
      gpuAvailability(
        report({
          rejected: [{ backend: 'webgpu', reason: 'skipped-by-setting', message: 'Not tried' }],
        }),
      ),
    ).toBeNull();
  });

  it('takes a forced setup’s failure from the webgpu rejection it carries', () => {
    const error = new AppError('COMPUTE_NO_BACKEND', 'No compute backend could start: ...', {
      rejected: [
        { backend: 'tensorflow-gpu', reason: 'skipped-by-setting', message: 'Not tried' },
        { backend: 'webgpu', reason: 'no-gpu', message: 'WebGPU found no GPU' },
      ],
    });
    expect(gpuAvailabilityFromError(error)).toEqual({
      available: false,
      reason: 'WebGPU found no GPU',
      adapter: null,
    });
    expect(gpuAvailabilityFromError(new Error('boom'))).toMatchObject({ reason: 'boom' });
  });
});

describe('the section without a GPU', () => {
  it('is exactly available false, the reason and the adapter', () => {
    const section = noGpuSection({ available: false, reason: 'why', adapter: LAVAPIPE });
    expect(section).toEqual({ gpu: { available: false, reason: 'why', adapter: LAVAPIPE } });
    expect(
      JSON.parse(JSON.stringify(noGpuSection({ available: false, reason: 'r', adapter: null }))),
    ).toEqual({ gpu: { available: false, reason: 'r', adapter: null } });
  });

  it('the benchmark returns it and starts nothing', async () => {
    const { gpuBenchmark } = await import('./gpu.bench');
    const { spawn } = await import('node:child_process');
    const log = vi.fn();
    const result = await gpuBenchmark.run({
      log,
      quick: true,
      values: {},
      signal: new AbortController().signal,
    });
    expect(result).toEqual({
      gpu: {
        available: false,
        reason: 'WebGPU found only a software adapter (mesa llvmpipe)',
        adapter: null,
      },
    });
    expect(spawn).not.toHaveBeenCalled();
    expect(gpuBenchmark.name).toBe('gpu');
  });
});

describe('compareWithPeer', () => {
  const ours: SideFigures = {
    train: [
      { batch: 32, patchesPerSec: 300 },
      { batch: 128, patchesPerSec: 1000 },
    ],
    inferMsPerImage: 60,
  };
  const cuda: PeerFigures = {
    device: 'cuda',
    train: [
      { batch: 32, patchesPerSec: 1000 },
      { batch: 128, patchesPerSec: 2000 },
    ],
    inferMsPerImage: 30,
  };

  it('divides ours by the twin’s and judges batch 128 and inference on CUDA', () => {
    const comparison = compareWithPeer(ours, cuda, false);
    expect(comparison.ratio).toEqual({ train: { '32': 0.3, '128': 0.5 }, inferTime: 2 });
    expect(comparison.met).toEqual({ train: true, infer: true, all: true });
    expect(comparison.why).toBeUndefined();
  });

  it('fails a target below a quarter of the training rate or above three times the inference time', () => {
    const slowTrain = compareWithPeer(
      { ...ours, train: [{ batch: 128, patchesPerSec: 499 }] },
      cuda,
      false,
    );
    expect(slowTrain.met).toEqual({ train: false, infer: true, all: false });
    const slowInfer = compareWithPeer({ ...ours, inferMsPerImage: 91 }, cuda, false);
    expect(slowInfer.met).toEqual({ train: true, infer: false, all: false });
  });

  it('meets the targets exactly at their bounds', () => {
    const atBounds = compareWithPeer(
      {
        train: [{ batch: 128, patchesPerSec: 2000 * GPU_TARGET.trainRatioMin }],
        inferMsPerImage: 30 * GPU_TARGET.inferRatioMax,
      },
      cuda,
      false,
    );
    expect(atBounds.met).toEqual({ train: true, infer: true, all: true });
  });

  it('gives ratios but judges nothing against a CPU twin or from a software adapter', () => {
    const cpu = compareWithPeer(ours, { ...cuda, device: 'cpu' }, false);
    expect(cpu.ratio.inferTime).toBe(2);
    expect(cpu.met).toEqual({ train: null, infer: null, all: null });
    expect(cpu.why).toMatch(/cpu/);
    const software = compareWithPeer(ours, cuda, true);
    expect(software.met).toEqual({ train: null, infer: null, all: null });
    expect(software.why).toMatch(/software/);
  });

  it('leaves the training target unjudged when batch 128 is missing on either side', () => {
    const comparison = compareWithPeer(
      ours,
      { ...cuda, train: [{ batch: 32, patchesPerSec: 1000 }] },
      false,
    );
    expect(comparison.ratio.train).toEqual({ '32': 0.3, '128': null });
    expect(comparison.met).toEqual({ train: null, infer: true, all: null });
    expect(comparison.why).toMatch(/128/);
  });

  it('has no ratio without the twin, or with a twin that gave nothing usable', () => {
    expect(compareWithPeer(ours, null, false)).toMatchObject({
      ratio: { train: { '32': null, '128': null }, inferTime: null },
      met: { train: null, infer: null, all: null },
    });
    const zero = compareWithPeer(ours, { ...cuda, inferMsPerImage: 0 }, false);
    expect(zero.ratio.inferTime).toBeNull();
  });

  it('allMet: false wins, all true is true, anything unjudged is null', () => {
    expect(allMet([true, true])).toBe(true);
    expect(allMet([true, null, false])).toBe(false);
    expect(allMet([true, null])).toBeNull();
    expect(allMet([])).toBeNull();
  });
});

describe('the PyTorch side', () => {
  const facts = { ok: true as const, torch: '2.4.0', cudaVersion: '12.1', gpuName: 'H200' };

  it('runs on CUDA when torch sees it, under auto or cuda', () => {
    expect(torchPlan('auto', { ...facts, cudaAvailable: true })).toMatchObject({
      run: true,
      device: 'cuda',
    });
    expect(torchPlan('cuda', { ...facts, cudaAvailable: true })).toMatchObject({ device: 'cuda' });
  });

  it('says torch has no GPU and runs nothing otherwise', () => {
    const plan = torchPlan('auto', {
      ...facts,
      cudaVersion: null,
      gpuName: null,
      cudaAvailable: false,
    });
    expect(plan.run).toBe(false);
    expect(plan.torch).toMatchObject({ available: false, version: '2.4.0' });
    expect(String(plan.torch.reason)).toMatch(/no CUDA GPU/);
    expect(torchPlan('cuda', { ...facts, cudaAvailable: false }).run).toBe(false);
  });

  it('runs on the CPU only when asked, and not at all with none or without torch', () => {
    expect(torchPlan('cpu', { ...facts, cudaAvailable: true })).toMatchObject({ device: 'cpu' });
    expect(torchPlan('none', { ...facts, cudaAvailable: true }).run).toBe(false);
    const missing = torchPlan('auto', { ok: false, reason: 'No module named torch' });
    expect(missing).toEqual({
      run: false,
      torch: { available: false, reason: 'No module named torch' },
    });
  });

  it('reads the twin’s per-batch figures, and nothing from a failed twin', () => {
    expect(
      peerFigures({
        device: 'cuda',
        inferMsPerImage: 12,
        train: [{ batch: 32, patchesPerSec: 5000, stepMs: 6 }, { batch: 'x' }],
      }),
    ).toEqual({ device: 'cuda', inferMsPerImage: 12, train: [{ batch: 32, patchesPerSec: 5000 }] });
    expect(peerFigures({ error: 'The PyTorch twin failed' })).toBeNull();
  });
});
