/**
 * Where a network's time goes, per tfjs kernel: one training step (batch of 32 patches of
 * 48x48x1, Adam, trainOnBatch in this process) and one whole-image inference (584x568, the app's
 * forward pass and the plain graph), with the wasm backend on the given number of threads.
 * Prints one JSON object.
 *
 *   node --import tsx bench/profile-kernels.ts [bench-unet|laddernet] [threads]
 */
import * as tf from '@tensorflow/tfjs';
import { setupCompute } from '../src/main/compute/setup';
import { unetForward } from '../src/main/compute/unet-forward';
import { buildModel, modelPreset } from '../src/main/compute/model';
import { profileKernels } from './kernel-profile';

/** Median wall-clock milliseconds of `runs` calls. */
async function medianMs(runs: number, run: () => Promise<void> | void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]!);
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? 'bench-unet';
  if (name !== 'bench-unet' && name !== 'laddernet') throw new Error(`unknown network ${name}`);
  const threads = Number(process.argv[3] ?? 2);
  const report = await setupCompute({ name: 'wasm', by: 'flag' }, { wasmThreads: threads });
  const model = buildModel(modelPreset(name));
  const softmax = model.outputs[0]!.shape[3] === 2;
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: softmax ? 'categoricalCrossentropy' : 'binaryCrossentropy',
  });
  const x = tf.randomUniform([32, 48, 48, 1], 0, 1, 'float32', 1);
  const vessel = tf.tidy(() =>
    tf.randomUniform([32, 48, 48, 1], 0, 1, 'float32', 2).greater(0.8).toFloat(),
  );
  const y = softmax ? tf.tidy(() => tf.concat([tf.sub(1, vessel), vessel], -1)) : vessel;
  const step = async () => {
    await model.trainOnBatch(x, y);
  };
  const image = tf.randomUniform([1, 584, 568, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  // The app's forward pass (compute/unet-forward.ts), and the plain graph for comparison.
  const config = modelPreset(name);
  const inferWith = (forward: (x: tf.Tensor4D) => tf.Tensor) => () => {
    const out = forward(image);
    out.dataSync();
    out.dispose();
  };
  const infer = inferWith((x) => unetForward(model, config, x));
  const inferPlain = inferWith((x) => model.predict(x) as tf.Tensor);
  await step();
  await step();
  infer();
  const trainKernels = await profileKernels(step);
  const inferKernels = await profileKernels(infer);
  const inferPlainKernels = await profileKernels(inferPlain);
  process.stdout.write(
    `${JSON.stringify({
      network: name,
      backend: report.active,
      threads: report.threads,
      trainStepMs: await medianMs(3, step),
      trainKernelsMs: trainKernels,
      inferMs: await medianMs(3, infer),
      inferKernelsMs: inferKernels,
      inferPlainGraphMs: await medianMs(3, inferPlain),
      inferPlainGraphKernelsMs: inferPlainKernels,
    })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
