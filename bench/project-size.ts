/**
 * Bytes one model version's cached predictions take in a project, before (deflated Float32,
 * schema 5) and after (8-bit grey PNG, schema 6), and the PNG's encode time per zlib level.
 * Reads probability maps written by `eval --export <dir>` (16-bit PNGs in <dir>/probabilities).
 *   npx tsx bench/project-size.ts <export-dir>/probabilities
 * Prints one JSON object.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { deflateRawSync } from 'node:zlib';
import sharp from 'sharp';
import { encodePrediction } from '../src/main/engine/project/prediction-codec';

async function readMap(file: string): Promise<{ p: Float32Array; width: number; height: number }> {
  const { data, info } = await sharp(file)
    .toColourspace('grey16')
    .raw({ depth: 'ushort' })
    .toBuffer({ resolveWithObject: true });
  const values = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  return { p: Float32Array.from(values, (v) => v / 65535), width: info.width, height: info.height };
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('give the probabilities folder of an `eval --export` (16-bit PNGs)');
  const files = readdirSync(dir).filter((f) => f.endsWith('.png'));
  const maps = await Promise.all(files.map((f) => readMap(path.join(dir, f))));
  const f32 = maps.reduce(
    (sum, m) => sum + deflateRawSync(Buffer.from(m.p.buffer), { level: 1 }).byteLength,
    0,
  );
  const levels: Record<string, { bytes: number; msPerMap: number }> = {};
  for (const level of [1, 3, 6, 9]) {
    let bytes = 0;
    const start = performance.now();
    for (const m of maps)
      bytes += (await encodePrediction(m.p, m.width, m.height, level)).byteLength;
    levels[`level${level}`] = { bytes, msPerMap: (performance.now() - start) / maps.length };
  }
  // A DRIVE model version caches both splits: scale the measured maps to 40.
  const perVersion = (bytes: number) => Math.round((bytes / maps.length) * 40);
  process.stdout.write(
    `${JSON.stringify({
      maps: maps.length,
      size: `${maps[0]?.width}x${maps[0]?.height}`,
      bytesPerVersionBefore: perVersion(f32),
      bytesPerVersionAfter: perVersion(levels.level1!.bytes),
      pngLevels: levels,
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}`,
      date: new Date().toISOString(),
    })}\n`,
  );
}

await main();
