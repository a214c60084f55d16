import { describe, expect, it } from 'vitest';
import { modelPreset } from '../../../shared/model-config';
import { buildModel } from './build';
import { fanIn, seedInitialWeights } from './seeded-init';

describe('seedInitialWeights', () => {
  it('gives the same weights for the same seed and others for another seed', () => {
    const a = buildModel(modelPreset('bench-unet'));
    const b = buildModel(modelPreset('bench-unet'));
    seedInitialWeights(a, 3);
    seedInitialWeights(b, 3);
    const wa = a.getWeights().map((w) => w.dataSync());
    const wb = b.getWeights().map((w) => w.dataSync());
    expect(wa.every((w, i) => w.every((v, j) => v === wb[i]![j]))).toBe(true);
    seedInitialWeights(b, 4);
    expect(b.getWeights()[0]!.dataSync()[0]).not.toBe(wa[0]![0]);
    a.dispose();
    b.dispose();
  });

  it('draws kernels with He std sqrt(2 / fan-in) and zero biases', () => {
    const model = buildModel(modelPreset('bench-unet'));
    seedInitialWeights(model, 1);
    for (const weight of model.weights) {
      const values = Float32Array.from(weight.read().dataSync());
      if (weight.name.endsWith('bias')) {
        expect(values.every((v) => v === 0)).toBe(true);
      } else if (weight.name.endsWith('kernel') && values.length > 5000) {
        const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
        expect(std).toBeCloseTo(Math.sqrt(2 / fanIn(weight.shape as number[])), 2);
      }
    }
    model.dispose();
  });

  it('computes fan-in like tfjs-layers', () => {
    expect(fanIn([3, 3, 16, 32])).toBe(144);
    expect(fanIn([1, 1, 16, 1])).toBe(16);
    expect(fanIn([10, 4])).toBe(10);
  });
});
