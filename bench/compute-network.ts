/**
 * One network's tfjs figures for bench/compute.bench.ts, run in its own process so its peak
 * RSS is its own: `node --import tsx bench/compute-network.ts <name> <threads> <warmup> <steps>
 * <inferRuns> <height> <width>`. Prints one JSON object on stdout.
 */
import * as tf from '@tensorflow/tfjs';
import { setupCompute } from '../src/main/engine/compute/setup';
import { buildModel, modelPreset } from '../src/main/engine/model';

const BATCH = 32;
const PATCH = 48;

/** The network's size multiple: 2^poolings (bench-unet: 3, LadderNet: 4). */
const MULTIPLE: Record<string, number> = { 'bench-unet': 8, laddernet: 16 };

async function main(): Promise<void> {
  const [name, threadsArg, warmupArg, stepsArg, inferArg, heightArg, widthArg] =
    process.argv.slice(2);
  if (name !== 'bench-unet' && name !== 'laddernet') throw new Error(`unknown network ${name}`);
  const [threads, warmup, steps, inferRuns, height, width] = [
    threadsArg,
    warmupArg,
    stepsArg,
    inferArg,
    heightArg,
    widthArg,
  ].map(Number) as [number, number, number, number, number, number];
  const report = await setupCompute(undefined, { wasmThreads: threads });
  const model = buildModel(modelPreset(name));
  const softmax = model.outputs[0]!.shape[3] === 2;
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: softmax ? 'categoricalCrossentropy' : 'binaryCrossentropy',
  });
  const x = tf.randomUniform([BATCH, PATCH, PATCH, 1], 0, 1, 'float32', 1);
  const vessel = tf.tidy(() =>
    tf.randomUniform([BATCH, PATCH, PATCH, 1], 0, 1, 'float32', 2).greater(0.8).toFloat(),
  );
  const y = softmax ? tf.tidy(() => tf.concat([tf.sub(1, vessel), vessel], -1)) : vessel;

  for (let i = 0; i < warmup; i++) await model.trainOnBatch(x, y);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = (await model.trainOnBatch(x, y)) as number;
  const trainSeconds = (performance.now() - start) / 1000;
  const trainCpu = process.cpuUsage(cpuStart);

  const multiple = MULTIPLE[name]!;
  const paddedHeight = Math.ceil(height / multiple) * multiple;
  const paddedWidth = Math.ceil(width / multiple) * multiple;
  const image = tf.randomUniform([1, height, width, 1], 0, 1, 'float32', 3);
  const inferOnce = () => {
    const probabilities = tf.tidy(() => {
      const padded = tf.mirrorPad(
        image as tf.Tensor4D,
        [
          [0, 0],
          [0, paddedHeight - height],
          [0, paddedWidth - width],
          [0, 0],
        ],
        'reflect',
      );
      const out = model.predict(padded) as tf.Tensor4D;
      const channel = softmax ? 1 : 0;
      return out.slice([0, 0, 0, channel], [1, height, width, 1]);
    });
    probabilities.dataSync();
    probabilities.dispose();
  };
  inferOnce();
  const inferTimes: number[] = [];
  for (let i = 0; i < inferRuns; i++) {
    const t0 = performance.now();
    inferOnce();
    inferTimes.push(performance.now() - t0);
  }
  inferTimes.sort((a, b) => a - b);

  process.stdout.write(
    `${JSON.stringify({
      name,
      params: model.countParams(),
      backend: report.active,
      threads: report.threads,
      trainPatchesPerSec: (BATCH * steps) / trainSeconds,
      trainCpuSecondsPerStep: (trainCpu.user + trainCpu.system) / 1e6 / steps,
      finalLoss: loss,
      inferMsPerImage: inferTimes[Math.floor(inferTimes.length / 2)],
      paddedTo: [paddedHeight, paddedWidth],
      peakRssMb: process.resourceUsage().maxRSS / 1024,
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
