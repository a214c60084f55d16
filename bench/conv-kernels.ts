/**
 * Our WebAssembly convolution module against upstream's XNNPACK path on one wasm thread, on
 * bench-unet's training shapes (batch 16, one gradient worker's share) and its 584x568
 * inference shapes: the Winograd forward convolution (Conv2D) and the direct filter gradient
 * (Conv2DBackpropFilter, ours either way: the module's or our XNNPACK composition).
 * Best of 5 runs each. Prints one JSON object.
 *
 *   node --import tsx bench/conv-kernels.ts
 */
import * as tf from '@tensorflow/tfjs';
import { setupCompute } from '../src/main/compute/setup';
import {
  registerWinogradKernels,
  unregisterWinogradKernels,
} from '../src/main/compute/winograd/kernels';

type Shape = [number, number, number, number, number];
const FORWARD: Shape[] = [
  [1, 584, 568, 16, 16],
  [1, 292, 284, 32, 32],
  [1, 146, 142, 64, 64],
  [1, 73, 71, 128, 128],
  [16, 48, 48, 16, 16],
  [16, 24, 24, 32, 32],
  [16, 12, 12, 64, 64],
  [16, 6, 6, 128, 128],
];
const FILTER: Shape[] = [
  [16, 48, 48, 16, 16],
  [16, 48, 48, 48, 16],
  [16, 24, 24, 32, 32],
  [16, 24, 24, 96, 32],
  [16, 12, 12, 64, 64],
  [16, 12, 12, 192, 64],
  [16, 6, 6, 128, 128],
];

function bestMs(run: () => tf.Tensor): number {
  run().dispose();
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const out = run();
    out.dataSync();
    best = Math.min(best, performance.now() - start);
    out.dispose();
  }
  return Math.round(best * 10) / 10;
}

/** Times `op` with our module on, then with the kernels before it. */
function compare(label: string, op: () => tf.Tensor) {
  registerWinogradKernels();
  const ours = bestMs(op);
  unregisterWinogradKernels();
  const upstream = bestMs(op);
  registerWinogradKernels();
  return {
    shape: label,
    oursMs: ours,
    upstreamMs: upstream,
    speedup: +(upstream / ours).toFixed(2),
  };
}

await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 1 });
const forward = FORWARD.map(([n, h, w, c, k]) => {
  const x = tf.randomNormal([n, h, w, c]) as tf.Tensor4D;
  const filter = tf.randomNormal([3, 3, c, k], 0, 0.1) as tf.Tensor4D;
  const bias = tf.randomNormal([k]) as tf.Tensor1D;
  const result = compare(`${n}x${h}x${w}x${c}->${k}`, () =>
    tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same', activation: 'relu' }),
  );
  tf.dispose([x, filter, bias]);
  return result;
});
const filterGradient = FILTER.map(([n, h, w, c, k]) => {
  const x = tf.randomNormal([n, h, w, c]);
  const dy = tf.randomNormal([n, h, w, k]);
  const result = compare(
    `${n}x${h}x${w}x${c}->${k}`,
    () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, c, k] },
        ) as tf.Tensor,
  );
  tf.dispose([x, dy]);
  return result;
});
process.stdout.write(`${JSON.stringify({ threads: 1, forward, filterGradient })}\n`);
process.exit(0);
