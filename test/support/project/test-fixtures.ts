/** Small DRIVE-shaped datasets and temp folders that the project tests build for themselves. */
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Project } from '../../../src/main/engine/project/project';
import type {
  ImageInput,
  ModelVersion,
  ModelVersionInput,
} from '../../../src/main/engine/project/types';

/** A fresh temporary folder; remove it with `fs.rm(dir, { recursive: true })`. */
export function temporaryFolder(prefix = 'vessel-project-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A grey PNG of the given size whose pixels depend on `seed` (so every file hashes differently). */
export async function seededPng(width: number, height: number, seed: number): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const pixels = Buffer.alloc(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31 + seed * 97) & 0xff;
  return sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

/** Writes a 4x4 seeded PNG (see seededPng) to `file`; returns `file`. */
export async function writeTinyPng(file: string, seed: number): Promise<string> {
  await fs.writeFile(file, await seededPng(4, 4, seed));
  return file;
}

/**
 * Writes `count` test images in DRIVE's layout (test/images, test/1st_manual, test/mask) under
 * `root` and returns them as project image inputs. FOV masks are identical on purpose, as
 * DRIVE's can be, so relocation must tell duplicates apart.
 */
export async function writeDriveLikeDataset(
  root: string,
  count: number,
  size = { width: 24, height: 20 },
): Promise<ImageInput[]> {
  const inputs: ImageInput[] = [];
  for (const folder of ['images', '1st_manual', 'mask'])
    await fs.mkdir(path.join(root, 'test', folder), { recursive: true });
  const fov = await seededPng(size.width, size.height, 999);
  for (let n = 1; n <= count; n++) {
    const id = String(n).padStart(2, '0');
    const image = path.join(root, 'test', 'images', `${id}_test.png`);
    const label = path.join(root, 'test', '1st_manual', `${id}_manual1.png`);
    const mask = path.join(root, 'test', 'mask', `${id}_test_mask.png`);
    await fs.writeFile(image, await seededPng(size.width, size.height, n));
    await fs.writeFile(label, await seededPng(size.width, size.height, 100 + n));
    await fs.writeFile(mask, fov);
    inputs.push({
      key: `test/${id}_test`,
      split: 'test',
      name: `${id}_test`,
      width: size.width,
      height: size.height,
      files: { image, 'label-1st': label, fov: mask },
    });
  }
  return inputs;
}

/** A random 0/1 mask with vessel-like horizontal runs. */
export function randomMask(
  width: number,
  height: number,
  seed: number,
): { width: number; height: number; data: Uint8Array } {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length;) {
    const run = 1 + Math.floor(next() * 12);
    const value = next() < 0.15 ? 1 : 0;
    data.fill(value, i, Math.min(data.length, i + run));
    i += run;
  }
  return { width, height, data };
}

/** A minimal but valid tfjs layers model folder: model.json plus one weight shard. */
export function tinyModelFiles(weights: Uint8Array): Record<string, Uint8Array> {
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'vessel-studio tests',
    modelTopology: { class_name: 'Sequential', config: { name: 'tiny', layers: [] } },
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: [{ name: 'w', shape: [weights.length / 4], dtype: 'float32' }],
      },
    ],
  };
  return {
    'model.json': new TextEncoder().encode(JSON.stringify(modelJson)),
    'weights.bin': weights,
  };
}

/** Stores a minimal loadable model version (8 bytes of weights, CPU) in `project`. */
export function addTinyModel(
  project: Project,
  name = 'm',
  more: Partial<ModelVersionInput> = {},
): Promise<ModelVersion> {
  const files = tinyModelFiles(new Uint8Array(8));
  return project.addModelVersion({ name, config: {}, files, backend: 'cpu', ...more });
}

/** Adds to `project` a model version 'U-Net baseline': tinyModelFiles with every weight byte 3, CPU. */
export function addBaselineModel(project: Project): Promise<ModelVersion> {
  return addTinyModel(project, 'U-Net baseline', {
    files: tinyModelFiles(new Uint8Array(16).fill(3)),
  });
}
