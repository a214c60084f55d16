/**
 * The studio's two GPU promises, timed through the product's own compute code in one process
 * (the functions the compute process runs for `predict.dataset` and `train.run`):
 *
 * - background predictions: every image of a dataset with the model's flips, as the studio asks
 *   for them after opening a folder (cold: the first pass compiles the shaders; then warm);
 * - Retrain's default fine-tune: the bundled model trained with `defaultRetrainSettings` for the
 *   backend and adapter the ladder chose, on the dataset's training split, with the studio's
 *   split seed and validation fraction.
 *
 *   node --import tsx bench/gpu-studio.ts --data <DRIVE> [--model DIR] [--force-software-gpu]
 *     [--quick] [--skip-train] [--skip-predict]
 *
 * Without --force-software-gpu the backend is whatever the ladder picks, so the JSON also says
 * whether a hardware GPU was taken on its own; when the ladder picks no GPU nothing is timed. --quick (for a software adapter) predicts one
 * image once and trains one epoch of two small steps. Prints one JSON object, {"studio": ...}.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { defaultRetrainSettings, patchesSeen, trainsOnGpu } from '../src/shared/retrain-defaults';
import type { BackendName } from '../src/shared/api/app';
import { setupCompute } from '../src/main/compute/setup';
import { predictDataset } from '../src/main/compute/predict-dataset';
import { runTrainJob } from '../src/main/compute/train/run-job';
import type { TrainProgress } from '../src/main/compute/train/job';
import type { WorkerRequestContext } from '../src/main/compute/worker';
import { openDataset, allEntries } from '../src/main/engine/dataset';
import { readModelMeta } from '../src/main/engine/model/files';
import { PROJECT_SPLIT_SEED, VALIDATION_FRACTION } from '../src/main/engine/training/split';
import { runMain } from './run-main';

const here = path.dirname(fileURLToPath(import.meta.url));

function context<P>(log: (text: string) => void, onProgress: (p: P) => void = () => undefined) {
  const ctx: WorkerRequestContext<P> = {
    signal: new AbortController().signal,
    progress: onProgress,
    log: (level, message) => log(`[${level}] ${message}`),
  };
  return ctx;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      model: { type: 'string' },
      'force-software-gpu': { type: 'boolean' },
      quick: { type: 'boolean' },
      'skip-train': { type: 'boolean' },
      'skip-predict': { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.data) {
    process.stderr.write('error: --data <dataset folder> is required\n');
    return 2;
  }
  const log = (text: string) => process.stderr.write(`${text}\n`);
  // Bundled (.gpu-bundle/js/) the repository is two folders up, in a checkout one.
  const modelDir = path.resolve(
    values.model ??
      ['..', '../..']
        .map((up) => path.join(here, up, 'resources/models/default'))
        .find((dir) => existsSync(dir)) ??
      'resources/models/default',
  );
  const forced: BackendName | undefined = values['force-software-gpu'] ? 'webgpu' : undefined;
  const quick = values.quick === true;

  const t0 = performance.now();
  const report = await setupCompute(forced ? { name: forced, by: 'flag' } : undefined);
  const setupSeconds = (performance.now() - t0) / 1000;
  log(`backend ${report.active} (${report.adapter?.description ?? 'no adapter'})`);
  const result: Record<string, unknown> = {
    backend: report.active,
    chosenByLadder: forced === undefined,
    adapter: report.adapter ?? null,
    rejected: report.rejected,
    setupSeconds,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
  };

  // The timings are GPU promises: on the CPU rungs they would only take long and mean little.
  if (!forced && !trainsOnGpu(report.active, report.adapter)) {
    result.skipped = `the ladder chose ${report.active ?? 'no backend'}, not a GPU: nothing timed`;
    log(String(result.skipped));
    process.stdout.write(`${JSON.stringify({ studio: result })}\n`);
    return 0;
  }

  const index = await openDataset(values.data);
  const entries = allEntries(index);
  const meta = await readModelMeta(modelDir);

  if (!values['skip-predict']) {
    const ids = entries.map((e) => e.id).slice(0, quick ? 1 : undefined);
    const passes: { pass: string; seconds: number; inferSeconds: number }[] = [];
    for (const pass of quick ? ['cold'] : ['cold', 'warm']) {
      const start = performance.now();
      const predicted = await predictDataset(
        { modelDir, root: index.root, ids, flips: true, backend: forced },
        context(log),
      );
      const seconds = (performance.now() - start) / 1000;
      const inferSeconds = predicted.reduce((sum, p) => sum + p.seconds, 0);
      passes.push({ pass, seconds, inferSeconds });
      log(`predict ${pass}: ${ids.length} images with flips in ${seconds.toFixed(2)} s`);
    }
    result.predict = { images: ids.length, flips: true, model: meta.config.arch, passes };
  }

  if (!values['skip-train']) {
    const settings = defaultRetrainSettings(report.active, report.adapter, meta.config);
    const options = quick ? { ...settings, epochs: 1, stepsPerEpoch: 2, batchSize: 8 } : settings;
    const out = await mkdtemp(path.join(os.tmpdir(), 'gpu-studio-'));
    const epochs: TrainProgress[] = [];
    let firstBatchAt: number | null = null;
    const start = performance.now();
    try {
      const summary = await runTrainJob(
        {
          data: { kind: 'folder', root: index.root },
          model: { kind: 'dir', dir: modelDir },
          outDir: out,
          backend: forced,
          options: {
            seed: PROJECT_SPLIT_SEED,
            validationFraction: VALIDATION_FRACTION,
            epochs: options.epochs,
            stepsPerEpoch: options.stepsPerEpoch,
            batchSize: options.batchSize,
            patchSize: options.patchSize,
            learningRate: options.learningRate,
            augment: options.augment,
          },
        },
        context<TrainProgress>(log, (p) => {
          if (p.phase === 'batch' && firstBatchAt === null) firstBatchAt = performance.now();
          if (p.phase === 'epoch') {
            epochs.push(p);
            log(`epoch ${p.epoch}/${p.epochs}: loss ${p.loss} val AUC ${p.valAuc} F1 ${p.valF1}`);
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      result.fineTune = {
        settings: options,
        patches: patchesSeen(options),
        seconds,
        secondsToFirstBatch: firstBatchAt === null ? null : (firstBatchAt - start) / 1000,
        patchesPerSecondOverall: patchesSeen(options) / seconds,
        status: summary.status,
        history: summary.history,
        best: summary.best,
        backend: summary.backend,
        workers: summary.workers,
      };
      log(`fine-tune: ${patchesSeen(options)} patches in ${seconds.toFixed(1)} s`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${JSON.stringify({ studio: result })}\n`);
  return 0;
}

runMain(main);
