/**
 * Time to the first prediction in the studio: a person opens a dataset folder with no project
 * yet, and the bundled model's prediction of the image on screen appears. Timed through the
 * engine exactly as browser mode and Electron drive it (`studio.open`, then the prediction
 * queue's `studio.predictionReady` events), with a new project in a temporary folder.
 *
 *   node --import tsx bench/first-prediction.ts [--data <DRIVE>] [--images N]
 *
 * --images N waits for N predictions (default 3) and reports when each appeared; the backend is
 * whatever the ladder picks (VESSEL_BACKEND overrides, as for the app). Prints one JSON object,
 * {"firstPrediction": ...}; times are seconds from the open request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AppInfo } from '../src/shared/api/app';
import { driveRoot } from '../test/support/drive';
import { runMain } from './run-main';
import { studioEngine } from './studio-engine';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, images: { type: 'string', default: '3' } },
    strict: true,
  });
  const wanted = Number(values.images);
  if (!Number.isInteger(wanted) || wanted < 1) {
    process.stderr.write(
      `error: --images must be a whole number of at least 1, got "${values.images}"\n`,
    );
    return 2;
  }
  const datasetPath = path.resolve(values.data ?? driveRoot());
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'vessel-first-prediction-'));
  const engine = studioEngine(scratch);
  try {
    const started = performance.now();
    const seconds = () => Math.round(performance.now() - started) / 1000;
    const ready: { id: string; seconds: number }[] = [];
    const enough = new Promise<void>((resolve, reject) => {
      engine.events.on('studio.predictionReady', ({ id }) => {
        ready.push({ id, seconds: seconds() });
        if (ready.length >= wanted) resolve();
      });
      engine.events.on('studio.predictionProgress', (state) => {
        if (state.phase === 'failed') reject(new Error(`predictions failed: ${state.error ?? ''}`));
        if (state.phase === 'done' && ready.length < wanted) resolve();
      });
    });
    const opened = await engine.request('studio.open', { datasetPath });
    if (!opened.ok) throw new Error(`${opened.error.code}: ${opened.error.message}`);
    const openSeconds = seconds();
    await enough;
    const app = await engine.request('app.info', {});
    const backend = app.ok ? (app.value as AppInfo).backend.active : null;
    const result = {
      firstPrediction: {
        dataset: datasetPath,
        backend,
        openSeconds,
        firstSeconds: ready[0]?.seconds ?? null,
        predictions: ready,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        date: new Date().toISOString(),
      },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await engine.dispose();
    await rm(scratch, { recursive: true, force: true });
  }
}

runMain(main);
