import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupCompute } from '../setup';
import { nearestSourceIndex, resizeNearestGradValues } from './resize-nearest-grad';
import { seededUniform } from './seeded-uniform';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

const CASES: [number[], number[], boolean, boolean][] = [
  [[2, 4, 4, 3], [2, 8, 8, 3], false, false],
  [[3, 3, 5, 2], [3, 7, 9, 2], false, true],
  [[2, 3, 5, 1], [2, 7, 9, 1], true, false],
  [[1, 6, 6, 2], [1, 4, 5, 2], false, false],
];

beforeAll(async () => {
  await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 1 });
});

describe('ResizeNearestNeighborGrad', () => {
  it('sums each 2x2 block into its source pixel, image by image', () => {
    const dy = Float32Array.from({ length: 32 }, (_, i) => i + 1);
    const dx = resizeNearestGradValues(dy, [2, 4, 4, 1], [2, 2, 2, 1], false, false);
    expect(Array.from(dx)).toEqual([14, 22, 46, 54, 78, 86, 110, 118]);
  });

  it('maps output indices to sources as the forward resize does', () => {
    expect(Array.from(nearestSourceIndex(2, 4, false, false))).toEqual([0, 0, 1, 1]);
    expect(Array.from(nearestSourceIndex(3, 5, true, false))).toEqual([0, 1, 1, 2, 2]);
  });

  for (const [inShape, outShape, alignCorners, halfPixelCenters] of CASES) {
    it(`is the adjoint of tfjs's resize on ${inShape.join('x')} -> ${outShape.slice(1, 3).join('x')} (alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters}), on wasm and cpu`, async () => {
      const x = seededUniform(tf.util.sizeFromShape(inShape), 1);
      const dy = seededUniform(tf.util.sizeFromShape(outShape), 2);
      for (const backend of ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const forward = tf.tidy(() =>
          tf.image
            .resizeNearestNeighbor(
              tf.tensor4d(x, inShape as [number, number, number, number]),
              [outShape[1]!, outShape[2]!],
              alignCorners,
              halfPixelCenters,
            )
            .dataSync(),
        ) as Float32Array;
        const grad = tf.tidy(() =>
          (
            tf.engine().runKernel(
              'ResizeNearestNeighborGrad',
              {
                images: tf.tensor4d(x, inShape as [number, number, number, number]),
                dy: tf.tensor4d(dy, outShape as [number, number, number, number]),
              },
              { alignCorners, halfPixelCenters },
            ) as tf.Tensor
          ).dataSync(),
        ) as Float32Array;
        // <A x, dy> = <x, A^T dy>: sums of at most a few hundred terms, float32.
        const lhs = dot(forward, dy);
        const rhs = dot(x, grad);
        expect(Math.abs(lhs - rhs), backend).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
      }
    });
  }
});
