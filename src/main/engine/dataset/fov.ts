/**
 * Field-of-view masks for sets that ship none (STARE, CHASE_DB1): the camera's circular
 * aperture is bright on a near-black surround, so threshold the brightest channel, remove
 * specks, keep the largest region and fill its holes (dark vessels and the macula).
 */
import type { RgbImage } from './types';

/** Otsu's threshold of a 256-bin histogram: the level that best separates two classes. */
export function otsuThreshold(histogram: ArrayLike<number>): number {
  let total = 0;
  let sumAll = 0;
  for (let i = 0; i < 256; i++) {
    total += histogram[i]!;
    sumAll += i * histogram[i]!;
  }
  let weightBelow = 0;
  let sumBelow = 0;
  let best = 0;
  let bestVariance = -1;
  for (let t = 0; t < 256; t++) {
    weightBelow += histogram[t]!;
    if (weightBelow === 0) continue;
    const weightAbove = total - weightBelow;
    if (weightAbove === 0) break;
    sumBelow += t * histogram[t]!;
    const meanBelow = sumBelow / weightBelow;
    const meanAbove = (sumAll - sumBelow) / weightAbove;
    const variance = weightBelow * weightAbove * (meanBelow - meanAbove) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = t;
    }
  }
  return best;
}

/** Square erosion (min) or dilation (max) of a 0/1 mask with radius r, separable. */
export function morph(
  mask: Uint8Array,
  width: number,
  height: number,
  r: number,
  dilate: boolean,
): Uint8Array {
  const tmp = new Uint8Array(mask.length);
  const out = new Uint8Array(mask.length);
  const hit = dilate ? 1 : 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let v = 1 - hit;
      for (let k = Math.max(0, x - r), end = Math.min(width - 1, x + r); k <= end; k++) {
        if (mask[row + k] === hit) {
          v = hit;
          break;
        }
      }
      tmp[row + x] = v;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 1 - hit;
      for (let k = Math.max(0, y - r), end = Math.min(height - 1, y + r); k <= end; k++) {
        if (tmp[k * width + x] === hit) {
          v = hit;
          break;
        }
      }
      out[y * width + x] = v;
    }
  }
  return out;
}

/** Labels 4-connected regions of value `value`; returns the label image and region sizes. */
function components(mask: Uint8Array, width: number, height: number, value: number) {
  const labels = new Int32Array(mask.length).fill(-1);
  const sizes: number[] = [];
  const stack = new Int32Array(mask.length);
  const borderTouching: boolean[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== value || labels[start] !== -1) continue;
    const id = sizes.length;
    let size = 0;
    let touches = false;
    let top = 0;
    stack[top++] = start;
    labels[start] = id;
    while (top > 0) {
      const p = stack[--top]!;
      size++;
      const x = p % width;
      const y = (p - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) touches = true;
      const neighbours = [
        x > 0 ? p - 1 : -1,
        x < width - 1 ? p + 1 : -1,
        y > 0 ? p - width : -1,
        y < height - 1 ? p + width : -1,
      ];
      for (const q of neighbours) {
        if (q >= 0 && mask[q] === value && labels[q] === -1) {
          labels[q] = id;
          stack[top++] = q;
        }
      }
    }
    sizes.push(size);
    borderTouching.push(touches);
  }
  return { labels, sizes, borderTouching };
}

/** Derives a 0/1 FOV mask (HxW) from a fundus image. */
export function deriveFov(image: RgbImage): Uint8Array {
  const { width, height, data } = image;
  const n = width * height;
  const bright = new Uint8Array(n);
  const histogram = new Float64Array(256);
  for (let i = 0; i < n; i++) {
    const v = Math.max(data[3 * i]!, data[3 * i + 1]!, data[3 * i + 2]!);
    bright[i] = v;
    histogram[v]!++;
  }
  // Otsu splits surround from retina; half of it (at least 10, for JPEG noise in the black
  // surround) keeps the dim rim of the retina inside the FOV.
  const threshold = Math.max(10, Math.round(otsuThreshold(histogram) / 2));
  let mask: Uint8Array = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = bright[i]! > threshold ? 1 : 0;
  mask = morph(morph(mask, width, height, 2, false), width, height, 2, true);
  const fg = components(mask, width, height, 1);
  let largest = -1;
  for (let i = 0; i < fg.sizes.length; i++)
    if (largest < 0 || fg.sizes[i]! > fg.sizes[largest]!) largest = i;
  for (let i = 0; i < n; i++) mask[i] = fg.labels[i] === largest ? 1 : 0;
  // Holes are background regions that do not reach the border.
  const bg = components(mask, width, height, 0);
  for (let i = 0; i < n; i++) {
    const id = bg.labels[i]!;
    if (id >= 0 && !bg.borderTouching[id]) mask[i] = 1;
  }
  return mask;
}
