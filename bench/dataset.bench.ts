/**
 * Dataset benchmark: the augmented patch stream that feeds training, in samples per second on
 * one core (the sampler is single-threaded JavaScript). DRIVE's 20 training images with the
 * LadderNet preprocessing when the set is present, synthetic images of the same size otherwise.
 * Figures are wall-clock; the CPU-time rate is given too because the machine is shared.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './index';
import {
  AUGMENT_ALL,
  AUGMENT_NONE,
  createPatchStream,
  loadTrainingImages,
  openDataset,
  PREPROCESS_RECIPES,
  type AugmentConfig,
  type SamplerConfig,
  type TrainingImage,
} from '../src/main/engine/dataset';

const here = path.dirname(fileURLToPath(import.meta.url));
const driveRoot = path.resolve(here, '../../shared/datasets/DRIVE');

/** Synthetic 565x584 images with a disc FOV and a grid of thin vessels. */
function syntheticImages(count: number): TrainingImage[] {
  const width = 565;
  const height = 584;
  return Array.from({ length: count }, (_, k) => {
    const image = new Float32Array(width * height);
    const label = new Uint8Array(width * height);
    const fov = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        fov[i] = (x - 282) ** 2 + (y - 292) ** 2 < 270 ** 2 ? 1 : 0;
        label[i] = fov[i]! && ((x + k) % 40 < 3 || (y + 2 * k) % 55 < 2) ? 1 : 0;
        image[i] = fov[i] ? 0.6 - 0.3 * label[i]! + 0.1 * Math.sin(x / 17) : 0;
      }
    }
    return { id: `synthetic/${k}`, width, height, channels: 1, image, label, fov };
  });
}

interface Rate {
  samplesPerSec: number;
  samplesPerCpuSec: number;
  batches: number;
}

async function measure(
  images: TrainingImage[],
  config: SamplerConfig,
  seconds: number,
): Promise<Rate> {
  const stream = createPatchStream(images, config, { prefetch: 4 });
  for (let i = 0; i < 3; i++) await stream.next(); // warm-up: JIT and first allocations
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  let batches = 0;
  while (performance.now() - started < seconds * 1000) {
    await stream.next();
    batches++;
  }
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  stream.close();
  const samples = batches * config.batchSize;
  return {
    samplesPerSec: Math.round(samples / wall),
    samplesPerCpuSec: Math.round(samples / ((cpu.user + cpu.system) / 1e6)),
    batches,
  };
}

function switchedOn(augment: AugmentConfig): string[] {
  const on: string[] = [];
  if (augment.flips) on.push('flips');
  if (augment.rotate90) on.push('rotate90');
  if (augment.rotationDegrees > 0) on.push(`rotation ±${augment.rotationDegrees}°`);
  if (augment.elastic)
    on.push(
      `elastic ${augment.elastic.grid}x${augment.elastic.grid} grid, sigma ${augment.elastic.sigma} px`,
    );
  if (augment.brightness > 0) on.push(`brightness ±${augment.brightness}`);
  if (augment.contrast > 0) on.push(`contrast ±${augment.contrast}`);
  if (augment.gamma > 0) on.push(`gamma exp(±${augment.gamma})`);
  return on;
}

export const datasetBenchmark: Benchmark = {
  name: 'dataset',
  summary:
    'Augmented 48x48 patch stream (all augmentations, FOV centres) in samples per second on one core.',
  async run(ctx) {
    const onDrive = existsSync(path.join(driveRoot, 'training', '1st_manual'));
    let images: TrainingImage[];
    let source: string;
    if (onDrive) {
      const index = await openDataset(driveRoot);
      const entries = index.splits.training ?? [];
      images = await loadTrainingImages(
        ctx.quick ? entries.slice(0, 2) : entries,
        PREPROCESS_RECIPES.laddernet,
      );
      source = `DRIVE training (${images.length} images, laddernet preprocessing)`;
    } else {
      ctx.log(`dataset: ${driveRoot} is absent, sampling synthetic 565x584 images`);
      images = syntheticImages(ctx.quick ? 2 : 20);
      source = `synthetic (${images.length} images of 565x584)`;
    }
    const seconds = ctx.quick ? 0.5 : 5;
    const config: SamplerConfig = {
      mode: 'patch',
      patchSize: 48,
      batchSize: 32,
      centres: 'fov',
      vesselFraction: null,
      augment: AUGMENT_ALL,
      seed: 1,
    };
    ctx.log('dataset: timing the augmented stream');
    const augmented = await measure(images, config, seconds);
    ctx.log('dataset: timing the stream without augmentation');
    const plain = await measure(images, { ...config, augment: AUGMENT_NONE }, seconds);
    return {
      patchStream: {
        samplesPerSec: augmented.samplesPerSec,
        samplesPerCpuSec: augmented.samplesPerCpuSec,
        patchSize: config.patchSize,
        batchSize: config.batchSize,
        augmentations: switchedOn(config.augment),
        centres: config.centres,
        source,
        seconds,
        batches: augmented.batches,
        withoutAugmentation: {
          samplesPerSec: plain.samplesPerSec,
          samplesPerCpuSec: plain.samplesPerCpuSec,
        },
        loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
      },
    };
  },
};
