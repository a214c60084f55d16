/**
 * Whole-image inference on webgpu (lavapipe here and in CI) gives wasm's probabilities, through
 * the app's own path (predictProbabilities: mirrored tiles, the fast U-Net forward pass or
 * model.predict, flip averaging), on a synthetic image of an awkward size.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelPreset, type ModelConfig } from '../../../shared/model-config';
import { buildModel } from '../model/build';
import { initSchemeFor, seedInitialWeights } from '../model/seeded-init';
import { predictProbabilities, type InferenceInput, type InferenceOptions } from '../infer';
import { setupCompute } from '../setup';
import { hasFastUnetForward } from '../unet-forward';
import { gpuFault } from './device';
import { onBackend, startGpuForTests, type GpuForTests } from './test-gpu';

const sameUnet = { ...modelPreset('bench-unet'), depth: 2, baseWidth: 4 } as ModelConfig;
const validUnet = { ...modelPreset('unet-paper'), depth: 2, baseWidth: 2 } as ModelConfig;
const ladder = { ...modelPreset('laddernet'), layers: 2, filters: 4 } as ModelConfig;

const WIDTH = 101;
const HEIGHT = 89;

/** A smooth synthetic image with structure at a few scales. */
const image: InferenceInput = {
  width: WIDTH,
  height: HEIGHT,
  data: Float32Array.from(
    { length: WIDTH * HEIGHT },
    (_, i) =>
      Math.sin((i % WIDTH) / 5) * Math.cos(Math.floor(i / WIDTH) / 7) + 0.3 * Math.sin(i / 2),
  ),
};

/**
 * Builds `config` on the active backend with seeded weights (the same on every backend, in the
 * scheme the architecture trains from), its head kernel scaled by `headScale` so the
 * probabilities spread over (0, 1): near-constant outputs would agree whatever the network
 * computed. The scales keep the logits moderate, as a trained model's are: LadderNet with He
 * weights and its head scaled by 30 has logits in the hundreds, where float32 rounding alone
 * moves a probability by 2.4e-4 between cpu and wasm.
 */
function seededModel(config: ModelConfig, headScale: number): tf.LayersModel {
  const model = buildModel(config);
  seedInitialWeights(model, 1, initSchemeFor(config));
  const head = model.getLayer('head');
  const [kernel, ...rest] = head.getWeights();
  const scaled = tf.mul(kernel!, headScale);
  head.setWeights([scaled, ...rest]);
  scaled.dispose();
  return model;
}

/** The app's prediction of the image with a fresh seeded model on `backend`. */
function predictOn(
  backend: 'wasm' | 'webgpu',
  config: ModelConfig,
  headScale: number,
  options: Omit<InferenceOptions, 'config'>,
): Promise<Float32Array> {
  return onBackend(backend, async () => {
    const model = seededModel(config, headScale);
    try {
      return await predictProbabilities(model, image, { config, ...options });
    } finally {
      model.dispose();
    }
  });
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function spread(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return Math.sqrt(squares / values.length);
}

let gpu: GpuForTests = { ok: false, reason: 'not started' };

beforeAll(async () => {
  gpu = await startGpuForTests();
  if (!gpu.ok) return;
  // wasm as the app sets it up (our kernels registered); webgpu stays initialised beside it.
  await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 1 });
  await tf.setBackend('webgpu');
}, 120_000);

afterEach(() => {
  expect(gpuFault()).toBeNull();
});

describe('inference on webgpu matches wasm', () => {
  it.for([
    ['a same-padding U-Net (the fast forward pass)', sameUnet, 10, {}],
    ['LadderNet (model.predict)', ladder, 4, {}],
    // Tiles of 64 give outputs of 24: 5 x 4 tiles over 101 x 89.
    ['a valid-padding U-Net in overlap tiles', validUnet, 30, { tileSize: 64 }],
  ] as const)(
    '%s, with and without flips, and with flips and quarter turns',
    { timeout: 120_000 },
    async ([, config, headScale, tiling], ctx) => {
      if (!gpu.ok) return ctx.skip(gpu.reason);
      if (config === sameUnet) expect(hasFastUnetForward(config)).toBe(true);
      const wasm = await predictOn('wasm', config, headScale, tiling);
      const webgpu = await predictOn('webgpu', config, headScale, tiling);
      const wasmFlips = await predictOn('wasm', config, headScale, { ...tiling, flips: true });
      const webgpuFlips = await predictOn('webgpu', config, headScale, { ...tiling, flips: true });
      const turned = { ...config, inference: { flips: true, turns: true } };
      const wasmTurns = await predictOn('wasm', turned, headScale, { ...tiling, flips: true });
      const webgpuTurns = await predictOn('webgpu', turned, headScale, { ...tiling, flips: true });
      expect(webgpu.length).toBe(WIDTH * HEIGHT);
      expect(webgpuFlips.length).toBe(WIDTH * HEIGHT);
      // Neither comparison is vacuous: the map is far from constant, and the flips change it.
      expect(spread(wasm), 'the probabilities spread over (0, 1)').toBeGreaterThan(0.1);
      expect(maxDifference(wasmFlips, wasm), 'flip averaging changes the map').toBeGreaterThan(
        0.05,
      );
      // Both compute in float32 in another order, and a probability is a sigmoid or softmax of
      // logits of a few units here, whose slope is at most 1/4: rounding of the logits (a few
      // ulps of each sum) stays far below 1e-4 (seen: at most 1.2e-6), while a wrong tile, flip
      // or kernel moves probabilities by hundredths at least.
      expect(maxDifference(webgpu, wasm), 'without flips').toBeLessThan(1e-4);
      expect(maxDifference(webgpuFlips, wasmFlips), 'with flips').toBeLessThan(1e-4);
      expect(maxDifference(wasmTurns, wasmFlips), 'turns change the map').toBeGreaterThan(1e-3);
      expect(maxDifference(webgpuTurns, wasmTurns), 'with turns').toBeLessThan(1e-4);
    },
  );
});
