import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Crop2D, SpatialDropout2D, sharedResidualBlock } from './layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A model holding one shared-weights residual block on a C-channel input. */
function blockModel(channels: number, blockDropout = 0.25, padding: 'same' | 'valid' = 'same') {
  const input = tf.input({ shape: [null, null, channels] });
  const output = sharedResidualBlock(
    input,
    channels,
    { padding, batchNorm: false, blockDropout },
    'blk',
  );
  return tf.model({ inputs: input, outputs: output });
}

describe('shared-weights residual block', () => {
  it('holds one 3x3 convolution (one kernel variable, one bias) applied twice', () => {
    const model = blockModel(3);
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs).toHaveLength(1);
    expect(convs[0].inboundNodes).toHaveLength(2);
    expect(model.trainableWeights.map((w) => w.shape)).toEqual([[3, 3, 3, 3], [3]]);
    // 9C^2 + C parameters per block (REFERENCES.md, from the released code).
    expect(model.countParams()).toBe(9 * 3 * 3 + 3);
    model.dispose();
  });

  it('computes relu(conv(drop(relu(conv(x)))) + x) with the same kernel, and both uses feed its gradient', () => {
    const channels = 2;
    const model = blockModel(channels);
    const conv = model.layers.find((l) => l.getClassName() === 'Conv2D') as tf.layers.Layer;
    const [kernel, bias] = conv.getWeights() as [tf.Tensor4D, tf.Tensor1D];
    const x = tf.randomNormal([1, 6, 5, channels], 0, 1, 'float32', 7) as tf.Tensor4D;

    // The block by hand, with the kernel of each use as its own argument.
    const byHand = (k1: tf.Tensor4D, k2: tf.Tensor4D) => {
      const first = tf.relu(tf.add(tf.conv2d(x, k1, 1, 'same'), bias)) as tf.Tensor4D;
      const second = tf.add(tf.conv2d(first, k2, 1, 'same'), bias);
      return tf.relu(tf.add(second, x));
    };
    const predicted = model.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(predicted, byHand(kernel, kernel)))).dataSync()[0]).toBeLessThan(
      1e-5,
    );

    // The gradient of sum(output^2) with respect to each use's kernel separately (two distinct
    // copies: the tape would merge one tensor passed twice)...
    const [fromFirst, fromSecond] = tf.grads((k1: tf.Tensor, k2: tf.Tensor) =>
      tf.sum(tf.square(byHand(k1 as tf.Tensor4D, k2 as tf.Tensor4D))),
    )([kernel.clone(), kernel.clone()]);
    // ...and the model's gradient with respect to its single kernel variable.
    const kernelVariable = conv.trainableWeights[0].read() as tf.Variable;
    expect(kernelVariable).toBeInstanceOf(tf.Variable);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.square(model.apply(x, { training: false }) as tf.Tensor)) as tf.Scalar,
      [kernelVariable],
    );
    const modelGrad = grads[kernelVariable.name];
    const norm = (t: tf.Tensor) => tf.norm(t).dataSync()[0];
    expect(norm(fromFirst)).toBeGreaterThan(1e-3);
    expect(norm(fromSecond)).toBeGreaterThan(1e-3);
    // Both contributions reach the variable: its gradient is their sum, not either alone.
    expect(norm(tf.sub(modelGrad, tf.add(fromFirst, fromSecond)))).toBeLessThan(
      1e-4 * norm(modelGrad),
    );
    expect(norm(tf.sub(modelGrad, fromFirst))).toBeGreaterThan(1e-3);
    expect(norm(tf.sub(modelGrad, fromSecond))).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('with valid padding trims the residual to the 4-pixel-smaller output', () => {
    const model = blockModel(2, 0, 'valid');
    const out = model.predict(tf.ones([1, 9, 8, 2])) as tf.Tensor;
    expect(out.shape).toEqual([1, 5, 4, 2]);
    model.dispose();
  });
});

describe('SpatialDropout2D', () => {
  it('drops whole channels while training and passes everything through otherwise', () => {
    const layer = new SpatialDropout2D({ rate: 0.5, seed: 3 });
    const x = tf.ones([2, 4, 3, 16]);
    const trained = layer.apply(x, { training: true }) as tf.Tensor;
    const values = trained.arraySync() as number[][][][];
    let dropped = 0;
    for (let b = 0; b < 2; b++) {
      for (let c = 0; c < 16; c++) {
        const channel = values[b].flatMap((row) => row.map((pixel) => pixel[c]));
        const first = channel[0];
        expect(first === 0 || Math.abs(first - 2) < 1e-6).toBe(true);
        expect(channel.every((v) => v === first)).toBe(true);
        if (first === 0) dropped++;
      }
    }
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(32);
    const inferred = layer.apply(x, { training: false }) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(inferred, x))).dataSync()[0]).toBe(0);
  });
  it('is active through a functional model applied with training: true, as the training loop does', () => {
    const input = tf.input({ shape: [null, null, 8] });
    const output = new SpatialDropout2D({ rate: 0.5, seed: 1 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const x = tf.ones([2, 4, 4, 8]);
    const zeros = (t: tf.Tensor) => tf.sum(tf.equal(t, 0)).dataSync()[0];
    const trained = model.apply(x, { training: true }) as tf.Tensor;
    // Whole channels: the zero count is a multiple of the 16 pixels of a channel.
    expect(zeros(trained)).toBeGreaterThan(0);
    expect(zeros(trained) % 16).toBe(0);
    expect(zeros(model.predict(x) as tf.Tensor)).toBe(0);
  });
});

describe('Crop2D', () => {
  it('keeps unknown sizes unknown and crops known ones', () => {
    const crop = new Crop2D({
      cropping: [
        [1, 0],
        [2, 1],
      ],
    });
    expect(crop.computeOutputShape([null, null, null, 3])).toEqual([null, null, null, 3]);
    expect(crop.computeOutputShape([null, 10, 9, 3])).toEqual([null, 9, 6, 3]);
    const x = tf.range(0, 20).reshape([1, 4, 5, 1]);
    const out = crop.apply(x) as tf.Tensor;
    expect(out.shape).toEqual([1, 3, 2, 1]);
    expect(Array.from(out.dataSync())).toEqual([7, 8, 12, 13, 17, 18]);
  });
});
