/**
 * Does the bundled model keep its quality when the image scale changes? The 20 DRIVE test
 * images, their 1st-manual labels and FOV masks are resampled by 0.75x, 1.5x and 1.77x (bicubic
 * for the images, nearest for labels and masks, both by sharp) into temporary datasets in
 * DRIVE's layout, and each is scored by the `eval` command itself (the product's evaluation
 * path: inside the FOV, pooled, 1st manual, threshold 0.5, at the resampled images' own
 * resolution) with `--scale auto` and with `--scale off`. With scale-aware inference the pooled
 * AUC must stay within 0.005 and F1 within 0.02 of the native figures at every factor; the
 * script prints a JSON object and a table on stdout and exits 1 when a bound is missed.
 *
 * Each factor also gets a reference row, `native maps`: the model's predictions on the native
 * images, resampled bilinearly to the set's grid (the product's resampleProbabilities) and scored
 * against the resampled labels. It needs no prediction at the new scale, so it measures what the
 * resampling of the labels and masks alone costs. A reduced set's images hold less than the
 * native ones, so a prediction from them is not expected above it; an enlarged set's prediction
 * may be, since enlarging a map blurs its edges.
 *
 *   node --import tsx scripts/rescaled-drive-check.ts [--model resources/models/default]
 *     [--data ../shared/datasets/DRIVE] [--factors 0.75,1.5,1.77] [--flips on|off] [--keep]
 *
 * --flips off predicts each image once (about 4x faster than the model's four-flip setting).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { chooseScale, fovDiameter, resampleProbabilities } from '../src/main/compute/rescale';
import { binarise, decodeFile } from '../src/main/engine/dataset/decode';
import { allEntries, openDataset } from '../src/main/engine/dataset/open';
import {
  readProbabilityPng,
  writeProbabilityPng,
} from '../src/main/engine/metrics/probability-maps';
import { readModelMeta } from '../src/main/engine/model/files';
import { driveRoot } from '../test/support/drive';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The bounds scale-aware inference must keep at every factor, against the native figures. */
export const RESCALED_BOUNDS = { auc: 0.005, f1: 0.02 } as const;
export const DEFAULT_FACTORS = [0.75, 1.5, 1.77] as const;

interface EvalFigures {
  auc: number;
  f1: number;
  recall: number;
  precision: number;
  images: number;
  secondsPerImage: number | null;
}

interface Row {
  factor: number;
  /** How the set was predicted; `native maps`: not predicted, the native maps resampled (reference). */
  scale: 'auto' | 'off' | 'native maps';
  /** The factors auto resamples each image by (min..max over the images); null for off. */
  autoFactors: { min: number; max: number } | null;
  size: string;
  figures: EvalFigures;
  deltaAuc: number;
  deltaF1: number;
  /** Whether the bounds hold (checked for scale auto only). */
  withinBounds: boolean | null;
}

/** Writes the DRIVE test split resampled by `factor` into `dir` (DRIVE layout: test/...). */
async function writeRescaledDrive(source: string, dir: string, factor: number): Promise<string> {
  const index = await openDataset(source);
  const test = allEntries(index).filter((e) => e.split === 'test');
  const folders = ['images', '1st_manual', 'mask'].map((f) => path.join(dir, 'test', f));
  for (const folder of folders) await mkdir(folder, { recursive: true });
  let size = '';
  for (const entry of test) {
    const number = entry.name.replace(/_.*/, '');
    const width = Math.round(entry.width * factor);
    const height = Math.round(entry.height * factor);
    size = `${width}x${height}`;
    await sharp(entry.imagePath)
      .resize(width, height, { kernel: 'cubic', fit: 'fill' })
      .png()
      .toFile(path.join(folders[0]!, `${number}_test.png`));
    const label = entry.labelPaths['1st'];
    if (label === undefined || entry.fovPath === null) {
      throw new Error(
        `${entry.imagePath} has no 1st manual or no FOV mask: not DRIVE's test split`,
      );
    }
    // Labels and masks are binarised first (DRIVE's GIFs), then resampled nearest: still 0/255.
    for (const [file, out] of [
      [label, path.join(folders[1]!, `${number}_manual1.png`)],
      [entry.fovPath, path.join(folders[2]!, `${number}_test_mask.png`)],
    ] as const) {
      const pixels = await decodeFile(file);
      const binary = binarise(pixels).map((v) => v * 255);
      await sharp(binary, { raw: { width: pixels.width, height: pixels.height, channels: 1 } })
        .resize(width, height, { kernel: 'nearest', fit: 'fill' })
        .toColourspace('b-w')
        .png()
        .toFile(out);
    }
  }
  return size;
}

/**
 * The native run's exported maps resampled bilinearly to the grid of the set in `dir` (each to its
 * image's size), written into `out` as maps `eval --predictions` reads; returns `out`.
 */
async function resampleNativeMaps(exportDir: string, dir: string, out: string): Promise<string> {
  const mapsDir = path.join(exportDir, 'probabilities');
  await mkdir(out, { recursive: true });
  const index = await openDataset(dir);
  const sizes = new Map(allEntries(index).map((e) => [e.name, e]));
  for (const file of (await readdir(mapsDir)).filter((f) => f.endsWith('.png'))) {
    const stem = file.replace(/\.png$/, '');
    const target = sizes.get(stem);
    if (!target) throw new Error(`${path.join(mapsDir, file)} has no image of that name in ${dir}`);
    const map = await readProbabilityPng(path.join(mapsDir, file));
    const data = resampleProbabilities(map.data, map, target.width, target.height);
    await writeProbabilityPng(path.join(out, file), {
      width: target.width,
      height: target.height,
      data,
    });
  }
  return out;
}

/** The factors --scale auto picks for a dataset's test images (the product's own function). */
async function autoFactors(
  root: string,
  trainingDiameter: number | undefined,
): Promise<{ min: number; max: number }> {
  const index = await openDataset(root);
  const factors: number[] = [];
  for (const entry of allEntries(index).filter((e) => e.split === 'test')) {
    const scale = await chooseScale(
      'auto',
      trainingDiameter ? { fovDiameter: trainingDiameter, images: 1, resample: 'bicubic' } : null,
      async () => {
        const pixels = await decodeFile(entry.fovPath!);
        return fovDiameter(binarise(pixels), pixels.width, pixels.height);
      },
    );
    factors.push(scale.factor);
  }
  return { min: Math.min(...factors), max: Math.max(...factors) };
}

/** How `eval` gets its maps: a model run as asked (its maps exported when `exportDir` is given), or saved maps. */
type EvalSource =
  | { model: string; scale: 'auto' | 'off'; flips: boolean; exportDir?: string }
  | { predictions: string };

/** Runs `eval` (the CLI, in its own process) and returns the primary pooled FOV figures. */
async function runEval(data: string, source: EvalSource): Promise<EvalFigures> {
  const how =
    'predictions' in source
      ? ['--predictions', source.predictions]
      : [
          '--model',
          source.model,
          '--scale',
          source.scale,
          source.flips ? '--flips' : '--no-flips',
          ...(source.exportDir ? ['--export', source.exportDir] : []),
        ];
  const args = [
    '--import',
    'tsx',
    'src/main/cli.ts',
    'eval',
    '--data',
    data,
    ...how,
    '--fixed-only',
    '--json',
  ];
  process.stderr.write(`rescaled-drive-check: node ${args.join(' ')}\n`);
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      args,
      { cwd: repoRoot, maxBuffer: 256 * 1024 * 1024 },
      (error, out) => (error ? reject(error) : resolve(out)),
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      // The progress bars redraw many times; keep the log to whole lines that say something.
      const text = chunk.toString();
      if (!text.includes('\r')) process.stderr.write(text);
    });
  });
  const report = JSON.parse(stdout) as {
    dataset: { images: number };
    primary: { auc: number; f1: number; recall: number; precision: number } | null;
    inference: { secondsPerImageMedian: number } | null;
  };
  if (!report.primary) throw new Error(`eval printed no primary figures for ${data}`);
  return {
    auc: report.primary.auc,
    f1: report.primary.f1,
    recall: report.primary.recall,
    precision: report.primary.precision,
    images: report.dataset.images,
    secondsPerImage: report.inference?.secondsPerImageMedian ?? null,
  };
}

function table(native: EvalFigures, rows: Row[], flips: boolean, modelName: string): string {
  const f = (v: number) => v.toFixed(4);
  const d = (v: number) => (v >= 0 ? '+' : '') + v.toFixed(4);
  const lines = [
    `${modelName} on DRIVE test (20 images, inside the FOV, pooled, 1st manual, threshold 0.5, ${flips ? 'four flips averaged' : 'no flips'}), scored at each set's own resolution.`,
    `Native 565x584: AUC ${f(native.auc)}, F1 ${f(native.f1)}. Bounds with --scale auto: |dAUC| <= ${RESCALED_BOUNDS.auc}, |dF1| <= ${RESCALED_BOUNDS.f1}.`,
    '',
    `  ${'factor'.padEnd(8)}${'size'.padEnd(11)}${'scale'.padEnd(13)}${'auto x'.padEnd(14)}${'AUC'.padEnd(8)}${'dAUC'.padEnd(9)}${'F1'.padEnd(8)}${'dF1'.padEnd(9)}${'Se'.padEnd(8)}bounds`,
  ];
  for (const r of rows) {
    const auto = r.autoFactors
      ? r.autoFactors.min === r.autoFactors.max
        ? r.autoFactors.min.toFixed(3)
        : `${r.autoFactors.min.toFixed(3)}..${r.autoFactors.max.toFixed(3)}`
      : '-';
    lines.push(
      `  ${String(r.factor).padEnd(8)}${r.size.padEnd(11)}${r.scale.padEnd(13)}${auto.padEnd(14)}${f(r.figures.auc).padEnd(8)}${d(r.deltaAuc).padEnd(9)}${f(r.figures.f1).padEnd(8)}${d(r.deltaF1).padEnd(9)}${f(r.figures.recall).padEnd(8)}${r.withinBounds === null ? '-' : r.withinBounds ? 'kept' : 'MISSED'}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      factors: { type: 'string' },
      flips: { type: 'string' },
      keep: { type: 'boolean' },
    },
  });
  const model = path.resolve(repoRoot, values.model ?? 'resources/models/default');
  const data = path.resolve(values.data ?? driveRoot());
  const factors = values.factors
    ? values.factors.split(',').map((v) => Number(v))
    : [...DEFAULT_FACTORS];
  if (factors.some((v) => !Number.isFinite(v) || v <= 0)) {
    process.stderr.write(
      `rescaled-drive-check: --factors must be positive numbers, got "${values.factors}"\n`,
    );
    return 2;
  }
  const flipsText = values.flips ?? 'on';
  if (flipsText !== 'on' && flipsText !== 'off') {
    process.stderr.write(`rescaled-drive-check: --flips must be on or off, got "${flipsText}"\n`);
    return 2;
  }
  const flips = flipsText === 'on';
  const meta = await readModelMeta(model);
  const trainingDiameter = meta.trainingScale?.fovDiameter;
  const started = Date.now();

  const rows: Row[] = [];
  const work = await mkdtemp(path.join(os.tmpdir(), 'vessel-rescaled-drive-'));
  const nativeExport = path.join(work, 'native');
  try {
    const native = await runEval(data, { model, scale: 'auto', flips, exportDir: nativeExport });
    for (const factor of factors) {
      const dir = path.join(work, `x${factor}`);
      const size = await writeRescaledDrive(data, dir, factor);
      const picked = await autoFactors(dir, trainingDiameter);
      const resampledMaps = await resampleNativeMaps(
        nativeExport,
        dir,
        path.join(work, `native-maps-x${factor}`),
      );
      for (const scale of ['auto', 'off', 'native maps'] as const) {
        const figures = await runEval(
          dir,
          scale === 'native maps' ? { predictions: resampledMaps } : { model, scale, flips },
        );
        const deltaAuc = figures.auc - native.auc;
        const deltaF1 = figures.f1 - native.f1;
        rows.push({
          factor,
          scale,
          autoFactors: scale === 'auto' ? picked : null,
          size,
          figures,
          deltaAuc,
          deltaF1,
          withinBounds:
            scale === 'auto'
              ? Math.abs(deltaAuc) <= RESCALED_BOUNDS.auc && Math.abs(deltaF1) <= RESCALED_BOUNDS.f1
              : null,
        });
        process.stderr.write(
          `rescaled-drive-check: x${factor} ${scale === 'native maps' ? 'native maps resampled' : `scale ${scale}`}: AUC ${figures.auc.toFixed(4)}, F1 ${figures.f1.toFixed(4)}\n`,
        );
      }
    }
    return report(native, rows);
  } finally {
    if (values.keep) process.stderr.write(`rescaled-drive-check: datasets kept in ${work}\n`);
    else await rm(work, { recursive: true, force: true });
  }
  function report(native: EvalFigures, rows: Row[]): number {
    const passed = rows.every((r) => r.withinBounds !== false);
    const result = {
      model,
      data,
      measuredAt: new Date().toISOString(),
      machine: `${os.cpus().length}-core ${os.arch()}, ${os.platform()}`,
      flips,
      bounds: RESCALED_BOUNDS,
      trainingFovDiameter: trainingDiameter ?? null,
      native,
      rows,
      passed,
      seconds: (Date.now() - started) / 1000,
    };
    process.stdout.write(
      `${JSON.stringify(result, null, 2)}\n\n${table(native, rows, flips, values.model === undefined ? 'Bundled model' : `Model ${model}`)}\n`,
    );
    process.stdout.write(
      passed
        ? '\nPASSED: scale-aware inference kept the bounds at every factor.\n'
        : '\nFAILED: scale-aware inference missed a bound (rows marked MISSED).\n',
    );
    return passed ? 0 : 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`rescaled-drive-check: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
