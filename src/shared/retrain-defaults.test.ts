import { describe, expect, it } from 'vitest';
import type { GpuAdapterReport } from './api/app';
import {
  RETRAIN_ARCHS,
  RETRAIN_DEFAULTS,
  retrainSettingsSchema,
  TRAINING_LIMITS,
} from './api/training';
import { MODEL_PRESETS, modelPreset, type ModelConfig } from './model-config';
import {
  activationBytesPerPatch,
  adapterBufferLimit,
  defaultRetrainSettings,
  GPU_PLANNING_PATCHES_PER_SECOND,
  patchesSeen,
  QUICK_PATCHES,
  quickRetrainSettings,
  trainsOnGpu,
  withRetrainDefaults,
} from './retrain-defaults';
import { LAVAPIPE_ADAPTER } from '../../test/support/gpu-adapters';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** The H200's adapter as Dawn reports it (device.test.ts has the same), limits as given. */
function h200(limits: { buffer?: number; binding?: number } = {}): GpuAdapterReport {
  return {
    vendor: 'nvidia',
    architecture: 'hopper',
    device: 'NVIDIA H200',
    description: 'NVIDIA: 580.95.05',
    software: false,
    maxBufferSize: limits.buffer ?? 4 * GiB - 1,
    maxStorageBufferBindingSize: limits.binding ?? 4 * GiB - 1,
  };
}

const lavapipe = LAVAPIPE_ADAPTER;

describe('defaultRetrainSettings', () => {
  it('keeps the CPU-speed defaults on wasm, cpu, tensorflow and a software adapter', () => {
    const cpuSpeed = {
      fineTune: true,
      scope: 'all',
      arch: 'bench-unet',
      epochs: 5,
      stepsPerEpoch: 50,
      batchSize: 16,
      patchSize: 48,
      learningRate: 1e-4,
      augment: true,
      correctionWeight: 5,
    };
    expect(RETRAIN_DEFAULTS).toEqual(cpuSpeed);
    for (const backend of ['wasm', 'cpu', 'tensorflow', null] as const)
      expect(defaultRetrainSettings(backend, h200()), String(backend)).toEqual(cpuSpeed);
    // A forced software adapter runs on the CPU; webgpu without an adapter report is unknown.
    expect(defaultRetrainSettings('webgpu', lavapipe)).toEqual(cpuSpeed);
    expect(defaultRetrainSettings('webgpu')).toEqual(cpuSpeed);
  });

  it('on a hardware adapter: batch 128, more steps per epoch, 2 epochs, sqrt-scaled rate', () => {
    const gpu = defaultRetrainSettings('webgpu', h200());
    expect(gpu).toEqual({
      ...RETRAIN_DEFAULTS,
      epochs: 2,
      stepsPerEpoch: 56,
      batchSize: 128,
      learningRate: 2.8e-4,
    });
    expect(gpu.stepsPerEpoch).toBeGreaterThan(RETRAIN_DEFAULTS.stepsPerEpoch);
    expect(defaultRetrainSettings('tensorflow-gpu')).toEqual(gpu);
  });

  it('sees at least the wasm default’s patches, in under a minute at 300 patches/s', () => {
    const wasm = patchesSeen(defaultRetrainSettings('wasm'));
    expect(wasm).toBe(4000);
    const cases: [string, GpuAdapterReport, ModelConfig | undefined][] = [
      ['roomy adapter', h200(), undefined],
      ['WebGPU default limits', h200({ binding: 128 * MiB, buffer: 256 * MiB }), undefined],
      ['paper U-Net on 128 MiB', h200({ binding: 128 * MiB }), modelPreset('unet-paper')],
    ];
    for (const [name, adapter, model] of cases) {
      const gpu = defaultRetrainSettings('webgpu', adapter, model);
      const patches = patchesSeen(gpu);
      expect(patches, name).toBeGreaterThanOrEqual(wasm);
      expect(patches, name).toBe(14_336);
      expect(patches / GPU_PLANNING_PATCHES_PER_SECOND, name).toBeLessThan(60);
    }
  });

  it('halves the batch until its largest activation fits half the adapter’s buffer limit', () => {
    // The paper's U-Net: a 232 px input (48 + 184) times 64 channels at full resolution.
    const paper = modelPreset('unet-paper');
    expect(activationBytesPerPatch(paper, 48)).toBe(232 * 232 * 64 * 4);
    const small = h200({ binding: 128 * MiB });
    // 64 MiB / 13.8 MB = 4.87 patches: batch 4, and 1,792 steps keep 7,168 patches an epoch.
    const capped = defaultRetrainSettings('webgpu', small, paper);
    expect(capped).toMatchObject({ batchSize: 4, stepsPerEpoch: 1792, learningRate: 5e-5 });
    // The smaller limit of the two counts.
    expect(adapterBufferLimit(h200({ buffer: 256 * MiB, binding: GiB }))).toBe(256 * MiB);
    expect(defaultRetrainSettings('webgpu', h200({ buffer: 128 * MiB }), paper).batchSize).toBe(4);
    // A roomy adapter takes the full batch even for the paper's U-Net (4 GiB / 2 / 13.8 MB = 155).
    expect(defaultRetrainSettings('webgpu', h200(), paper).batchSize).toBe(128);
    // A limit smaller than one patch still gives a batch of one (the run then says it is out of memory).
    expect(defaultRetrainSettings('webgpu', h200({ binding: MiB }), paper).batchSize).toBe(1);
    // No limits reported: WebGPU's guaranteed 128 MiB binding.
    expect(
      adapterBufferLimit({ ...h200(), maxBufferSize: 0, maxStorageBufferBindingSize: 0 }),
    ).toBe(128 * MiB);
  });

  it('estimates activations from the config: patch side, width, skips, upsampling, depth', () => {
    // bench-unet: same padding, concat of 16 skip + 32 nearest-upsampled channels at 48x48.
    expect(activationBytesPerPatch(MODEL_PRESETS['bench-unet'], 48)).toBe(48 * 48 * 48 * 4);
    // LadderNet adds its skips: 10 filters at 48x48.
    expect(activationBytesPerPatch(MODEL_PRESETS.laddernet, 48)).toBe(48 * 48 * 10 * 4);
    const transpose = { ...modelPreset('bench-unet'), upsampling: 'transpose' } as ModelConfig;
    expect(activationBytesPerPatch(transpose, 48)).toBe(48 * 48 * 32 * 4);
    const noSkip = { ...modelPreset('bench-unet'), skip: 'none' } as ModelConfig;
    expect(activationBytesPerPatch(noSkip, 48)).toBe(48 * 48 * 32 * 4);
    expect(activationBytesPerPatch(MODEL_PRESETS['bench-unet'], 96)).toBe(
      4 * activationBytesPerPatch(MODEL_PRESETS['bench-unet'], 48),
    );
  });

  it('without a model, sizes the batch for the largest of the studio’s architectures', () => {
    const largest = Math.max(
      ...RETRAIN_ARCHS.map((a) => activationBytesPerPatch(MODEL_PRESETS[a], 48)),
    );
    // 32 MiB binding: 16 MiB / 442,368 B = 37.9 patches of bench-unet: batch 32.
    const tight = h200({ binding: 32 * MiB });
    expect(Math.floor((16 * MiB) / largest)).toBe(37);
    expect(defaultRetrainSettings('webgpu', tight).batchSize).toBe(32);
    // LadderNet alone fits 182 patches there, so it keeps 128.
    expect(defaultRetrainSettings('webgpu', tight, modelPreset('laddernet')).batchSize).toBe(128);
  });

  it('gives settings within the contract’s limits', () => {
    const adapters = [h200(), h200({ binding: MiB }), lavapipe, undefined];
    for (const backend of ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const)
      for (const adapter of adapters)
        for (const model of [undefined, modelPreset('unet-paper')]) {
          const settings = defaultRetrainSettings(backend, adapter, model);
          expect(retrainSettingsSchema.safeParse(settings).success).toBe(true);
          expect(settings.stepsPerEpoch).toBeLessThanOrEqual(TRAINING_LIMITS.stepsPerEpoch.max);
        }
  });

  it('returns a fresh object each time', () => {
    const a = defaultRetrainSettings('wasm');
    a.epochs = 99;
    expect(defaultRetrainSettings('wasm').epochs).toBe(5);
    expect(RETRAIN_DEFAULTS.epochs).toBe(5);
  });
});

describe('trainsOnGpu', () => {
  it('is true for tensorflow-gpu and webgpu on a hardware adapter only', () => {
    expect(trainsOnGpu('tensorflow-gpu')).toBe(true);
    expect(trainsOnGpu('webgpu', h200())).toBe(true);
    expect(trainsOnGpu('webgpu', lavapipe)).toBe(false);
    expect(trainsOnGpu('webgpu')).toBe(false);
    expect(trainsOnGpu('wasm', h200())).toBe(false);
  });
});

describe('withRetrainDefaults', () => {
  it('keeps what was given and fills the rest; undefined counts as not given', () => {
    const gpu = defaultRetrainSettings('webgpu', h200());
    expect(withRetrainDefaults({ epochs: 3, batchSize: undefined }, gpu)).toEqual({
      ...gpu,
      epochs: 3,
    });
    expect(withRetrainDefaults({}, gpu)).toEqual(gpu);
  });
});

describe('quickRetrainSettings', () => {
  it('narrows Retrain’s defaults to the corrections: one epoch of 640 patches', () => {
    const cpu = quickRetrainSettings(RETRAIN_DEFAULTS);
    expect(cpu).toEqual({
      ...RETRAIN_DEFAULTS,
      fineTune: true,
      scope: 'corrections',
      epochs: 1,
      stepsPerEpoch: QUICK_PATCHES / RETRAIN_DEFAULTS.batchSize,
    });
    expect(patchesSeen(cpu)).toBe(640);
    // On a GPU the batch and learning rate stay the backend's; the steps shrink to match.
    const gpu = quickRetrainSettings(defaultRetrainSettings('webgpu', h200()));
    expect(gpu).toMatchObject({
      batchSize: 128,
      stepsPerEpoch: 5,
      epochs: 1,
      scope: 'corrections',
    });
    expect(retrainSettingsSchema.parse(gpu)).toEqual(gpu);
  });
});
