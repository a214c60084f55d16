/**
 * Writes a small dataset in DRIVE's layout for tests and benchmarks: synthetic fundus images
 * (a bright disc with dark branching "vessels"), 1st/2nd manual labels as GIF and FOV masks.
 * Real files through sharp, so the dataset area decodes them exactly as it decodes DRIVE.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export interface TestDatasetOptions {
  width?: number;
  height?: number;
  /** Images per split (training numbers start at 21, test at 1, as in DRIVE). */
  perSplit?: number;
  splits?: ('training' | 'test')[];
}

/** A deterministic vessel pattern: a few straight lines of different widths. */
function vesselLabel(width: number, height: number, seed: number): Uint8Array {
  const label = new Uint8Array(width * height);
  const lines = 6;
  for (let k = 0; k < lines; k++) {
    const angle = ((k + seed * 0.37) / lines) * Math.PI;
    const thickness = 1 + ((k + seed) % 3);
    const cx = width / 2;
    const cy = height / 2;
    const dx = Math.cos(angle);
    const dy = Math.sin(angle);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const dist = Math.abs((x - cx) * dy - (y - cy) * dx);
        if (dist < thickness / 2) label[y * width + x] = 1;
      }
    }
  }
  return label;
}

function fovMask(width: number, height: number): Uint8Array {
  const fov = new Uint8Array(width * height);
  const r = Math.min(width, height) * 0.46;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((x - width / 2) ** 2 + (y - height / 2) ** 2 <= r * r) fov[y * width + x] = 1;
    }
  }
  return fov;
}

async function writeGrey(
  file: string,
  mask: Uint8Array,
  width: number,
  height: number,
): Promise<void> {
  const grey = Buffer.alloc(width * height);
  for (let i = 0; i < grey.length; i++) grey[i] = mask[i] ? 255 : 0;
  await sharp(grey, { raw: { width, height, channels: 1 } })
    .gif()
    .toFile(file);
}

/** Writes the dataset under `root` and returns the ids of the images (`test/01_test`, ...). */
export async function writeTestDataset(
  root: string,
  options: TestDatasetOptions = {},
): Promise<string[]> {
  const width = options.width ?? 64;
  const height = options.height ?? 48;
  const perSplit = options.perSplit ?? 2;
  const ids: string[] = [];
  const fov = fovMask(width, height);
  for (const split of options.splits ?? ['training', 'test']) {
    const dirs = ['images', '1st_manual', 'mask', ...(split === 'test' ? ['2nd_manual'] : [])];
    for (const d of dirs) await mkdir(path.join(root, split, d), { recursive: true });
    for (let i = 0; i < perSplit; i++) {
      const num = String(split === 'training' ? 21 + i : 1 + i).padStart(2, '0');
      const name = `${num}_${split}`;
      const label = vesselLabel(width, height, i + (split === 'test' ? 10 : 0));
      const rgb = Buffer.alloc(width * height * 3);
      for (let p = 0; p < width * height; p++) {
        const inside = fov[p] === 1;
        rgb[p * 3] = inside ? (label[p] ? 120 : 200) : 0;
        rgb[p * 3 + 1] = inside ? (label[p] ? 40 : 90) : 0;
        rgb[p * 3 + 2] = inside ? 30 : 0;
      }
      await sharp(rgb, { raw: { width, height, channels: 3 } })
        .tiff({ compression: 'lzw' })
        .toFile(path.join(root, split, 'images', `${name}.tif`));
      await writeGrey(
        path.join(root, split, '1st_manual', `${num}_manual1.gif`),
        label,
        width,
        height,
      );
      if (split === 'test') {
        const second = vesselLabel(width, height, i + 11);
        await writeGrey(
          path.join(root, split, '2nd_manual', `${num}_manual2.gif`),
          second,
          width,
          height,
        );
      }
      await writeGrey(path.join(root, split, 'mask', `${name}_mask.gif`), fov, width, height);
      ids.push(`${split}/${name}`);
    }
  }
  return ids;
}
