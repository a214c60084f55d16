import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binarise, decodeFile, parseNetpbm } from './decode';
import { netpbmBytes } from './synthetic-datasets';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vessel-decode-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('decoding', () => {
  it('binarises by > 127: a palette GIF whose white is (252,254,252) keeps its vessels', async () => {
    // DRIVE's 2nd_manual colours: (4,2,4) and (252,254,252).
    const rgb = new Uint8Array(4 * 4 * 3);
    for (let i = 0; i < 16; i++) rgb.set(i % 3 === 0 ? [252, 254, 252] : [4, 2, 4], 3 * i);
    const file = path.join(tmp, 'palette.gif');
    await sharp(rgb, { raw: { width: 4, height: 4, channels: 3 } })
      .gif()
      .toFile(file);
    const pixels = await decodeFile(file);
    expect(pixels.data.some((v) => v === 255)).toBe(false);
    expect(Array.from(binarise(pixels))).toEqual(
      Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
    );
  });

  it('binarise uses the threshold 127 exactly', () => {
    const data = Uint8Array.from([0, 127, 128, 255]);
    expect(Array.from(binarise({ width: 4, height: 1, channels: 1, data }))).toEqual([0, 0, 1, 1]);
  });

  it('parses PPM (P6), 16-bit PGM (P5) and ASCII PPM (P3)', () => {
    const p6 = parseNetpbm(netpbmBytes(2, 1, Uint8Array.from([1, 2, 3, 4, 5, 6]), 3), 'a.ppm');
    expect(p6).toEqual({
      width: 2,
      height: 1,
      channels: 3,
      data: Uint8Array.from([1, 2, 3, 4, 5, 6]),
    });
    const p5 = Buffer.concat([
      Buffer.from('P5 2 1 65535\n'),
      Buffer.from([0xff, 0xff, 0x80, 0x00]),
    ]);
    expect(Array.from(parseNetpbm(p5, 'b.pgm').data)).toEqual([255, 128]);
    const p3 = Buffer.from('P3\n# comment\n1 1\n255\n10 20 30\n');
    expect(Array.from(parseNetpbm(p3, 'c.ppm').data)).toEqual([10, 20, 30]);
  });

  it('DATASET_FILE_CORRUPT for a missing file, garbage bytes and an unsupported Netpbm type, naming the file', async () => {
    const garbage = path.join(tmp, 'garbage.png');
    await writeFile(garbage, 'definitely not an image');
    const pbm = path.join(tmp, 'bits.pbm');
    await writeFile(pbm, 'P4\n8 1\n\xff');
    for (const file of [path.join(tmp, 'missing.tif'), garbage, pbm]) {
      await expect(decodeFile(file)).rejects.toMatchObject({
        code: 'DATASET_FILE_CORRUPT',
        message: expect.stringContaining(file),
      });
    }
  });

  it('decodes a grey PNG (channels equal) and drops alpha', async () => {
    const grey = path.join(tmp, 'grey.png');
    await sharp(Uint8Array.from([0, 255, 10, 20]), { raw: { width: 2, height: 2, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(grey);
    const decoded = await decodeFile(grey);
    // sharp hands grey images out as sRGB: three equal channels, which binarise and loadRgb expect.
    expect(Array.from(binarise(decoded))).toEqual([0, 1, 0, 0]);
    expect(Array.from(decoded.data).filter((_, i) => i % decoded.channels === 0)).toEqual([
      0, 255, 10, 20,
    ]);
    const rgba = path.join(tmp, 'rgba.png');
    await sharp(Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 255]), {
      raw: { width: 2, height: 1, channels: 4 },
    })
      .png()
      .toFile(rgba);
    expect(await decodeFile(rgba)).toMatchObject({
      channels: 3,
      data: Uint8Array.from([1, 2, 3, 4, 5, 6]),
    });
  });
});
