import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeIcns, encodeIco, ICNS_TYPES, ICO_SIZES, renderPng } from './icons';

const buildDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');

/** Reads an ICO's directory: each entry's size and its PNG's own size. */
async function readIco(data: Buffer) {
  expect(data.readUInt16LE(0)).toBe(0);
  expect(data.readUInt16LE(2)).toBe(1);
  const count = data.readUInt16LE(4);
  const entries = [];
  for (let i = 0; i < count; i += 1) {
    const at = 6 + 16 * i;
    const declared = data.readUInt8(at) || 256;
    const length = data.readUInt32LE(at + 8);
    const offset = data.readUInt32LE(at + 12);
    const meta = await sharp(data.subarray(offset, offset + length)).metadata();
    entries.push({ declared, width: meta.width, height: meta.height, format: meta.format });
  }
  return entries;
}

/** Reads an ICNS's blocks: each type and its PNG's own size. */
async function readIcns(data: Buffer) {
  expect(data.toString('ascii', 0, 4)).toBe('icns');
  expect(data.readUInt32BE(4)).toBe(data.length);
  const blocks = [];
  for (let at = 8; at < data.length;) {
    const type = data.toString('ascii', at, at + 4);
    const length = data.readUInt32BE(at + 4);
    const meta = await sharp(data.subarray(at + 8, at + length)).metadata();
    blocks.push({ type, width: meta.width });
    at += length;
  }
  return blocks;
}

describe('app icons', () => {
  it('writes ICO files that Windows can read: PNG entries of the declared sizes', async () => {
    const svg = readFileSync(path.join(buildDir, 'icon.svg'));
    const images = await Promise.all(
      [16, 256].map(async (size) => ({ size, png: await renderPng(svg, size) })),
    );
    expect(await readIco(encodeIco(images))).toEqual([
      { declared: 16, width: 16, height: 16, format: 'png' },
      { declared: 256, width: 256, height: 256, format: 'png' },
    ]);
  });

  it('keeps build/icon.ico and build/icon.icns in step with the sizes they declare', async () => {
    const ico = await readIco(readFileSync(path.join(buildDir, 'icon.ico')));
    expect(ico.map((e) => e.declared)).toEqual(ICO_SIZES);
    expect(ico.every((e) => e.width === e.declared && e.height === e.declared)).toBe(true);
    const icns = await readIcns(readFileSync(path.join(buildDir, 'icon.icns')));
    expect(icns).toEqual(ICNS_TYPES.map(([type, width]) => ({ type, width })));
    // A one-entry file round-trips too.
    const one = encodeIcns([
      { type: 'ic07', png: await renderPng(readFileSync(path.join(buildDir, 'icon.svg')), 128) },
    ]);
    expect(await readIcns(one)).toEqual([{ type: 'ic07', width: 128 }]);
  });

  it('draws a picture, not a blank tile: an orange-red fundus on a transparent corner', async () => {
    const { data, info } = await sharp(path.join(buildDir, 'icons', '64x64.png'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const mean = [0, 0, 0];
    let count = 0;
    for (let y = 0; y < info.height; y += 1) {
      for (let x = 0; x < info.width; x += 1) {
        if ((x - 32) ** 2 + (y - 32) ** 2 > 20 ** 2) continue;
        const i = (y * info.width + x) * info.channels;
        for (let c = 0; c < 3; c += 1) mean[c] += data[i + c];
        count += 1;
      }
    }
    const [r, g, b] = mean.map((sum) => sum / count);
    expect(r).toBeGreaterThan(150);
    expect(r).toBeGreaterThan(g + 40);
    expect(g).toBeGreaterThan(b);
    // The rounded tile leaves the corner pixel fully transparent.
    expect(info.channels).toBe(4);
    expect(data[3]).toBe(0);
  });
});
