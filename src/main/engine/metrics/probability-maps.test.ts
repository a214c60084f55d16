import { mkdtempSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPredictionFolder, readProbabilityPng, writeProbabilityPng } from './probability-maps';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vessel-maps-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('probability PNGs', () => {
  it('round-trip through 16 bits to within 1/65535', async () => {
    const data = Float32Array.from([0, 1, 0.5, 0.123456, 0.99999, 1e-6]);
    const file = path.join(dir, 'a.png');
    await writeProbabilityPng(file, { width: 3, height: 2, data });
    const back = await readProbabilityPng(file);
    expect([back.width, back.height]).toEqual([3, 2]);
    back.data.forEach((v, i) =>
      expect(Math.abs(v - data[i])).toBeLessThanOrEqual(0.5 / 65535 + 1e-7),
    );
  });

  it('read 8-bit maps as value / 255', async () => {
    const file = path.join(dir, 'b.png');
    await sharp(Uint8Array.from([0, 255, 128, 51]), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toFile(file);
    const back = await readProbabilityPng(file);
    expect(Array.from(back.data)).toEqual([0, 1, 128 / 255, 51 / 255].map(Math.fround));
  });

  it('name the file when it is not a PNG, and refuse a folder without maps', async () => {
    const bad = path.join(dir, 'bad.png');
    await writeFile(bad, 'not an image');
    await expect(readProbabilityPng(bad)).rejects.toThrow(/bad\.png could not be read/);
    const empty = mkdtempSync(path.join(os.tmpdir(), 'vessel-empty-'));
    await expect(checkPredictionFolder(empty)).rejects.toThrow(/holds no PNG/);
    await rm(empty, { recursive: true });
  });
});
