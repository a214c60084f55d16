/**
 * The helper threads under the threaded wasm backend: every thread computes its share with the
 * same arithmetic as one thread alone, so the split results must equal the unsplit ones exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededUniform } from '../kernels/seeded-uniform';
import { setupCompute } from '../setup';
import { winogradFor } from './kernels';
import { WinogradConv } from './winograd';

let backend: BackendWasm;

beforeAll(async () => {
  const report = await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 2 });
  expect(report.active).toBe('wasm');
  expect(report.threads).toBe(2);
  backend = tf.backend() as BackendWasm;
});

function values(info: tf.TensorInfo): Float32Array {
  const out = (backend.readSync(info.dataId) as Float32Array).slice();
  backend.disposeData(info.dataId);
  return out;
}

describe('Winograd helper threads', () => {
  it('start one helper beside this thread on the threaded backend', () => {
    const shared = winogradFor(backend) as unknown as { helpers?: { count: number } };
    expect(shared.helpers?.count).toBe(1);
  });

  it('split convolutions and filter gradients exactly as one thread computes them', () => {
    const shared = winogradFor(backend)!;
    const alone = new WinogradConv(backend);
    const x = tf.tensor4d(seededUniform(2 * 21 * 19 * 12, 61), [2, 21, 19, 12]);
    const w = tf.tensor4d(seededUniform(9 * 12 * 10, 62), [3, 3, 12, 10]);
    const b = tf.tensor1d(seededUniform(10, 63));
    const dy = tf.tensor4d(seededUniform(2 * 21 * 19 * 10, 64), [2, 21, 19, 10]);
    const conv = {
      x,
      filter: w,
      bias: b,
      relu: true,
      padTop: 1,
      padLeft: 1,
      outHeight: 21,
      outWidth: 19,
    };
    const split = values(shared.conv(conv));
    expect(Array.from(split)).toEqual(Array.from(values(alone.conv(conv))));
    expect(split.some((v) => v > 0)).toBe(true);
    const grad = { x, dy, padTop: 1, padLeft: 1 };
    expect(Array.from(values(shared.filterGrad(grad)))).toEqual(
      Array.from(values(alone.filterGrad(grad))),
    );
    tf.dispose([x, w, b, dy]);
  });
});
