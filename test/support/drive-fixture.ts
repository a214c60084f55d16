/**
 * A small DRIVE-shaped dataset for tests: the original layout and file names, 20 training and
 * 20 test images of a few hundred pixels, a round FOV, and two observers that disagree a little.
 * Written with sharp in the original formats (TIFF images, GIF labels and masks).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { seededRandom } from './seeded-random';

export interface DriveFixtureImage {
  split: 'training' | 'test';
  stem: string;
  width: number;
  height: number;
  label1st: Uint8Array;
  label2nd: Uint8Array | null;
  fov: Uint8Array;
}

async function writeGif(file: string, binary: Uint8Array, width: number, height: number) {
  const grey = Uint8Array.from(binary, (v) => (v ? 255 : 0));
  await sharp(grey, { raw: { width, height, channels: 1 } })
    .gif()
    .toFile(file);
}

/** Writes the fixture under `root` and returns what it wrote (labels and FOV as 0/1). */
export async function writeDriveFixture(
  root: string,
  width = 32,
  height = 24,
  seed = 1,
): Promise<DriveFixtureImage[]> {
  const random = seededRandom(seed);
  const images: DriveFixtureImage[] = [];
  for (const split of ['training', 'test'] as const) {
    const folders = ['images', '1st_manual', 'mask', ...(split === 'test' ? ['2nd_manual'] : [])];
    for (const folder of folders) await mkdir(path.join(root, split, folder), { recursive: true });
    const numbers = split === 'test' ? [1, 20] : [21, 40];
    for (let n = numbers[0]; n <= numbers[1]; n++) {
      const nn = String(n).padStart(2, '0');
      const stem = `${nn}_${split}`;
      const size = width * height;
      const fov = new Uint8Array(size);
      const label1st = new Uint8Array(size);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const dx = (x - width / 2) / (width / 2);
          const dy = (y - height / 2) / (height / 2);
          fov[y * width + x] = dx * dx + dy * dy <= 0.9 ? 1 : 0;
          // Vessels: a few horizontal and vertical lines, shifted per image.
          label1st[y * width + x] = (x + n) % 7 === 0 || (y + 2 * n) % 9 === 0 ? 1 : 0;
        }
      }
      const label2nd =
        split === 'test' ? Uint8Array.from(label1st, (v) => (random() < 0.08 ? 1 - v : v)) : null;
      const rgb = new Uint8Array(size * 3);
      for (let i = 0; i < size; i++) {
        const g = fov[i] ? (label1st[i] ? 60 : 160) + Math.floor(random() * 30) : 0;
        rgb.set([g + 40, g, Math.floor(g / 2)], i * 3);
      }
      await sharp(rgb, { raw: { width, height, channels: 3 } })
        .tiff({ compression: 'lzw' })
        .toFile(path.join(root, split, 'images', `${stem}.tif`));
      await writeGif(
        path.join(root, split, '1st_manual', `${nn}_manual1.gif`),
        label1st,
        width,
        height,
      );
      if (label2nd) {
        await writeGif(
          path.join(root, split, '2nd_manual', `${nn}_manual2.gif`),
          label2nd,
          width,
          height,
        );
      }
      await writeGif(path.join(root, split, 'mask', `${stem}_mask.gif`), fov, width, height);
      images.push({ split, stem, width, height, label1st, label2nd, fov });
    }
  }
  return images;
}
