/**
 * No tensor leaks on wasm with our kernels: tf.memory() (tensors and bytes) and the wasm
 * backend's own data count are the same before and after 100 training steps and 100
 * inferences, once the optimiser's slots exist.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { buildModel } from '../model';
import { setupCompute } from '../setup';
import { seededUniform } from './seeded-uniform';

beforeAll(async () => {
  const report = await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 1 });
  expect(report.active).toBe('wasm');
});

it('keeps tf.memory() flat over 100 training steps and 100 inferences on wasm', async () => {
  await tf.setBackend('wasm');
  // A LadderNet exercises every kernel of ours: strided and transposed convolutions.
  const model = buildModel({
    arch: 'laddernet',
    layers: 2,
    filters: 4,
    blockDropout: 0.25,
    batchNorm: false,
    output: 'softmax',
    inputChannels: 1,
    preprocessing: null,
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.tensor4d(seededUniform(2 * 8 * 8, 1, 0, 1), [2, 8, 8, 1]);
  const y = tf.tidy(() => {
    const vessel = x.greater(0.7).toFloat();
    return tf.concat([tf.sub(1, vessel), vessel], -1);
  });
  const image = tf.tensor4d(seededUniform(16 * 16, 2, 0, 1), [1, 16, 16, 1]);
  const backend = tf.backend() as unknown as { numDataIds(): number };

  // One step and one inference first: Adam creates its moment slots on the first step.
  await model.trainOnBatch(x, y);
  tf.tidy(() => (model.predict(image) as tf.Tensor).dataSync());
  const before = { ...tf.memory(), dataIds: backend.numDataIds() };

  for (let i = 0; i < 100; i++) await model.trainOnBatch(x, y);
  for (let i = 0; i < 100; i++) {
    const probabilities = model.predict(image) as tf.Tensor;
    probabilities.dataSync();
    probabilities.dispose();
  }
  const after = { ...tf.memory(), dataIds: backend.numDataIds() };

  expect(after.numTensors).toBe(before.numTensors);
  expect(after.numBytes).toBe(before.numBytes);
  expect(after.numDataBuffers).toBe(before.numDataBuffers);
  expect(after.dataIds).toBe(before.dataIds);
  tf.dispose([x, y, image]);
  model.dispose();
});
