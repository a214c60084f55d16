import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictProbabilities } from '../../compute/infer';
import { setupCompute } from '../../compute/setup';
import { smallGreenUnet } from '../../compute/train/fixtures';
import { loadRgb, PREPROCESS_RECIPES, preprocessImages } from '../../engine/dataset';
import { buildModel, loadModelDir, saveModelDir } from '../../compute/model';
import { runCliCaptured } from '../run-captured';
import { predictCommand } from './predict';

let tmp: string;
let modelDir: string;
let imagePath: string;
const [width, height] = [45, 38];
const config = smallGreenUnet();

beforeAll(async () => {
  await setupCompute({ name: 'cpu', by: 'flag' });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vessel-predict-'));
  modelDir = path.join(tmp, 'model');
  const model = buildModel(config);
  await saveModelDir(modelDir, model, { config });
  model.dispose();
  // An RGB image with a dark "vessel" line on a varying background.
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const line = Math.abs(x - y) < 2 ? 0.3 : 1;
      const base = (y * width + x) * 3;
      rgb[base] = Math.round(200 * line);
      rgb[base + 1] = Math.round((90 + x * 2) * line);
      rgb[base + 2] = Math.round(40 * line);
    }
  }
  imagePath = path.join(tmp, 'image.png');
  await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(imagePath);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function cli(...argv: string[]) {
  return runCliCaptured([predictCommand], argv);
}

/** `predict` on the CPU backend with the given model, input and output, plus extra flags. */
function predict(model: string, input: string, out: string, ...extra: string[]) {
  return cli(
    'predict',
    '--model',
    model,
    '--input',
    input,
    '--out',
    out,
    '--backend',
    'cpu',
    ...extra,
  );
}

/** The model's probabilities computed directly, preprocessing as the model says. */
async function expectedProbabilities(flips = false, turns = false): Promise<Float32Array> {
  const loaded = await loadModelDir(modelDir);
  try {
    const [pixels] = await preprocessImages(
      [await loadRgb({ imagePath })],
      PREPROCESS_RECIPES.green,
    );
    return await predictProbabilities(
      loaded.model,
      { width, height, data: pixels },
      { config: { ...loaded.config, inference: { flips, turns } }, flips },
    );
  } finally {
    loaded.model.dispose();
  }
}

async function readGrey16(
  file: string,
): Promise<{ values: Uint16Array; width: number; height: number }> {
  const { data, info } = await sharp(file)
    .toColourspace('grey16')
    .raw({ depth: 'ushort' })
    .toBuffer({ resolveWithObject: true });
  return {
    values: new Uint16Array(data.buffer, data.byteOffset, data.length / 2),
    width: info.width,
    height: info.height,
  };
}

describe('predict command', () => {
  it('writes the probability map as a 16-bit grey PNG of the input size', async () => {
    const out = path.join(tmp, 'out', 'probabilities.png');
    const { code, stdout } = await predict(modelDir, imagePath, out, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      width: number;
      height: number;
      output: string;
      backend: string;
    };
    expect(result).toMatchObject({ width, height, output: 'probability-16bit', backend: 'cpu' });
    expect((await sharp(out).metadata()).depth).toBe('ushort');
    const png = await readGrey16(out);
    expect([png.width, png.height]).toEqual([width, height]);
    const expected = await expectedProbabilities();
    let maxDifference = 0;
    for (let i = 0; i < expected.length; i++) {
      maxDifference = Math.max(
        maxDifference,
        Math.abs(png.values[i] - Math.round(expected[i] * 65535)),
      );
    }
    expect(maxDifference).toBeLessThanOrEqual(1);
  });

  it("averages the four flips when the model's config says so, unless --no-flips", async () => {
    const flipModel = path.join(tmp, 'flip-model');
    const loaded = await loadModelDir(modelDir);
    await saveModelDir(flipModel, loaded.model, {
      config: { ...loaded.config, inference: { flips: true } },
    });
    loaded.model.dispose();
    const [plain, flipped] = [
      await expectedProbabilities(false),
      await expectedProbabilities(true),
    ];
    const gap = Math.max(...plain.map((p, i) => Math.abs(p - flipped[i])));
    expect(gap).toBeGreaterThan(2 / 65535); // the two settings are told apart by the 16-bit PNG
    const maxError = (values: Uint16Array, expected: Float32Array) =>
      Math.max(...Array.from(expected, (e, i) => Math.abs(values[i] - Math.round(e * 65535))));

    const byModel = path.join(tmp, 'flips-by-model.png');
    const run = await predict(flipModel, imagePath, byModel, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ flips: true });
    expect(maxError((await readGrey16(byModel)).values, flipped)).toBeLessThanOrEqual(1);

    const overridden = path.join(tmp, 'flips-off.png');
    const off = await predict(flipModel, imagePath, overridden, '--no-flips', '--json');
    expect(JSON.parse(off.stdout)).toMatchObject({ flips: false });
    expect(maxError((await readGrey16(overridden)).values, plain)).toBeLessThanOrEqual(1);

    const both = await predict(flipModel, imagePath, overridden, '--flips', '--no-flips');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give --flips or --no-flips, not both/);
  });

  it('averages the eight flips and quarter turns with --turns or the model setting, unless --no-turns', async () => {
    const turnsModel = path.join(tmp, 'turns-model');
    const loaded = await loadModelDir(modelDir);
    await saveModelDir(turnsModel, loaded.model, {
      config: { ...loaded.config, inference: { flips: true, turns: true } },
    });
    loaded.model.dispose();
    const [four, eight] = [
      await expectedProbabilities(true, false),
      await expectedProbabilities(true, true),
    ];
    expect(Math.max(...four.map((p, i) => Math.abs(p - eight[i])))).toBeGreaterThan(2 / 65535);
    const maxError = async (file: string, expected: Float32Array) => {
      const { values } = await readGrey16(file);
      return Math.max(
        ...Array.from(expected, (e, i) => Math.abs(values[i] - Math.round(e * 65535))),
      );
    };
    const out = path.join(tmp, 'turns.png');

    // The plain model with --turns (which implies flips), and the model whose setting says so.
    for (const [model, extra] of [
      [modelDir, ['--turns']],
      [turnsModel, []],
    ] as const) {
      const run = await predict(model, imagePath, out, ...extra, '--json');
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ flips: true, turns: true });
      expect(await maxError(out, eight)).toBeLessThanOrEqual(1);
    }
    const fourOnly = await predict(turnsModel, imagePath, out, '--no-turns', '--json');
    expect(JSON.parse(fourOnly.stdout)).toMatchObject({ flips: true, turns: false });
    expect(await maxError(out, four)).toBeLessThanOrEqual(1);

    for (const [flags, message] of [
      [['--turns', '--no-turns'], /give --turns or --no-turns, not both/],
      [
        ['--turns', '--no-flips'],
        /--turns adds quarter turns to the flips: drop --no-flips or --turns/,
      ],
    ] as const) {
      const refused = await predict(modelDir, imagePath, out, ...flags);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(message);
    }
  });

  it('writes a 0/255 mask with --threshold', async () => {
    const out = path.join(tmp, 'mask.png');
    const expected = await expectedProbabilities();
    const sorted = Array.from(expected).sort((a, b) => a - b);
    const threshold = Number(sorted[Math.floor(sorted.length / 2)].toFixed(4));
    const { code } = await predict(modelDir, imagePath, out, '--threshold', String(threshold));
    expect(code).toBe(0);
    expect((await sharp(out).metadata()).channels).toBe(1);
    const { data, info } = await sharp(out)
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([width, height, 1]);
    let agreeing = 0;
    for (let i = 0; i < expected.length; i++) {
      expect([0, 255]).toContain(data[i]);
      if ((data[i] === 255) === expected[i] >= threshold) agreeing++;
    }
    expect(agreeing).toBe(expected.length);
  });

  it('--scale resamples by a factor and answers at the input size; auto says when the model has no scale', async () => {
    const out = path.join(tmp, 'scaled.png');
    const auto = await predict(modelDir, imagePath, out, '--json');
    expect(auto.code).toBe(0);
    expect(auto.stderr).toContain('records no training scale');
    expect(JSON.parse(auto.stdout).scale).toMatchObject({ setting: 'auto', factor: 1 });
    const doubled = await predict(modelDir, imagePath, out, '--scale', '2', '--json');
    expect(doubled.code).toBe(0);
    expect(JSON.parse(doubled.stdout)).toMatchObject({
      width,
      height,
      scale: { setting: 'factor', factor: 2 },
    });
    const png = await readGrey16(out);
    expect([png.width, png.height]).toEqual([width, height]);
    for (const bad of ['9', 'large']) {
      const refused = await predict(modelDir, imagePath, out, '--scale', bad);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--scale');
      expect(refused.stderr).toContain('0.25 to 4');
    }
  });

  it('refuses bad input with exit code 2 and a message naming the file, writing nothing', async () => {
    const out = path.join(tmp, 'never.png');
    const missingImage = await predict(modelDir, path.join(tmp, 'nope.tif'), out);
    expect(missingImage.code).toBe(2);
    expect(missingImage.stderr).toContain('nope.tif');
    const missingModel = await predict(path.join(tmp, 'no-model'), imagePath, out, '--json');
    expect(missingModel.code).toBe(2);
    expect(JSON.parse(missingModel.stdout).error.code).toBe('MODEL_NOT_FOUND');
    const badThreshold = await predict(modelDir, imagePath, out, '--threshold', '1');
    expect(badThreshold.code).toBe(2);
    expect(badThreshold.stderr).toContain('--threshold');
    await expect(stat(out)).rejects.toThrow();
    expect((await readFile(imagePath)).length).toBeGreaterThan(0);
  });
});
