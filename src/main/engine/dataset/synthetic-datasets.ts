/**
 * Test support: small synthetic fundus datasets written to disk in every supported layout and
 * format (TIFF LZW, GIF, PNG, JPEG with sharp; PPM/PGM written here, since sharp cannot write
 * Netpbm). Each image has a bright disc (the FOV) on black and a cross of dark "vessels".
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';

export const SYNTH_WIDTH = 40;
export const SYNTH_HEIGHT = 36;

export interface SyntheticImage {
  width: number;
  height: number;
  rgb: Uint8Array;
  /** 0/1 */
  label: Uint8Array;
  /** 0/1 */
  fov: Uint8Array;
}

/** A fundus-like image; `variant` moves the vessels so images differ. */
export function syntheticFundus(
  variant = 0,
  width = SYNTH_WIDTH,
  height = SYNTH_HEIGHT,
): SyntheticImage {
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  const label = new Uint8Array(n);
  const fov = new Uint8Array(n);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const r = Math.min(width, height) * 0.45;
  const vx = Math.floor(width / 3) + (variant % 5);
  const vy = Math.floor(height / 2) + (variant % 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
      fov[i] = inside ? 1 : 0;
      const vessel = inside && (Math.abs(x - vx) <= 1 || Math.abs(y - vy) <= 1);
      label[i] = vessel ? 1 : 0;
      const [R, G, B] = !inside ? [0, 0, 0] : vessel ? [120, 40, 20] : [200, 110, 50];
      rgb[3 * i] = R;
      rgb[3 * i + 1] = G;
      rgb[3 * i + 2] = B;
    }
  }
  return { width, height, rgb, label, fov };
}

function to255(mask: Uint8Array): Uint8Array {
  return mask.map((v) => (v ? 255 : 0));
}

type RgbFormat = 'tiff' | 'png' | 'jpeg' | 'ppm' | 'ppm.gz';
type GreyFormat = 'gif' | 'png' | 'tiff' | 'ppm' | 'ppm.gz' | 'pgm';

/** A binary PPM (P6) or PGM (P5) file's bytes. */
export function netpbmBytes(
  width: number,
  height: number,
  data: Uint8Array,
  channels: 1 | 3,
): Uint8Array {
  const header = Buffer.from(
    `${channels === 3 ? 'P6' : 'P5'}\n# synthetic\n${width} ${height}\n255\n`,
    'ascii',
  );
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Writes an RGB image in the given format. */
export async function writeRgb(
  file: string,
  image: { width: number; height: number; rgb: Uint8Array },
  format: RgbFormat,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const { width, height, rgb } = image;
  if (format === 'ppm' || format === 'ppm.gz') {
    const bytes = netpbmBytes(width, height, rgb, 3);
    await writeFile(file, format === 'ppm.gz' ? gzipSync(bytes) : bytes);
    return;
  }
  const s = sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } });
  if (format === 'tiff') await s.tiff({ compression: 'lzw' }).toFile(file);
  else if (format === 'png') await s.png().toFile(file);
  else await s.jpeg({ quality: 95 }).toFile(file);
}

/** Writes a 0/1 mask as a 0/255 grey file (or 3-channel where the format needs it). */
export async function writeMask(
  file: string,
  size: { width: number; height: number },
  mask: Uint8Array,
  format: GreyFormat,
): Promise<void> {
  const { width, height } = size;
  await mkdir(path.dirname(file), { recursive: true });
  const grey = to255(mask);
  if (format === 'pgm') {
    await writeFile(file, netpbmBytes(width, height, grey, 1));
    return;
  }
  if (format === 'ppm' || format === 'ppm.gz') {
    const rgb = new Uint8Array(grey.length * 3);
    for (let i = 0; i < grey.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i]!;
    const bytes = netpbmBytes(width, height, rgb, 3);
    await writeFile(file, format === 'ppm.gz' ? gzipSync(bytes) : bytes);
    return;
  }
  const s = sharp(Buffer.from(grey), { raw: { width, height, channels: 1 } });
  if (format === 'gif') await s.gif().toFile(file);
  else if (format === 'png') await s.png().toFile(file);
  else await s.tiff({ compression: 'lzw' }).toFile(file);
}

/** DRIVE layout (training 21.., test 01.. with 2nd_manual); returns the planted images by id. */
export async function writeDrive(
  root: string,
  counts = { training: 2, test: 2 },
): Promise<Map<string, SyntheticImage>> {
  const planted = new Map<string, SyntheticImage>();
  for (const split of ['training', 'test'] as const) {
    for (let k = 0; k < counts[split]; k++) {
      const num = String(split === 'training' ? 21 + k : 1 + k).padStart(2, '0');
      const image = syntheticFundus(k + (split === 'test' ? 10 : 0));
      const dir = path.join(root, split);
      await writeRgb(path.join(dir, 'images', `${num}_${split}.tif`), image, 'tiff');
      await writeMask(
        path.join(dir, '1st_manual', `${num}_manual1.gif`),
        image,
        image.label,
        'gif',
      );
      if (split === 'test') {
        await writeMask(
          path.join(dir, '2nd_manual', `${num}_manual2.gif`),
          image,
          image.label,
          'gif',
        );
      }
      await writeMask(path.join(dir, 'mask', `${num}_${split}_mask.gif`), image, image.fov, 'gif');
      planted.set(`${split}/${num}_${split}`, image);
    }
  }
  return planted;
}

/** STARE layout: stare-images/im0001.ppm(.gz), labels-ah/im0001.ah.ppm(.gz), labels-vk/... */
export async function writeStare(
  root: string,
  gz: boolean,
  count = 2,
): Promise<Map<string, SyntheticImage>> {
  const planted = new Map<string, SyntheticImage>();
  const ext = gz ? 'ppm.gz' : 'ppm';
  for (let k = 0; k < count; k++) {
    const name = `im${String(k + 1).padStart(4, '0')}`;
    const image = syntheticFundus(k);
    await writeRgb(path.join(root, 'stare-images', `${name}.${ext}`), image, ext);
    await writeMask(path.join(root, 'labels-ah', `${name}.ah.${ext}`), image, image.label, ext);
    await writeMask(path.join(root, 'labels-vk', `${name}.vk.${ext}`), image, image.label, ext);
    planted.set(`all/${name}`, image);
  }
  return planted;
}

/** CHASE_DB1 layout: Image_01L.jpg, Image_01L_1stHO.png, Image_01L_2ndHO.png in one folder. */
export async function writeChase(root: string, count = 2): Promise<Map<string, SyntheticImage>> {
  const planted = new Map<string, SyntheticImage>();
  for (let k = 0; k < count; k++) {
    const name = `Image_${String(Math.floor(k / 2) + 1).padStart(2, '0')}${k % 2 === 0 ? 'L' : 'R'}`;
    const image = syntheticFundus(k);
    await writeRgb(path.join(root, `${name}.jpg`), image, 'jpeg');
    await writeMask(path.join(root, `${name}_1stHO.png`), image, image.label, 'png');
    await writeMask(path.join(root, `${name}_2ndHO.png`), image, image.label, 'png');
    planted.set(`all/${name}`, image);
  }
  return planted;
}

/** HRF layout: images/01_dr.JPG, manual1/01_dr.tif, mask/01_dr_mask.tif. */
export async function writeHrf(root: string): Promise<Map<string, SyntheticImage>> {
  const planted = new Map<string, SyntheticImage>();
  const names = ['01_dr', '01_g'];
  for (const [k, name] of names.entries()) {
    const image = syntheticFundus(k);
    await writeRgb(path.join(root, 'images', `${name}.${k === 0 ? 'JPG' : 'jpg'}`), image, 'jpeg');
    await writeMask(path.join(root, 'manual1', `${name}.tif`), image, image.label, 'tiff');
    await writeMask(path.join(root, 'mask', `${name}_mask.tif`), image, image.fov, 'tiff');
    planted.set(`all/${name}`, image);
  }
  return planted;
}

/** Generic layout: images/ + labels/ (+ masks/), matched by stem, mixed formats. */
export async function writeGeneric(
  root: string,
  withMasks: boolean,
): Promise<Map<string, SyntheticImage>> {
  const planted = new Map<string, SyntheticImage>();
  const items: [string, RgbFormat, GreyFormat][] = [
    ['eye-a', 'png', 'png'],
    ['eye-b', 'tiff', 'pgm'],
  ];
  for (const [k, [name, imageFormat, labelFormat]] of items.entries()) {
    const image = syntheticFundus(k);
    await writeRgb(
      path.join(root, 'images', `${name}.${imageFormat === 'tiff' ? 'tif' : imageFormat}`),
      image,
      imageFormat,
    );
    await writeMask(
      path.join(root, 'labels', `${name}.${labelFormat}`),
      image,
      image.label,
      labelFormat,
    );
    if (withMasks)
      await writeMask(path.join(root, 'masks', `${name}.png`), image, image.fov, 'png');
    planted.set(`all/${name}`, image);
  }
  return planted;
}
