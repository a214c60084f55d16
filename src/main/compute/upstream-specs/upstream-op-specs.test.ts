/**
 * tfjs-core's own op specs, as shipped in node_modules/@tensorflow/tfjs-core/dist/ops, run
 * against our wasm setup (setupCompute: upstream's wasm backend with our kernels in front): the
 * specs of every op whose kernel we register or wrap (Conv2D, FusedConv2D, Conv2DBackpropInput
 * and Conv2DBackpropFilter through the conv2d, conv2dTranspose and fused conv2d specs' gradients,
 * SplitV, Concat, Sum, MaxPoolGrad, ResizeNearestNeighborGrad). tfjs-core has no spec files of
 * its own for the two backprop ops. Which specs run: ./spec-filters.ts.
 *
 * The specs import tfjs-core's ESM build ('../index', '../test_util', '../jasmine_util'); the
 * mocks below hand them the CommonJS build that @tensorflow/tfjs (and so our kernels) use, and
 * our jasmine shim, so they run on the very engine and kernel registry setupCompute set up.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { setupCompute } from '../setup';
import { installJasmineGlobals, registeredSpecs } from './jasmine-shim';
import { runsOnOurWasm } from './spec-filters';

vi.mock('@tensorflow/tfjs-core/dist/jasmine_util.js', () => import('./jasmine-shim'));
vi.mock('@tensorflow/tfjs-core/dist/index.js', async () => {
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)('@tensorflow/tfjs-core');
});
vi.mock('@tensorflow/tfjs-core/dist/test_util.js', async () => {
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)('@tensorflow/tfjs-core').test_util;
});

installJasmineGlobals(runsOnOurWasm);

beforeAll(async () => {
  const report = await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 1 });
  expect(report.active).toBe('wasm');
});

const SPEC_FILES = [
  'conv2d_test',
  'conv2d_transpose_test',
  'fused/fused_conv2d_test',
  'split_test',
  'concat_test',
  'sum_test',
  'max_pool_test',
  'image/resize_nearest_neighbor_test',
];
for (const file of SPEC_FILES) await import(`@tensorflow/tfjs-core/dist/ops/${file}.js`);

describe('the upstream spec harness', () => {
  it('gives the specs the tfjs-core our kernels are registered in', async () => {
    const specCore = await import('@tensorflow/tfjs-core/dist/index.js');
    const ourCore = createRequire(import.meta.url)('@tensorflow/tfjs-core');
    expect(specCore.Tensor).toBe(ourCore.Tensor);
    expect(specCore.engine()).toBe(tf.engine());
    expect(tf.getBackend()).toBe('wasm');
  });

  it('runs the specs our fixes answer, and the gradient specs that reach our kernels', () => {
    const { run } = registeredSpecs();
    for (const name of [
      'conv2dTranspose test-wasm {} input=8x8x8,output=4x4x8,f=8,s=1,inDepth=8,p=same vec4',
      'split test-wasm {} multiple negative number throws error',
      'split test-wasm {} sizes to not sum to axis size throws error',
      'split test-wasm {} number of splits does not evenly divide axis',
      'conv2d test-wasm {} gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0',
      'conv2dTranspose test-wasm {} gradient input=[1,2,2,2] f=[2,2,2,1] s=[2,2] padding=same',
      'concat3d test-wasm {} gradient concat axis=2',
      'maxPoolBackprop test-wasm {} gradient x=[4,4,1] f=[2,2] s=2 test #1',
    ]) {
      expect(run).toContain(name);
    }
  });
});
