import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDriveFixture, type DriveFixtureImage } from '../../../../test/support/drive-fixture';
import { writeDrive, writeStare } from '../../engine/dataset/synthetic-datasets';
import { writeProbabilityPng } from '../../engine/metrics/probability-maps';
import { seededRandom } from '../../../../test/support/seeded-random';
import { setupCompute } from '../../compute/setup';
import { smallGreenUnet } from '../../compute/train/fixtures';
import { buildModel, saveModelDir } from '../../compute/model';
import { findAppRoot } from '../app-root';
import { expectRefusal, runCliCaptured } from '../run-captured';
import { evalCommand } from './eval';
import { THRESHOLD_METRIC_NAMES } from '../../../shared/api/metrics';

const appRoot = findAppRoot();
const root = mkdtempSync(path.join(os.tmpdir(), 'vessel-eval-'));
const data = path.join(root, 'DRIVE');
const predictions = path.join(root, 'predictions');
let fixture: DriveFixtureImage[] = [];
const scores = new Map<string, Float32Array>();

/** The keys every row of `eval --json` carries: the counts and every threshold metric. */
const HEADLINE_KEYS = ['tp', 'fp', 'fn', 'tn', ...THRESHOLD_METRIC_NAMES];

function cli(...argv: string[]) {
  return runCliCaptured([evalCommand], argv);
}

/** `eval` of the saved probability maps in `maps` against the dataset in `dataset`. */
function evalMaps(dataset: string, maps: string, ...extra: string[]) {
  return cli('eval', '--data', dataset, '--predictions', maps, ...extra);
}

/** `eval --json --export` of the maps in `maps` against `dataset`; it must succeed: its report. */
async function evalAndExport(dataset: string, maps: string, exportDir: string) {
  const result = await evalMaps(dataset, maps, '--json', '--export', exportDir);
  expect(result.stderr).not.toMatch(/error/);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

/** Saves an untrained small U-Net (built on the CPU backend) as root/`name`; returns its folder. */
async function saveUntrainedModel(name: string): Promise<string> {
  await setupCompute({ name: 'cpu', by: 'flag' });
  const config = smallGreenUnet();
  const modelDir = path.join(root, name);
  const model = buildModel(config);
  await saveModelDir(modelDir, model, { config });
  model.dispose();
  return modelDir;
}

/** `eval` of the fixture with the model in `modelDir` on the CPU backend, fixed protocols only. */
function evalModel(modelDir: string, ...extra: string[]) {
  return cli(
    'eval',
    '--data',
    data,
    '--model',
    modelDir,
    '--backend',
    'cpu',
    '--fixed-only',
    ...extra,
  );
}

beforeAll(async () => {
  fixture = await writeDriveFixture(data);
  await mkdir(predictions);
  const random = seededRandom(3);
  for (const image of fixture) {
    // Stored as 16-bit PNG, so the scores the CLI sees are these values quantised to 1/65535.
    const values = Float32Array.from(image.label1st, (v) => (v ? random() ** 0.5 : random() ** 3));
    await writeProbabilityPng(path.join(predictions, `${image.stem}.png`), {
      width: image.width,
      height: image.height,
      data: values,
    });
    scores.set(
      image.stem,
      Float32Array.from(values, (v) => Math.round(v * 65535) / 65535),
    );
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Counts at 0.5 inside the FOV over the test images, by a plain loop. */
function expectedCounts(observer: '1st' | '2nd' | 'model') {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const image of fixture.filter((i) => i.split === 'test')) {
    const s = scores.get(image.stem)!;
    for (let i = 0; i < image.fov.length; i++) {
      if (!image.fov[i]) continue;
      const predicted = observer === 'model' ? s[i] >= 0.5 : image.label2nd![i] === 1;
      const vessel = image.label1st[i] === 1;
      if (vessel && predicted) c.tp++;
      else if (vessel) c.fn++;
      else if (predicted) c.fp++;
      else c.tn++;
    }
  }
  return c;
}

describe('eval command with --predictions', () => {
  it('prints the fixed JSON keys with counts a plain loop agrees with, and exports readable files', async () => {
    const exportDir = path.join(root, 'export');
    const json = await evalAndExport(data, predictions, exportDir);
    // The fixed keys: every count and metric, and for the model AUC and AP.
    expect(Object.keys(json.primary)).toEqual(
      expect.arrayContaining([...HEADLINE_KEYS, 'auc', 'ap']),
    );
    expect(Object.keys(json.secondObserver)).toEqual(expect.arrayContaining(HEADLINE_KEYS));
    expect(json.primary).toMatchObject(expectedCounts('model'));
    expect(json.secondObserver).toMatchObject(expectedCounts('2nd'));
    const { tp, fp, fn } = json.primary;
    expect(json.primary.f1).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 12);
    expect(json.primary.protocol).toMatch(
      /inside the FOV, pooled over 20 images, 1st manual, threshold 0.5/,
    );
    // A threshold chosen on the 20 training maps, and whole-image rows labelled as such.
    expect(json.thresholds.map((t: { chosenOn: string }) => t.chosenOn)).toEqual([
      'fixed',
      'training',
    ]);
    const whole = json.protocols.filter(
      (r: { protocol: { region: string } }) => r.protocol.region === 'whole-image',
    );
    expect(whole.length).toBeGreaterThan(0);
    for (const row of whole) expect(row.protocol.description).toMatch(/^WHOLE IMAGE/);
    expect(json.curves.roc.areaError).toBeLessThanOrEqual(1e-4);

    const stems = fixture
      .filter((i) => i.split === 'test')
      .map((i) => `${i.stem}.png`)
      .sort();
    for (const folder of ['probabilities', 'masks', 'errors']) {
      expect((await readdir(path.join(exportDir, folder))).sort()).toEqual(stems);
    }
    const probability = await sharp(
      path.join(exportDir, 'probabilities', '01_test.png'),
    ).metadata();
    expect(probability).toMatchObject({ format: 'png', depth: 'ushort', width: 32, height: 24 });
    const errors = await sharp(path.join(exportDir, 'errors', '01_test.png')).metadata();
    expect(errors).toMatchObject({ format: 'png', channels: 3 });
    for (const plot of ['roc', 'pr']) {
      const svg = await readFile(path.join(exportDir, `${plot}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg.trimEnd()).toMatch(/<\/svg>$/);
      expect(svg).toMatch(/Second observer \(2nd manual\)/);
      expect(svg).toMatch(plot === 'roc' ? /AUC 0\.\d{4}/ : /AP 0\.\d{4}/);
      expect(await sharp(path.join(exportDir, `${plot}.png`)).metadata()).toMatchObject({
        format: 'png',
        width: 720,
      });
    }
    const csv = (await readFile(path.join(exportDir, 'metrics.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/^row,subject,region,aggregation,reference,threshold/);
    const columns = csv[0].split(',').length;
    const primaryLine = csv.find((l) => l.startsWith('model/fov/t0.5/pooled,'))!;
    expect(primaryLine.split(',').slice(9, 13).map(Number)).toEqual([tp, fp, fn, json.primary.tn]);
    expect(primaryLine.match(/^([^"]*)/)![1].split(',').length).toBe(columns);
    const roc = (await readFile(path.join(exportDir, 'roc.csv'), 'utf8')).trim().split('\n');
    expect(roc[0]).toBe('fpr,tpr,threshold');
    expect(roc.at(-1)!.split(',').slice(0, 2).map(Number)).toEqual([1, 1]);
    expect(
      JSON.parse(await readFile(path.join(exportDir, 'metrics.json'), 'utf8')).primary,
    ).toEqual(json.primary);

    // The exported 16-bit maps score exactly like the originals.
    const again = await evalMaps(
      data,
      path.join(exportDir, 'probabilities'),
      '--json',
      '--fixed-only',
    );
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).primary).toEqual(json.primary);
  });

  it('prints a table naming the protocols when --json is absent', async () => {
    const result = await evalMaps(data, predictions, '--fixed-only');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Ours, threshold 0\.5/);
    expect(result.stdout).toMatch(/Second observer \(2nd manual\)/);
    expect(result.stdout).toMatch(/LadderNet/);
    expect(result.stdout).toMatch(/WHOLE IMAGE/);
    expect(result.stdout).toMatch(/512x512 image/);
    expect(result.stdout).toMatch(/DRIVE test split \(drive layout/);
    expect(result.stdout).toMatch(/FOV: shipped masks\./);
    expect(result.stderr).toMatch(/evaluated images/);
  });

  it('exits 2 with a reason for bad input', async () => {
    expect((await cli('eval', '--predictions', predictions)).code).toBe(2);
    const noData = await evalMaps(path.join(root, 'nowhere'), predictions, '--json');
    expect(noData.code).toBe(2);
    expect(JSON.parse(noData.stdout).error.message).toMatch(/nowhere.*does not exist/);
    for (const flag of ['--flips', '--turns', '--no-turns']) {
      const viewsOnMaps = await evalMaps(data, predictions, flag);
      expect(viewsOnMaps.code, flag).toBe(2);
      expect(viewsOnMaps.stderr).toMatch(/saved --predictions are scored as they are/);
    }
    expect((await evalMaps(data, predictions, '--labels', '3rd')).code).toBe(2);
    expect((await evalMaps(data, path.join(root, 'none'))).stderr).toMatch(/does not exist/);

    const partial = path.join(root, 'partial');
    await mkdir(partial);
    const some = await evalMaps(data, predictions, '--export', partial, '--fixed-only');
    expect(some.code).toBe(0);
    await unlink(path.join(partial, 'probabilities', '07_test.png'));
    const missing = await evalMaps(data, path.join(partial, 'probabilities'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no probability map for 1 of the 20 test images \(07_test\)/);
  });
});

describe('eval command with --model', () => {
  // Two evaluations of 20 images with four and eight views each, on the cpu backend.
  it(
    'averages the eight flips and quarter turns with --turns, and says so',
    { timeout: 120_000 },
    async () => {
      const modelDir = await saveUntrainedModel('model-turns');
      const run = async (...extra: string[]) =>
        JSON.parse((await evalModel(modelDir, '--json', ...extra)).stdout);
      const flipped = await run('--flips');
      const turned = await run('--turns');
      expect(flipped.inference.views).toBe('four flips');
      expect(turned.inference).toMatchObject({
        flips: true,
        views: 'eight flips and quarter turns',
      });
      expect(turned.source).toMatch(/averaged over the eight flips and quarter turns/);
      expect(turned.primary.auc).not.toBe(flipped.primary.auc);
    },
  );

  it('runs the model on every test image and reports its inference time', async () => {
    const modelDir = await saveUntrainedModel('model');
    const run = (...extra: string[]) => evalModel(modelDir, '--json', ...extra);
    const result = await run();
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.source).toContain(modelDir);
    expect(json.inference).toMatchObject({
      backend: 'cpu',
      flips: false,
      images: 20,
      width: 32,
      height: 24,
    });
    expect(json.inference.secondsPerImageMedian).toBeGreaterThan(0);
    const fovPixels = fixture
      .filter((i) => i.split === 'test')
      .reduce((sum, i) => sum + i.fov.reduce((a, b) => a + b, 0), 0);
    const { tp, fp, fn, tn } = json.primary;
    expect(tp + fp + fn + tn).toBe(fovPixels);
    expect(json.primary.auc).toBeGreaterThanOrEqual(0);

    // --flips scores the mean over the four flips: other probabilities, said in the report.
    const flipped = await run('--flips');
    const flippedJson = JSON.parse(flipped.stdout);
    expect(flippedJson.inference.flips).toBe(true);
    expect(flippedJson.source).toMatch(/averaged over the four flips/);
    expect(flippedJson.primary.auc).not.toBe(json.primary.auc);

    // As its own process on the default backend (wasm here) the command must end by itself:
    // the threaded wasm build's workers would otherwise keep it alive after printing.
    const child = spawnSync(
      path.join(appRoot, 'node_modules', '.bin', 'tsx'),
      ['src/main/cli.ts', 'eval', '--data', data, '--model', modelDir, '--fixed-only', '--json'],
      { cwd: appRoot, timeout: 120_000, encoding: 'utf8' },
    );
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout).inference.images).toBe(20);

    const missing = await cli(
      'eval',
      '--data',
      data,
      '--model',
      path.join(root, 'no-model'),
      '--backend',
      'cpu',
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-model/);
  });
});

describe('eval command with --model and --scale', () => {
  it('lists the factor each image was predicted at and says the range once when any was resampled', async () => {
    const modelDir = await saveUntrainedModel('model-scale');
    const run = (...extra: string[]) => evalModel(modelDir, ...extra);
    const modelImages = (json: {
      protocols: { id: string; subject: string; images?: { id: string; scale?: unknown }[] }[];
    }) => json.protocols.filter((r) => r.subject === 'model' && r.images !== undefined);
    const testIds = fixture.filter((i) => i.split === 'test').map((i) => `test/${i.stem}`);

    // The model records no training scale: auto predicts every image at its own size.
    const own = await run('--json');
    expect(own.code).toBe(0);
    const ownRows = modelImages(JSON.parse(own.stdout));
    expect(ownRows.length).toBeGreaterThan(0);
    for (const row of ownRows) {
      expect(row.images!.map((i) => i.id).sort()).toEqual([...testIds].sort());
      expect(row.images!.map((i) => i.scale)).toEqual(testIds.map(() => 1));
    }
    const ownText = await run();
    expect(ownText.code).toBe(0);
    expect(ownText.stdout).not.toMatch(/^Scale:/m);

    const halved = await run('--json', '--scale', '0.5');
    expect(halved.code).toBe(0);
    const halvedJson = JSON.parse(halved.stdout);
    for (const row of modelImages(halvedJson)) {
      expect(row.images!.map((i) => i.scale)).toEqual(testIds.map(() => 0.5));
    }
    // The second observer's per-image entries involve no model, so no factor.
    const observerRows = halvedJson.protocols.filter(
      (r: { subject: string; images?: unknown[] }) =>
        r.subject === 'second-observer' && r.images !== undefined,
    );
    expect(observerRows.length).toBeGreaterThan(0);
    expect(observerRows[0].images[0]).not.toHaveProperty('scale');
    const halvedText = await run('--scale', '0.5');
    expect(halvedText.code).toBe(0);
    const lines = halvedText.stdout.split('\n').filter((l) => l.startsWith('Scale:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/20 of 20 predicted images resampled .*\(factor 0\.5x\)/);

    // Saved maps have no factor: their per-image entries say null.
    const saved = await evalMaps(data, predictions, '--json');
    for (const row of modelImages(JSON.parse(saved.stdout))) {
      expect(new Set(row.images!.map((i) => i.scale))).toEqual(new Set([null]));
    }
  });
});

describe('eval command on a dataset with unusable files', () => {
  it('refuses with exit code 2 naming each bad file, and with --skip-bad names every file it left out', async () => {
    const synthetic = path.join(root, 'with-bad-files');
    const maps = path.join(root, 'with-bad-files-maps');
    const planted = await writeDrive(synthetic, { training: 2, test: 2 });
    await mkdir(maps);
    for (const [id, image] of planted) {
      const values = Float32Array.from(image.label, (v) => (v ? 0.9 : 0.1));
      await writeProbabilityPng(path.join(maps, `${path.basename(id)}.png`), {
        width: image.width,
        height: image.height,
        data: values,
      });
    }
    // A truncated test image (scored) and an empty training image (the threshold's).
    const truncated = path.join(synthetic, 'test', 'images', '02_test.tif');
    await truncate(truncated, 100);
    const empty = path.join(synthetic, 'training', 'images', '22_training.tif');
    await writeFile(empty, new Uint8Array(0));

    const refused = await evalMaps(synthetic, maps, '--json');
    expectRefusal(refused, 'METRICS_BAD_FILES', [
      truncated,
      empty,
      /--skip-bad/,
      /Fix or replace each file/,
    ]);
    // Without the threshold the training image is not read, and only the test image is named.
    const fixedOnly = await evalMaps(synthetic, maps, '--fixed-only');
    expect(fixedOnly.code).toBe(2);
    expect(fixedOnly.stderr).toContain(truncated);
    expect(fixedOnly.stderr).not.toContain(empty);

    const skipped = await evalMaps(synthetic, maps, '--skip-bad', '--json');
    expect(skipped.stderr).not.toMatch(/error/);
    expect(skipped.code).toBe(0);
    const json = JSON.parse(skipped.stdout);
    expect(json.dataset).toMatchObject({ images: 1, imagesFound: 2 });
    expect(json.dataset.leftOut).toEqual([truncated, empty].sort());
    expect(json.dataset.leftOutBySplit).toEqual({
      test: { found: 2, leftOut: [truncated] },
      training: { found: 2, leftOut: [empty] },
    });
    expect(json.dataset.problems.map((p: { file: string }) => p.file).sort()).toEqual(
      [truncated, empty].sort(),
    );
    for (const problem of json.dataset.problems) {
      expect(problem.code).toMatch(/^DATASET_/);
      expect(problem.message.length).toBeGreaterThan(0);
    }

    const report = await evalMaps(synthetic, maps, '--skip-bad', '--fixed-only');
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/DRIVE test split \(drive layout, .*\): 1 of 2 images,/);
    expect(report.stdout).toMatch(/LEFT OUT \(--skip-bad\): 1 image\(s\)/);
    expect(report.stdout).toContain(truncated);
    expect(report.stdout).not.toContain(empty);
  });
});

describe('eval command on a set without a split (STARE layout)', () => {
  it('scores its one split, all, names the dataset, the derived FOV and shows no DRIVE rows', async () => {
    const stare = path.join(root, 'STARE');
    const maps = path.join(root, 'stare-maps');
    const planted = await writeStare(stare, false, 3);
    await mkdir(maps);
    for (const [id, image] of planted) {
      await writeProbabilityPng(path.join(maps, `${path.basename(id)}.png`), {
        width: image.width,
        height: image.height,
        data: Float32Array.from(image.label, (v) => (v ? 0.8 : 0.2)),
      });
    }
    const exportDir = path.join(root, 'stare-export');
    const json = await evalAndExport(stare, maps, exportDir);
    expect(json.dataset).toMatchObject({ layout: 'stare', name: 'STARE', split: 'all', images: 3 });
    expect(json.dataset.fov).toMatchObject({ shipped: 0, derived: 3 });
    expect(json.dataset.fov.text).toMatch(/^FOV: derived: brightest channel above the surround/);
    expect(json.published).toEqual([]);
    expect(json.publishedNote).toMatch(/No published rows for STARE/);
    // No training split apart from the scored images: 0.5 only, and the report says why.
    expect(json.thresholds.map((t: { chosenOn: string }) => t.chosenOn)).toEqual(['fixed']);
    expect(json.trainingThresholdNote).toMatch(/tuned on the test/);
    expect(json.secondObserver).not.toBeNull();

    const text = await evalMaps(stare, maps);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^STARE all split \(stare layout/);
    expect(text.stdout).toMatch(/FOV: derived: /);
    expect(text.stdout).toMatch(/No published rows for STARE/);
    expect(text.stdout).not.toMatch(/LadderNet|DRIVE test set|orobix/);
    const svg = await readFile(path.join(exportDir, 'roc.svg'), 'utf8');
    expect(svg).toMatch(/STARE all \(stare layout\)/);
    expect(await readFile(path.join(exportDir, 'README.txt'), 'utf8')).toMatch(
      /No published rows for STARE/,
    );

    const wrong = await evalMaps(stare, maps, '--split', 'test');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/stare layout\) has no usable test images.*all \(3 images\)/);
  });
});
