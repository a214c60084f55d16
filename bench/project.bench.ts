/**
 * Project file benchmark: the latency of saving one mask correction (565x584, DRIVE's size) and
 * of opening a project that holds 1,000 revisions and 50 model versions. The model versions
 * carry LadderNet-sized weights (1,381,652 float32 parameters, 5.5 MB each), so the file is as
 * large as a real one after 50 trainings. Masks are synthetic vessel-like 0/1 maps.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Benchmark } from './index';
import { createProject, openProject, type Project } from '../src/main/engine/project';
import { encodePngMask } from '../src/main/engine/project/mask-codec';
import {
  randomMask,
  temporaryFolder,
  tinyModelFiles,
  writeDriveLikeDataset,
} from '../test/support/project/test-fixtures';

const WIDTH = 565;
const HEIGHT = 584;
const LADDERNET_PARAMETERS = 1_381_652;

/** Median, 95th percentile and max of a list of milliseconds, rounded to 0.01 ms. */
function summary(times: number[]): { median: number; p95: number; max: number; n: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    median: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted[sorted.length - 1]),
    n: times.length,
  };
}

/** Milliseconds of CPU this process used so far (all threads: SQLite runs on libuv's pool). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Wall and CPU milliseconds of one awaited call. The machine is shared: wall time has spikes
 * from other processes, CPU time shows what the call itself costs. */
async function timed<T>(work: () => Promise<T>): Promise<{ wall: number; cpu: number; result: T }> {
  const wallStart = performance.now();
  const cpuStart = cpuMs();
  const result = await work();
  return { wall: performance.now() - wallStart, cpu: cpuMs() - cpuStart, result };
}

export const projectBenchmark: Benchmark = {
  name: 'project',
  summary:
    'Saving one 565x584 correction revision; opening a project with 1,000 revisions and 50 model versions.',
  async run(ctx) {
    const dir = temporaryFolder('vessel-project-bench-');
    try {
      const root = path.join(dir, 'DRIVE');
      const images = await writeDriveLikeDataset(root, 20, { width: WIDTH, height: HEIGHT });
      const file = path.join(dir, 'bench.vessel');
      const revisions = ctx.quick ? 50 : 1000;
      const models = ctx.quick ? 3 : 50;
      const parameters = ctx.quick ? 10_000 : LADDERNET_PARAMETERS;

      // 1. Save latency, as the canvas autosave calls it: a 0/1 mask in, committed (fsync'd) out.
      let project: Project = await createProject(file, { datasetRoot: root, images });
      const masks = Array.from({ length: 40 }, (_, n) => randomMask(WIDTH, HEIGHT, n + 1));
      const saveTimes: { wall: number; cpu: number }[] = [];
      const savePngTimes: { wall: number; cpu: number }[] = [];
      const pngs = await Promise.all(masks.slice(0, 10).map((m) => encodePngMask(m)));
      for (let n = 0; n < revisions; n++) {
        const mask = masks[n % masks.length];
        const key = images[n % images.length].key;
        const time = await timed(() =>
          project.saveMaskRevision(key, { kind: 'binary', ...mask }, { note: `stroke ${n}` }),
        );
        saveTimes.push(time);
      }
      for (const png of pngs) {
        const time = await timed(() =>
          project.saveMaskRevision(images[0].key, { kind: 'png', bytes: png }),
        );
        savePngTimes.push(time);
      }
      ctx.log(
        `project: saved ${revisions + pngs.length} revisions; writing ${models} model versions`,
      );

      // 2. Fill with model versions of realistic size.
      const weights = new Uint8Array(parameters * 4);
      for (let m = 0; m < models; m++) {
        for (let i = 0; i < weights.length; i += 997) weights[i] = (i + m * 31) & 0xff;
        await project.addModelVersion({
          name: `v${m + 1}`,
          config: { arch: 'laddernet' },
          files: tinyModelFiles(weights),
          backend: 'wasm',
          parentId: m > 0 ? m : null,
          epochLog: Array.from({ length: 30 }, (_, e) => ({
            epoch: e + 1,
            loss: 1 / (e + 1),
            valAuc: 0.9,
          })),
        });
      }
      await project.close();
      const fileBytes = (await fs.stat(file)).size;

      // 3. Open latency: openProject alone, and what the app reads right after opening.
      const openTimes: { wall: number; cpu: number }[] = [];
      const openAndListTimes: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < (ctx.quick ? 3 : 10); i++) {
        const opening = await timed(() => openProject(file));
        openTimes.push(opening);
        await opening.result.close();
        openAndListTimes.push(
          await timed(async () => {
            project = await openProject(file);
            await project.info();
            await project.listModelVersions();
            await project.latestMaskRevisions();
            await project.getViewSettings();
          }),
        );
        await project.close();
      }
      return {
        project: {
          maskSize: `${WIDTH}x${HEIGHT}`,
          saveRevisionMs: summary(saveTimes.map((t) => t.wall)),
          saveRevisionCpuMs: summary(saveTimes.map((t) => t.cpu)),
          saveRevisionFromPngMs: summary(savePngTimes.map((t) => t.wall)),
          open: {
            revisions: revisions + pngs.length,
            modelVersions: models,
            weightsBytesEach: parameters * 4,
            fileBytes,
          },
          openMs: summary(openTimes.map((t) => t.wall)),
          openCpuMs: summary(openTimes.map((t) => t.cpu)),
          openAndListMs: summary(openAndListTimes.map((t) => t.wall)),
          openAndListCpuMs: summary(openAndListTimes.map((t) => t.cpu)),
        },
      };
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  },
};
