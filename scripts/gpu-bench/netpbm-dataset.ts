/**
 * Copies a dataset into Netpbm files, for a GPU machine that has no sharp: every image, label
 * and FOV mask is decoded with the app's own decoder (what the loader would see) and written
 * as binary PPM (RGB) or PGM (grey) under the same folder layout and file stems, which the
 * dataset discovery matches by number and stem whatever the extension. Netpbm is read by our
 * own parser (decode.ts), so no image library is needed to load the copy; the pixels are the
 * same 8-bit values, so training and prediction on the copy see the same input.
 *
 *   node --import tsx scripts/gpu-bench/netpbm-dataset.ts <from> <to>
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeFile } from '../../src/main/engine/dataset/decode';

const IMAGE = /\.(tiff?|gif|png|jpe?g|ppm|pgm|bmp)(\.gz)?$/i;

async function copyTree(from: string, to: string): Promise<number> {
  let count = 0;
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) {
      count += await copyTree(source, path.join(to, entry.name));
      continue;
    }
    if (!entry.isFile() || !IMAGE.test(entry.name)) continue;
    const { data, width, height, channels } = await decodeFile(source);
    if (channels !== 1 && channels !== 3) {
      throw new Error(`${source} decodes to ${channels} channels; expected grey or RGB`);
    }
    const stem = entry.name.replace(IMAGE, '');
    const header = Buffer.from(`${channels === 3 ? 'P6' : 'P5'}\n${width} ${height}\n255\n`);
    const target = path.join(to, `${stem}.${channels === 3 ? 'ppm' : 'pgm'}`);
    await writeFile(
      target,
      Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.length)]),
    );
    count += 1;
  }
  return count;
}

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  process.stderr.write('usage: netpbm-dataset.ts <from> <to>\n');
  process.exit(2);
}
copyTree(path.resolve(from), path.resolve(to)).then(
  (count) => process.stderr.write(`netpbm-dataset: ${count} files written to ${to}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
