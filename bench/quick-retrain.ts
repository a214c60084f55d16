/**
 * Retrain's two runs on DRIVE, timed through the engine as the studio drives them: a person
 * opens the folder (new project, the bundled model active), corrects one training image, and
 * starts the quick fine-tune (scope `corrections`, the quick preset for the backend in use); with
 * --full, then the full Retrain with its defaults, which evaluates on the test split before it
 * ends. For each run: seconds to its end, what was decided, and the run's own ETA as it stood
 * at a tenth, a half and nine tenths of the run (to show how far the estimate was from the end).
 *
 *   node --import tsx bench/quick-retrain.ts [--data <DRIVE>] [--full]
 *
 * The backend is the ladder's (VESSEL_BACKEND overrides). Prints one JSON object,
 * {"retrain": ...}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { AppInfo } from '../src/shared/api/app';
import type { TrainingProgress, TrainingRunState } from '../src/shared/api/training';
import type { Engine } from '../src/main/engine';
import { allEntries, loadLabel, openDataset } from '../src/main/engine/dataset';
import { projectSplit } from '../src/main/engine/training/split';
import { driveRoot } from '../test/support/drive';
import { runMain } from './run-main';
import { studioEngine } from './studio-engine';

async function call<T>(engine: Engine, name: string, input: unknown): Promise<T> {
  const result = await engine.request(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/** Starts a run and follows it to its end: seconds, decision, and its ETA along the way. */
async function timeRun(engine: Engine, settings: Record<string, unknown>) {
  const progress: { seconds: number; p: TrainingProgress }[] = [];
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const offProgress = engine.events.on('training.progress', (p) =>
    progress.push({ seconds: seconds(), p }),
  );
  const ended = new Promise<TrainingRunState>((resolve) => {
    const off = engine.events.on('training.state', (s) => {
      if (['finished', 'failed', 'cancelled'].includes(s.status)) {
        off();
        resolve(s);
      }
    });
  });
  const run = await call<TrainingRunState>(engine, 'training.start', { settings });
  const state = await ended;
  offProgress();
  const total = seconds();
  // The ETA the run showed when a tenth, half and nine tenths of its real length had passed.
  const etaAt = (share: number) => {
    const at = progress.filter((e) => e.seconds <= total * share).at(-1);
    if (!at) return null;
    return {
      atSeconds: Math.round(at.seconds * 10) / 10,
      phase: at.p.phase,
      etaSeconds: at.p.etaSeconds === null ? null : Math.round(at.p.etaSeconds),
      actualLeftSeconds: Math.round(total - at.seconds),
      evaluationTimed: at.p.evaluationTimed,
    };
  };
  return {
    settings: run.settings,
    status: state.status,
    error: state.error,
    seconds: Math.round(total * 10) / 10,
    decision: state.decision,
    eta: { tenth: etaAt(0.1), half: etaAt(0.5), nineTenths: etaAt(0.9) },
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, full: { type: 'boolean' } },
    strict: true,
  });
  const datasetPath = path.resolve(values.data ?? driveRoot());
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'vessel-quick-retrain-'));
  const engine = studioEngine(scratch);
  try {
    // The bundled model's first prediction, so the session has its time per image, then the
    // background predictions are paused as a person would while correcting.
    const firstReady = new Promise<void>((resolve) => {
      const off = engine.events.on('studio.predictionReady', () => {
        off();
        resolve();
      });
    });
    await call(engine, 'studio.open', { datasetPath });
    await firstReady;
    await call(engine, 'studio.pausePredictions', {});

    // One correction: a 24 x 24 square painted as vessel near the middle of a training image.
    const dataset = await openDataset(datasetPath);
    const trainingIds = new Set(projectSplit(dataset).training);
    const entry = allEntries(dataset).find((e) => trainingIds.has(e.id));
    if (!entry) throw new Error(`${datasetPath} has no training image to correct`);
    const label = await loadLabel(entry, '1st');
    const { width, height } = (await sharp(entry.imagePath).metadata()) as {
      width: number;
      height: number;
    };
    const mask = Buffer.from(Uint8Array.from(label, (v) => (v ? 255 : 0)));
    for (let y = (height >> 1) - 12; y < (height >> 1) + 12; y++)
      for (let x = (width >> 1) - 12; x < (width >> 1) + 12; x++) mask[y * width + x] = 255;
    const png = new Uint8Array(
      await sharp(mask, { raw: { width, height, channels: 1 } })
        .png()
        .toBuffer(),
    );
    await call(engine, 'studio.saveMask', { id: entry.id, png, parentRevisionId: null });

    const quick = await timeRun(engine, { scope: 'corrections' });
    const full = values.full ? await timeRun(engine, { scope: 'all' }) : null;
    const app = await call<AppInfo>(engine, 'app.info', {});
    process.stdout.write(
      `${JSON.stringify({
        retrain: {
          dataset: datasetPath,
          corrected: entry.id,
          backend: app.backend.active,
          quick,
          full,
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          date: new Date().toISOString(),
        },
      })}\n`,
    );
    return 0;
  } finally {
    await engine.dispose();
    await rm(scratch, { recursive: true, force: true });
  }
}

runMain(main);
