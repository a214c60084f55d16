/**
 * Metrics benchmark: every metric and both curves, pooled and per image, for the 20 DRIVE test
 * images inside their FOV (4,538,143 pixels), from probability maps to the stored curves.
 * The maps are synthetic (a deterministic noisy function of the 1st manual), because what is
 * timed is the scoring, not a model; they have about as many distinct float32 values as pixels.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './index';
import { evaluateImages, type ScoredImage } from '../src/main/engine/metrics';
import { loadFov, loadLabel, openDataset } from '../src/main/engine/dataset';
import { seededRandom } from '../test/support/seeded-random';

const here = path.dirname(fileURLToPath(import.meta.url));
const driveRoot = path.resolve(here, '../../shared/datasets/DRIVE');

async function driveTestImages(): Promise<ScoredImage[]> {
  const random = seededRandom(2015);
  const images: ScoredImage[] = [];
  const index = await openDataset(driveRoot);
  for (const entry of index.splits.test ?? []) {
    const [label, fov] = await Promise.all([loadLabel(entry, '1st'), loadFov(entry)]);
    const scores = new Float32Array(label.length);
    for (let i = 0; i < scores.length; i++) {
      const u = random();
      scores[i] = label[i] ? u ** 0.35 : u ** 6;
    }
    images.push({ id: entry.id, scores, label, region: fov });
  }
  return images;
}

/** Synthetic maps of the same size when DRIVE is absent: the timing stays meaningful. */
function syntheticImages(count: number): ScoredImage[] {
  const random = seededRandom(1505);
  return Array.from({ length: count }, (_, n) => {
    const size = 565 * 584;
    const label = Uint8Array.from({ length: size }, () => (random() < 0.12 ? 1 : 0));
    const region = Uint8Array.from({ length: size }, () => (random() < 0.688 ? 1 : 0));
    const scores = Float32Array.from(label, (l) => (l ? random() ** 0.35 : random() ** 6));
    return { id: `synthetic/${n}`, scores, label, region };
  });
}

export const metricsBenchmark: Benchmark = {
  name: 'metrics',
  summary:
    'All metrics and both curves, pooled and per image, for the 20 DRIVE test images in the FOV.',
  async run(ctx) {
    const onDrive = existsSync(path.join(driveRoot, 'test', '1st_manual'));
    if (!onDrive)
      ctx.log(`metrics: ${driveRoot} is absent, timing synthetic maps of the same size`);
    const all = onDrive ? await driveTestImages() : syntheticImages(20);
    const images = ctx.quick ? all.slice(0, 2) : all;
    const options = {
      region: 'fov' as const,
      thresholds: [
        { value: 0.5, chosenOn: 'fixed' as const },
        { value: 0.42, chosenOn: 'training' as const },
      ],
    };
    evaluateImages(images, options); // warm-up: the JIT compiles the hot loops
    const runs = ctx.quick ? 1 : 5;
    const seconds: number[] = [];
    const cpuSeconds: number[] = [];
    let last = evaluateImages(images, options);
    for (let r = 0; r < runs; r++) {
      if (ctx.signal.aborted) break;
      const started = process.hrtime.bigint();
      const cpuStarted = process.cpuUsage();
      last = evaluateImages(images, options);
      const cpu = process.cpuUsage(cpuStarted);
      seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
      // CPU time of the process (user + system): on a shared, loaded machine wall time also
      // counts the time other processes held the core.
      cpuSeconds.push((cpu.user + cpu.system) / 1e6);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
    const wall = median(seconds);
    const cpu = median(cpuSeconds);
    ctx.log(
      `metrics: ${last.pixelCount} pixels in ${wall.toFixed(3)} s wall, ${cpu.toFixed(3)} s CPU (medians of ${runs})`,
    );
    return {
      metrics: {
        data: onDrive ? 'DRIVE test labels and FOV masks, synthetic probabilities' : 'synthetic',
        images: images.length,
        fovPixels: last.pixelCount,
        thresholds: options.thresholds.length,
        secondsMedian: Number(wall.toFixed(4)),
        secondsMin: Number(Math.min(...seconds).toFixed(4)),
        cpuSecondsMedian: Number(cpu.toFixed(4)),
        cpuSecondsMin: Number(Math.min(...cpuSeconds).toFixed(4)),
        runs,
        underOneSecond: wall < 1,
        loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
        rocPointsFull: last.pooled.roc?.fullPointCount ?? 0,
        rocPointsStored: last.pooled.roc?.x.length ?? 0,
        rocAreaError: last.pooled.roc?.areaError ?? null,
        prPointsFull: last.pooled.pr?.fullPointCount ?? 0,
        prPointsStored: last.pooled.pr?.x.length ?? 0,
        prAreaError: last.pooled.pr?.areaError ?? null,
        auc: last.pooled.auc,
        ap: last.pooled.ap,
      },
    };
  },
};
