/**
 * The GPU section's measurements, on tfjs' webgpu backend in this process: per network,
 * training patches/s at each batch size, the median time of a whole-image inference, and a
 * per-kernel profile of one training step; then the PyTorch twins and the comparison.
 *
 * WebGPU in Node cannot read tensors synchronously, and tfjs records GPU work and returns before
 * the GPU has done it, so every timed span ends on an awaited read (trainOnBatch awaits the
 * loss, inference awaits the probabilities) followed by the queue's onSubmittedWorkDone: the
 * spans are GPU time, not time to record commands.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { setupCompute } from '../src/main/compute/setup';
import { assertGpuHealthy } from '../src/main/compute/webgpu/device';
import { probeGpu } from './gpu-probe';
import {
  allMet,
  compareWithPeer,
  GPU_TARGET,
  noGpuSection,
  peerFigures,
  torchPlan,
  type GpuBenchOptions,
} from './gpu-section';
import { probeTorch, runTwin, type TorchPaths } from './gpu-torch';
import { profileKernels, type KernelTimes } from './kernel-profile';
import {
  appForward,
  compileNetwork,
  median,
  paddedSize,
  PATCH,
  trainingBatch,
  wholeImageProbabilities,
  type BenchNetwork,
} from './network-common';

export interface GpuRunIo {
  log(text: string): void;
  signal: AbortSignal;
  torch: TorchPaths;
}

interface OurTrainFigure {
  batch: number;
  patchesPerSec: number;
  stepMs: number;
  finalLoss: number;
}

interface OurFigures {
  name: BenchNetwork;
  params: number;
  train: OurTrainFigure[];
  inferMsPerImage: number;
  inferMsRuns: number[];
  paddedTo: [number, number];
  trainStepProfile: {
    batch: number;
    /** Wall time of the profiled step; profiling itself slows it (one pass per kernel). */
    wallMs: number;
    kernels: KernelTimes;
  } | null;
}

/** Waits for the work already submitted to the GPU; a no-op on a backend without a queue. */
async function gpuIdle(): Promise<void> {
  const backend = tf.backend() as unknown as {
    device?: { queue?: { onSubmittedWorkDone?(): Promise<unknown> } };
  };
  await backend.device?.queue?.onSubmittedWorkDone?.();
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

async function measureNetwork(
  name: BenchNetwork,
  options: GpuBenchOptions,
  io: GpuRunIo,
): Promise<OurFigures> {
  const network = compileNetwork(name);
  const { model } = network;
  try {
    const train: OurTrainFigure[] = [];
    let trainStepProfile: OurFigures['trainStepProfile'] = null;
    // The profile is of the largest batch: the one the training target is judged at.
    const profiledBatch = Math.max(...options.batches);
    for (const batch of options.batches) {
      io.log(`gpu: ${name} training, batch ${batch} (${options.steps} timed steps)`);
      const data = trainingBatch(batch, network.softmax);
      try {
        // Warm-up compiles the shaders of this batch's shapes, which the timed steps reuse.
        for (let i = 0; i < options.warmup; i++) await model.trainOnBatch(data.x, data.y);
        await gpuIdle();
        const start = performance.now();
        let loss = NaN;
        for (let i = 0; i < options.steps; i++) {
          loss = (await model.trainOnBatch(data.x, data.y)) as number;
        }
        await gpuIdle();
        const seconds = (performance.now() - start) / 1000;
        assertGpuHealthy();
        train.push({
          batch,
          patchesPerSec: (batch * options.steps) / seconds,
          stepMs: (seconds * 1000) / options.steps,
          finalLoss: loss,
        });
        if (batch === profiledBatch) {
          const profileStart = performance.now();
          const kernels = await profileKernels(async () => {
            await model.trainOnBatch(data.x, data.y);
          }, 3);
          await gpuIdle();
          trainStepProfile = {
            batch,
            wallMs: round(performance.now() - profileStart, 1),
            kernels,
          };
        }
      } finally {
        tf.dispose([data.x, data.y, data.vessel]);
      }
    }

    io.log(`gpu: ${name} whole-image inference ${options.height}x${options.width}`);
    const image = tf.randomUniform(
      [1, options.height, options.width, 1],
      0,
      1,
      'float32',
      3,
    ) as tf.Tensor4D;
    const forward = appForward(network);
    const inferOnce = async () => {
      const probabilities = wholeImageProbabilities(name, network, image, forward);
      try {
        await probabilities.data();
      } finally {
        probabilities.dispose();
      }
    };
    const times: number[] = [];
    try {
      for (let i = 0; i < Math.max(1, options.warmup); i++) await inferOnce();
      for (let i = 0; i < options.inferRuns; i++) {
        await gpuIdle();
        const start = performance.now();
        await inferOnce();
        await gpuIdle();
        times.push(performance.now() - start);
      }
    } finally {
      image.dispose();
    }
    assertGpuHealthy();
    return {
      name,
      params: model.countParams(),
      train,
      inferMsPerImage: median(times),
      inferMsRuns: times.map((t) => round(t, 2)),
      paddedTo: paddedSize(name, options.height, options.width),
      trainStepProfile,
    };
  } finally {
    model.optimizer?.dispose();
    model.dispose();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The whole GPU section: says there is no GPU and stops, or measures every network on it and
 * sets each beside its PyTorch twin.
 */
export async function runGpuSection(
  options: GpuBenchOptions,
  io: GpuRunIo,
): Promise<{ gpu: Record<string, unknown> }> {
  const availability = await probeGpu(options);
  if (!availability.available) return noGpuSection(availability);
  let report;
  try {
    report = await setupCompute({ name: 'webgpu', by: options.forcedBy ?? 'flag' });
  } catch (error) {
    return noGpuSection({
      available: false,
      reason: `The webgpu backend did not start: ${message(error)}`,
      adapter: availability.adapter,
    });
  }
  const adapter = report.adapter ?? availability.adapter;
  const software = adapter.software;
  // tfjs times each kernel with the GPU's timestamps only when the device has the feature;
  // without it every kernel time in the profile is tfjs' 0, not a measurement.
  const timestampQuery =
    (tf.backend() as unknown as { supportTimestampQuery?: boolean }).supportTimestampQuery === true;
  io.log(
    `gpu: webgpu on ${adapter.vendor} ${adapter.device}${software ? ' (software adapter, forced: not a GPU figure)' : ''}`,
  );

  const plan =
    options.torchDevice === 'none'
      ? torchPlan('none', { ok: false, reason: '' })
      : torchPlan(options.torchDevice, await probeTorch(io.torch, io.signal));

  const networks: Record<string, unknown>[] = [];
  for (const name of options.networks) {
    let ours: OurFigures;
    try {
      ours = await measureNetwork(name, options, io);
    } catch (error) {
      networks.push({ name, error: message(error), met: { train: null, infer: null, all: null } });
      continue;
    }
    let peer: Record<string, unknown> | null = null;
    if (plan.run) {
      io.log(`gpu: ${name} PyTorch twin on ${plan.device}`);
      peer = await runTwin(io.torch, name, plan.device, options, io.signal);
    }
    const comparison = compareWithPeer(ours, peer && peerFigures(peer), software);
    networks.push({
      ...ours,
      inferMsPerImage: round(ours.inferMsPerImage, 2),
      train: ours.train.map((t) => ({
        batch: t.batch,
        patchesPerSec: round(t.patchesPerSec, 1),
        stepMs: round(t.stepMs, 2),
        finalLoss: t.finalLoss,
      })),
      peer,
      ...comparison,
    });
  }

  const met = allMet(networks.map((n) => (n.met as { all: boolean | null }).all));
  return {
    gpu: {
      available: true,
      adapter,
      ...(software
        ? {
            note: 'Software adapter, forced: WebGPU on the CPU (e.g. lavapipe). These figures test the bench; they are not GPU figures, and no target is judged on them.',
          }
        : {}),
      backend: { active: report.active, chosenBy: report.chosenBy },
      timestampQuery,
      settings: {
        patch: PATCH,
        batches: options.batches,
        warmup: options.warmup,
        steps: options.steps,
        inferRuns: options.inferRuns,
        image: [options.height, options.width],
        loss: 'binary cross-entropy (bench-unet), categorical cross-entropy (LadderNet), Adam 1e-3',
      },
      target: GPU_TARGET,
      torch: plan.torch,
      networks,
      met,
      conditions: { loadAverage: os.loadavg().map((l) => round(l, 2)) },
    },
  };
}
