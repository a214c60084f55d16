/**
 * Measures the bundled model's DRIVE test figures and writes them beside its weights as
 * test-figures.json. It runs the `eval` command itself and keeps what that command prints, so
 * the file always comes from the weights it sits next to; run it again after replacing them.
 *
 *   node --import tsx scripts/default-model-figures.ts [--model resources/models/default]
 *     [--data ../shared/datasets/DRIVE]     (VESSEL_DRIVE also sets the data folder)
 *
 * Protocol: the 20 DRIVE test images, inside the FOV, pooled, 1st manual, threshold 0.5.
 * scripts/default-model-figures.test.ts recomputes AUC and F1 and compares them with the file.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { driveRoot } from '../test/support/drive';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The figures file's name inside a model folder. */
export const FIGURES_FILE = 'test-figures.json';
/** How to regenerate the file (stored in it, and said in the model's README). */
export const REGENERATE_COMMAND = 'node --import tsx scripts/default-model-figures.ts';
/** The protocol every figure in the file was measured under. */
export const FIGURES_PROTOCOL = {
  dataset: 'DRIVE',
  split: 'test',
  images: 20,
  region: 'inside the FOV (the official masks)',
  pooling: 'pooled over the 20 test images',
  reference: '1st manual',
  threshold: 0.5,
} as const;

/** What test-figures.json holds. */
export interface DefaultModelFigures {
  model: string;
  weightsSha256: string;
  parameterCount: number;
  measuredAt: string;
  command: string;
  regenerate: string;
  backend: string | null;
  protocol: typeof FIGURES_PROTOCOL & {
    description: string;
    fovPixels: number;
    /** Whole-image tiles, each image's map the mean over the four flips when true (the model config's `inference`). */
    flips: boolean;
  };
  figures: {
    auc: number;
    ap: number;
    f1: number;
    precision: number;
    recall: number;
    specificity: number;
    accuracy: number;
    iou: number;
    mcc: number;
    tp: number;
    fp: number;
    fn: number;
    tn: number;
  };
  secondObserver: { f1: number; recall: number; specificity: number; accuracy: number } | null;
  inferenceSecondsPerImageMedian: number | null;
}

/** SHA-256 (hex) of a file: ties the figures to the exact weights they were measured on. */
export async function fileSha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** The shell-ready eval command for a model folder and data folder (paths as given). */
function evalArgs(model: string, data: string): string[] {
  return ['src/main/cli.ts', 'eval', '--data', data, '--model', model, '--fixed-only', '--json'];
}

interface EvalJson {
  dataset: { images: number; fovPixels: number; split: string; reference: string };
  primary: (DefaultModelFigures['figures'] & { protocol: string }) | null;
  secondObserver: DefaultModelFigures['secondObserver'] | null;
  inference: { backend: string | null; flips: boolean; secondsPerImageMedian: number } | null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, data: { type: 'string' } },
  });
  const model = values.model ?? 'resources/models/default';
  const data = values.data ?? driveRoot();
  const args = evalArgs(model, data);
  process.stderr.write(`default-model-figures: node --import tsx ${args.join(' ')}\n`);
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', ...args],
      { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
      (error, out) => (error ? reject(error) : resolve(out)),
    );
    child.stderr?.pipe(process.stderr);
  });
  const report = JSON.parse(stdout) as EvalJson;
  const primary = report.primary;
  if (!primary || report.dataset.split !== 'test' || report.dataset.reference !== '1st') {
    throw new Error('eval printed no test-split figures against the 1st manual');
  }
  if (report.dataset.images !== FIGURES_PROTOCOL.images) {
    throw new Error(`eval scored ${report.dataset.images} test images, expected 20 (DRIVE)`);
  }
  const modelDir = path.resolve(repoRoot, model);
  const meta = JSON.parse(await readFile(path.join(modelDir, 'vessel.json'), 'utf8')) as {
    parameterCount: number;
  };
  const figures: DefaultModelFigures = {
    model,
    weightsSha256: await fileSha256(path.join(modelDir, 'weights.bin')),
    parameterCount: meta.parameterCount,
    measuredAt: new Date().toISOString(),
    command: `node --import tsx ${args.join(' ')}`,
    regenerate: REGENERATE_COMMAND,
    backend: report.inference?.backend ?? null,
    protocol: {
      ...FIGURES_PROTOCOL,
      description: primary.protocol,
      fovPixels: report.dataset.fovPixels,
      flips: report.inference?.flips ?? false,
    },
    figures: {
      auc: primary.auc,
      ap: primary.ap,
      f1: primary.f1,
      precision: primary.precision,
      recall: primary.recall,
      specificity: primary.specificity,
      accuracy: primary.accuracy,
      iou: primary.iou,
      mcc: primary.mcc,
      tp: primary.tp,
      fp: primary.fp,
      fn: primary.fn,
      tn: primary.tn,
    },
    secondObserver: report.secondObserver
      ? {
          f1: report.secondObserver.f1,
          recall: report.secondObserver.recall,
          specificity: report.secondObserver.specificity,
          accuracy: report.secondObserver.accuracy,
        }
      : null,
    inferenceSecondsPerImageMedian: report.inference?.secondsPerImageMedian ?? null,
  };
  const out = path.join(modelDir, FIGURES_FILE);
  await writeFile(out, `${JSON.stringify(figures, null, 2)}\n`);
  process.stderr.write(
    `default-model-figures: AUC ${figures.figures.auc.toFixed(4)}, F1 ${figures.figures.f1.toFixed(4)} -> ${out}\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`default-model-figures: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
