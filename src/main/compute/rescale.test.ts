import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { driveRoot } from '../../../test/support/drive';
import { existsSync } from 'node:fs';
import { loadFov } from '../engine/dataset/decode';
import { allEntries, openDataset } from '../engine/dataset/open';
import {
  chooseScale,
  fovDiameter,
  parseScaleSetting,
  resampleMask,
  resampleProbabilities,
  resampleRgb,
  resampleToScale,
  scaledSize,
  trainingScaleOf,
} from './rescale';

/** A 0/1 disc of radius r centred in a width x height mask, rows outside [top, bottom) cleared. */
function disc(width: number, height: number, r: number, top = 0, bottom = height): Uint8Array {
  const mask = new Uint8Array(width * height);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  for (let y = top; y < bottom; y++)
    for (let x = 0; x < width; x++)
      if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) mask[y * width + x] = 1;
  return mask;
}

describe('fovDiameter', () => {
  it('is the widest row or column of the disc, clipped or not, and ignores stray pixels', () => {
    expect(fovDiameter(disc(101, 101, 40), 101, 101)).toBe(81);
    // Clipped at top and bottom: the widest row still spans the diameter.
    expect(fovDiameter(disc(101, 101, 40, 30, 70), 101, 101)).toBe(81);
    const specks = disc(101, 101, 30);
    specks[0] = 1;
    specks[100 * 101 + 100] = 1;
    expect(fovDiameter(specks, 101, 101)).toBe(61);
    expect(fovDiameter(new Uint8Array(12), 4, 3)).toBe(0);
  });

  it('takes the median over training images', () => {
    const fovs = [30, 40, 35].map((r) => ({ fov: disc(101, 101, r), width: 101, height: 101 }));
    expect(trainingScaleOf(fovs)).toEqual({ fovDiameter: 71, images: 3, resample: 'bicubic' });
    expect(trainingScaleOf([{ fov: new Uint8Array(4), width: 2, height: 2 }])).toBeNull();
  });
});

describe('chooseScale', () => {
  const training = { fovDiameter: 540, images: 20, resample: 'bicubic' as const };
  const measured = (d: number) => () => Promise.resolve(d);

  it('matches the FOV to the training diameter, leaving images within 2% alone', async () => {
    expect((await chooseScale('auto', training, measured(1080))).factor).toBeCloseTo(0.5, 10);
    const small = await chooseScale('auto', training, measured(405));
    expect(small.factor).toBe(1);
    expect(small.note).toMatch(/never enlarges/);
    expect((await chooseScale('auto', training, measured(550))).factor).toBe(1);
    expect((await chooseScale('auto', training, measured(530))).factor).toBe(1);
    expect((await chooseScale('auto', training, measured(560))).factor).toBeCloseTo(540 / 560);
  });

  it('says why auto does not resample for a model without a training scale', async () => {
    const scale = await chooseScale('auto', undefined, measured(1080));
    expect(scale.factor).toBe(1);
    expect(scale.note).toMatch(/records no training scale/);
    expect((await chooseScale('off', training, measured(1080))).factor).toBe(1);
    expect((await chooseScale(1.5, undefined, measured(1080))).factor).toBe(1.5);
  });
});

describe('parseScaleSetting', () => {
  it('takes auto, off and factors within 0.25..4, refusing anything else with a coded error', () => {
    expect(parseScaleSetting('auto')).toBe('auto');
    expect(parseScaleSetting('OFF')).toBe('off');
    expect(parseScaleSetting('1.77')).toBe(1.77);
    for (const bad of ['0.1', '5', 'big', '-1', '', '1e3'])
      expect(() => parseScaleSetting(bad)).toThrow(
        expect.objectContaining({ code: 'COMPUTE_BAD_SCALE' }),
      );
  });
});

describe('resampling round trip', () => {
  it('gives back a map of the image size that keeps a smooth map', () => {
    const from = { width: 30, height: 20 };
    const map = new Float32Array(600);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 30; x++) map[y * 30 + x] = x / 29;
    const up = scaledSize(30, 20, 2);
    expect(up).toEqual({ width: 60, height: 40 });
    const big = resampleProbabilities(map, from, up.width, up.height);
    expect(big.length).toBe(2400);
    const back = resampleProbabilities(big, up, 30, 20);
    expect(back.length).toBe(600);
    // A linear ramp survives bilinear resampling away from the clamped borders.
    for (let x = 1; x < 29; x++) expect(back[10 * 30 + x]).toBeCloseTo(x / 29, 5);
    expect(resampleProbabilities(map, from, 30, 20)).toBe(map);
  });

  it('resamples images bicubic and masks nearest with sharp', async () => {
    const rgb = { width: 8, height: 6, data: new Uint8Array(8 * 6 * 3).fill(120) };
    const big = await resampleRgb(rgb, 16, 12);
    expect(big.width).toBe(16);
    expect(big.data.length).toBe(16 * 12 * 3);
    expect(new Set(big.data)).toEqual(new Set([120]));
    const mask = disc(20, 20, 8);
    const up = await resampleMask(mask, { width: 20, height: 20 }, 40, 40);
    expect(new Set(up)).toEqual(new Set([0, 1]));
    expect(fovDiameter(up, 40, 40)).toBe(2 * fovDiameter(mask, 20, 20));
  });
});

describe('resampleToScale', () => {
  const training = { fovDiameter: 540, images: 20, resample: 'bicubic' as const };
  const rgb = { width: 40, height: 30, data: new Uint8Array(40 * 30 * 3).fill(90) };

  it('resamples to the chosen factor, measuring the FOV only when auto needs it', async () => {
    let measured = 0;
    const measure = () => {
      measured++;
      return Promise.resolve(1080);
    };
    const half = await resampleToScale(rgb, 'auto', training, measure);
    expect(half.scale.factor).toBeCloseTo(0.5, 10);
    expect(half.scale.fovDiameter).toBe(1080);
    expect([half.image.width, half.image.height]).toEqual([20, 15]);
    expect(half.image.data.length).toBe(20 * 15 * 3);
    expect(measured).toBe(1);
    const doubled = await resampleToScale(rgb, 2, training, measure);
    expect([doubled.image.width, doubled.image.height]).toEqual([80, 60]);
    const off = await resampleToScale(rgb, 'off', training, measure);
    expect(off.scale.factor).toBe(1);
    expect(off.image).toBe(rgb);
    expect(measured).toBe(1);
  });
});

const drive = driveRoot();
describe.skipIf(!existsSync(path.join(drive, 'training', 'mask')))(
  "the bundled model's trainingScale",
  () => {
    it('is what the FOV masks of the images it was trained on measure (18, the validation pair held out)', async () => {
      const meta = JSON.parse(
        await readFile(
          path.resolve(__dirname, '../../../resources/models/default/vessel.json'),
          'utf8',
        ),
      ) as {
        trainingScale?: unknown;
        training: { split: { train: string[]; validation: string[] } };
      };
      const { train, validation } = meta.training.split;
      expect(train).toHaveLength(18);
      expect(validation).toEqual(['training/30_training', 'training/31_training']);
      const index = await openDataset(drive);
      const trained = allEntries(index).filter((e) => train.includes(e.id));
      expect(trained.map((e) => e.id).sort()).toEqual([...train].sort());
      const fovs = await Promise.all(
        trained.map(async (e) => ({ fov: await loadFov(e), width: e.width, height: e.height })),
      );
      expect(meta.trainingScale).toEqual(trainingScaleOf(fovs));
    });
  },
);
