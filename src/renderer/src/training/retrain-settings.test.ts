import { describe, expect, it } from 'vitest';
import type { BackendReport, GpuAdapterReport } from '../../../shared/api/app';
import {
  RETRAIN_DEFAULTS,
  retrainSettingsInputSchema,
  TRAINING_LIMITS,
} from '../../../shared/api/training';
import { modelPreset } from '../../../shared/model-config';
import { defaultRetrainSettings } from '../../../shared/retrain-defaults';
import { defaultsHint, NUMBER_FIELDS, retrainDefaultsFor } from './retrain-settings';
import { H200_ADAPTER } from '../../../../test/support/gpu-adapters';

/** Limits as large as Dawn allows, so no batch is capped by memory here. */
const h200: GpuAdapterReport = { ...H200_ADAPTER, maxStorageBufferBindingSize: 2 ** 32 - 1 };

const onWebGpu: BackendReport = {
  active: 'webgpu',
  chosenBy: 'ladder',
  threads: 1,
  adapter: h200,
  rejected: [],
};

describe('the Retrain settings panel', () => {
  it('bounds every number field by the limits the engine checks', () => {
    expect(NUMBER_FIELDS.map((f) => [f.key, f.label])).toEqual([
      ['epochs', 'Epochs'],
      ['stepsPerEpoch', 'Steps/epoch'],
      ['batchSize', 'Batch'],
      ['patchSize', 'Patch px'],
      ['learningRate', 'Learning rate'],
      ['correctionWeight', 'Correction weight'],
    ]);
    for (const field of NUMBER_FIELDS) {
      expect([field.min, field.max], field.key).toEqual([
        TRAINING_LIMITS[field.key].min,
        TRAINING_LIMITS[field.key].max,
      ]);
      // What the field allows, training.start accepts; one step beyond, it refuses.
      const accepts = (value: number) =>
        retrainSettingsInputSchema.safeParse({ [field.key]: value }).success;
      expect(accepts(field.min), field.key).toBe(true);
      expect(accepts(field.max), field.key).toBe(true);
      expect(accepts(field.max + field.step), field.key).toBe(false);
      const below = field.step >= 1 ? field.min - field.step : field.min / 2;
      expect(accepts(below), field.key).toBe(false);
    }
  });

  it('shows the backend’s defaults: the CPU ones until app.info answers, the GPU ones on webgpu', () => {
    expect(retrainDefaultsFor(null, true, 'bench-unet')).toEqual(RETRAIN_DEFAULTS);
    expect(retrainDefaultsFor(onWebGpu, true, 'bench-unet')).toEqual(
      defaultRetrainSettings('webgpu', h200),
    );
    expect(retrainDefaultsFor(onWebGpu, true, 'bench-unet')).toMatchObject({
      batchSize: 128,
      stepsPerEpoch: 56,
      epochs: 2,
    });
    // From scratch the batch is sized for the chosen preset.
    const small = { ...onWebGpu, adapter: { ...h200, maxStorageBufferBindingSize: 32 * 2 ** 20 } };
    expect(retrainDefaultsFor(small, true, 'laddernet').batchSize).toBe(32);
    expect(retrainDefaultsFor(small, false, 'laddernet')).toEqual({
      ...defaultRetrainSettings('webgpu', small.adapter, modelPreset('laddernet')),
      fineTune: false,
      arch: 'laddernet',
    });
    expect(retrainDefaultsFor(small, false, 'laddernet').batchSize).toBe(128);
  });

  it('says which backend the defaults are for and how many patches they train on', () => {
    expect(defaultsHint(onWebGpu, retrainDefaultsFor(onWebGpu, true, 'bench-unet'))).toBe(
      'Defaults for webgpu on NVIDIA H200: 2 epochs × 56 steps × 128 = 14,336 patches.',
    );
    const wasm: BackendReport = { active: 'wasm', chosenBy: 'ladder', threads: 2, rejected: [] };
    expect(defaultsHint(wasm, retrainDefaultsFor(wasm, true, 'bench-unet'))).toBe(
      'Defaults for wasm: 5 epochs × 50 steps × 16 = 4,000 patches.',
    );
  });
});
