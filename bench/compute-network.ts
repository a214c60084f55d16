/**
 * One network's tfjs figures for bench/compute.bench.ts, run in its own process so its peak
 * RSS is its own: `node --import tsx bench/compute-network.ts <name> <threads> <warmup> <steps>
 * <inferRuns> <height> <width>`. Prints one JSON object on stdout.
 */
import * as tf from '@tensorflow/tfjs';
import { GradientWorkerPool, pooledTrainStep } from '../src/main/compute/parallel/gradient-pool';
import { setupCompute } from '../src/main/compute/setup';
import { unetForward } from '../src/main/compute/unet-forward';
import { buildModel, modelPreset } from '../src/main/compute/model';
import {
  appForward,
  compileNetwork,
  isBenchNetwork,
  median,
  paddedSize,
  PATCH,
  trainingBatch,
  wholeImageProbabilities,
  type BenchNetwork,
  type Forward,
} from './network-common';

const BATCH = 32;

async function main(): Promise<void> {
  const [name, threadsArg, warmupArg, stepsArg, inferArg, heightArg, widthArg] =
    process.argv.slice(2);
  if (!isBenchNetwork(name)) throw new Error(`unknown network ${name}`);
  const [threads, warmup, steps, inferRuns, height, width] = [
    threadsArg,
    warmupArg,
    stepsArg,
    inferArg,
    heightArg,
    widthArg,
  ].map(Number) as [number, number, number, number, number, number];
  const report = await setupCompute(undefined, { wasmThreads: threads });
  const network = compileNetwork(name);
  const { model, config } = network;
  const { x, y, vessel } = trainingBatch(BATCH, network.softmax);

  for (let i = 0; i < warmup; i++) await model.trainOnBatch(x, y);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = (await model.trainOnBatch(x, y)) as number;
  const trainSeconds = (performance.now() - start) / 1000;
  const trainCpu = process.cpuUsage(cpuStart);
  const dataParallel = await measureDataParallel(name, threads, warmup, steps, x, vessel);

  const [paddedHeight, paddedWidth] = paddedSize(name, height, width);
  const image = tf.randomUniform([1, height, width, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  // The app's forward pass (unetForward); model.predict is the plain graph, timed too for
  // comparison.
  const inferOnce = (forward: Forward) => {
    const probabilities = wholeImageProbabilities(name, network, image, forward);
    probabilities.dataSync();
    probabilities.dispose();
  };
  const medianInferMs = (forward: Forward) => {
    inferOnce(forward);
    const times: number[] = [];
    for (let i = 0; i < inferRuns; i++) {
      const t0 = performance.now();
      inferOnce(forward);
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  const inferMs = medianInferMs(appForward(network));
  const fastForwardMaxDifference = tf.tidy(() => {
    const x = tf.randomUniform(
      [1, paddedHeight, paddedWidth, 1],
      0,
      1,
      'float32',
      4,
    ) as tf.Tensor4D;
    return tf
      .max(tf.abs(tf.sub(unetForward(model, config, x), model.predict(x) as tf.Tensor)))
      .dataSync()[0]!;
  });
  const predictMs = medianInferMs((x) => model.predict(x) as tf.Tensor4D);

  process.stdout.write(
    `${JSON.stringify({
      name,
      params: model.countParams(),
      backend: report.active,
      threads: report.threads,
      // How the app trains (train/run-job.ts): the batch split over one gradient worker per core.
      trainPatchesPerSec: dataParallel.patchesPerSec,
      trainWorkers: threads,
      // The alternative: this process alone, the threaded wasm build's pool inside each op.
      trainPatchesPerSecOneProcess: (BATCH * steps) / trainSeconds,
      trainCpuSecondsPerStepOneProcess: (trainCpu.user + trainCpu.system) / 1e6 / steps,
      dataParallelLoss: dataParallel.loss,
      finalLoss: loss,
      inferMsPerImage: inferMs,
      // The same image through model.predict (the plain graph), and the largest difference
      // between the two outputs (float rounding; 0 where unetForward is model.predict).
      inferMsPerImagePlainGraph: predictMs,
      fastForwardMaxDifference,
      paddedTo: [paddedHeight, paddedWidth],
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

/**
 * Training throughput as the app trains: each batch of 32 split over `workers` gradient workers
 * (one wasm thread each), the exact gradient combined and Adam applied here.
 */
async function measureDataParallel(
  name: BenchNetwork,
  workers: number,
  warmup: number,
  steps: number,
  x: tf.Tensor,
  vessel: tf.Tensor,
): Promise<{ patchesPerSec: number; loss: number }> {
  const config = modelPreset(name);
  const model = buildModel(config);
  const pool = await GradientWorkerPool.start({
    workers,
    config,
    lossKind: 'bce',
    backend: 'wasm',
  });
  const optimizer = tf.train.adam(1e-3);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const batch = {
    x: x.dataSync() as Float32Array,
    y: vessel.dataSync() as Float32Array,
    weight: new Float32Array(BATCH * PATCH * PATCH).fill(1),
    shape: [BATCH, PATCH, PATCH, 1] as [number, number, number, number],
  };
  try {
    for (let i = 0; i < warmup; i++)
      await pooledTrainStep(model, optimizer, variables, pool, batch);
    const start = performance.now();
    let loss = 0;
    for (let i = 0; i < steps; i++)
      loss = await pooledTrainStep(model, optimizer, variables, pool, batch);
    return { patchesPerSec: (BATCH * steps) / ((performance.now() - start) / 1000), loss };
  } finally {
    await pool.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
