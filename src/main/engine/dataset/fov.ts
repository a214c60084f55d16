/**
 * Field-of-view masks for images whose set ships none (STARE, CHASE_DB1, a generic set without
 * masks/, a DRIVE image whose mask is missing): the camera's circular aperture lies on a
 * near-black surround, so the FOV is every pixel whose brightest channel stands above the
 * surround's own level, measured in the image's darkest corner. A fixed share of the retina's
 * brightness (half Otsu's level, as used before) cut dim but valid retina at a vignetted rim;
 * the surround's measured level keeps it. Specks are removed, the largest region kept and its
 * holes (dark vessels, the macula) filled.
 */
import type { RgbImage } from './types';

/** Otsu's threshold of a 256-bin histogram: the level that best separates two classes (pixels <= it, and above). */
export function otsuThreshold(histogram: ArrayLike<number>): number {
  let total = 0;
  let sumAll = 0;
  for (let i = 0; i < 256; i++) {
    total += histogram[i]!;
    sumAll += i * histogram[i]!;
  }
  let weightBelow = 0;
  let sumBelow = 0;
  // The middle of the levels that share the best separation: with empty bins between two
  // classes every level between them separates equally well.
  let best = 0;
  let bestEnd = 0;
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
      bestEnd = t;
    } else if (variance === bestVariance && bestEnd === t - 1) bestEnd = t;
  }
  return Math.round((best + bestEnd) / 2);
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

/** The fixed parameters of the derivation, as inspect and eval state them. */
export const FOV_DERIVATION = {
  /** The side of each corner square the surround is measured in, as a share of the shorter side. */
  cornerShare: 0.04,
  /** The percentile of the brightest channel in a corner square taken as its level. */
  cornerPercentile: 99,
  /** Levels above the surround's level a pixel must reach to count as retina. */
  margin: 6,
  /**
   * Levels of luminance above the surround's a pixel must also reach: JPEG stores colour at half
   * resolution, so a bright disc's red bleeds a pixel or two into the surround while its
   * luminance, stored at full resolution, does not.
   */
  lumaMargin: 3,
  /** Radius of the square opening that removes specks (a (2r+1)x(2r+1) square). */
  openingRadius: 2,
} as const;

/** How one image's FOV was derived. */
export interface FovDerivation {
  /**
   * `surround-threshold`: brightest channel above the surround's level plus the margin (at most
   * half Otsu's level); `whole-image`: no corner is darker than the retina, so there is no
   * surround to separate and every pixel is in the FOV.
   */
  method: 'surround-threshold' | 'whole-image';
  /** The level (0-255) of the darkest corner: the given percentile of its brightest channel. */
  surroundLevel: number;
  /** Half of Otsu's level of the whole image: the most the threshold may be. */
  otsuHalf: number;
  /** A pixel is in the FOV when its brightest channel is above this (before the clean-up)... */
  threshold: number;
  /** ...and its luminance (0.299 R + 0.587 G + 0.114 B) above this. */
  lumaThreshold: number;
}

/** One line naming the method and its fixed parameters, for reports. */
export function describeFovDerivation(): string {
  const p = FOV_DERIVATION;
  return (
    `brightest channel above the surround (the ${p.cornerPercentile}th percentile of the darkest ` +
    `image corner, a square of ${p.cornerShare * 100}% of the shorter side, at least 3 pixels) + ${p.margin}, at most half ` +
    `Otsu's level, and luminance above the darkest corner's + ${p.lumaMargin}; ` +
    `a dim pixel beside one more than twice as bright is edge blur; ${2 * p.openingRadius + 1}x${2 * p.openingRadius + 1} opening, largest region, holes filled`
  );
}

/** The largest value of each pixel's 3x3 neighbourhood. */
function greyDilate(values: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let m = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < width) m = Math.max(m, values[yy * width + xx]!);
        }
      }
      out[y * width + x] = m;
    }
  }
  return out;
}

/** The given percentile of the values in a square at one corner. */
function cornerLevel(
  bright: Uint8Array,
  width: number,
  x0: number,
  y0: number,
  side: number,
  percentile: number,
): number {
  const histogram = new Uint32Array(256);
  for (let y = y0; y < y0 + side; y++)
    for (let x = x0; x < x0 + side; x++) histogram[bright[y * width + x]!]!++;
  const rank = Math.ceil((percentile / 100) * side * side);
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v]!;
    if (seen >= rank) return v;
  }
  return 255;
}

/** Derives a 0/1 FOV mask (HxW) from a fundus image, and says how. */
export function deriveFovWithDetails(image: RgbImage): {
  mask: Uint8Array;
  derivation: FovDerivation;
} {
  const { width, height, data } = image;
  const n = width * height;
  const bright = new Uint8Array(n);
  const luma = new Uint8Array(n);
  const histogram = new Float64Array(256);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [data[3 * i]!, data[3 * i + 1]!, data[3 * i + 2]!];
    const v = Math.max(r, g, b);
    bright[i] = v;
    luma[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    histogram[v]!++;
  }
  const p = FOV_DERIVATION;
  const side = Math.min(
    width,
    height,
    Math.max(3, Math.round(p.cornerShare * Math.min(width, height))),
  );
  // The darkest corner: another corner may hold retina (a tight crop) or burnt-in text.
  const darkestCorner = (values: Uint8Array) =>
    Math.min(
      ...[
        [0, 0],
        [width - side, 0],
        [0, height - side],
        [width - side, height - side],
      ].map(([x, y]) => cornerLevel(values, width, x!, y!, side, p.cornerPercentile)),
    );
  const surroundLevel = darkestCorner(bright);
  const otsuHalf = Math.round(otsuThreshold(histogram) / 2);
  if (surroundLevel >= otsuHalf) {
    return {
      mask: new Uint8Array(n).fill(1),
      derivation: {
        method: 'whole-image',
        surroundLevel,
        otsuHalf,
        threshold: -1,
        lumaThreshold: -1,
      },
    };
  }
  const threshold = Math.min(surroundLevel + p.margin, otsuHalf);
  const lumaThreshold = Math.min(darkestCorner(luma) + p.lumaMargin, threshold);
  let mask: Uint8Array = new Uint8Array(n);
  // A dim pixel beside one more than twice as bright is the blur of the aperture's edge, not
  // retina: a vignetted rim darkens gradually, so its pixels are about as bright as their
  // neighbours. Pixels as bright as half the retina's Otsu level are never questioned, so
  // vessels, darker than the retina around them, are not cut.
  const lumaHistogram = new Float64Array(256);
  for (let i = 0; i < n; i++) lumaHistogram[luma[i]!]!++;
  const dimLuma = otsuThreshold(lumaHistogram) / 2;
  const brightestNeighbour = greyDilate(luma, width, height);
  for (let i = 0; i < n; i++) {
    const edgeBlur = luma[i]! < dimLuma && 2 * luma[i]! < brightestNeighbour[i]!;
    mask[i] = bright[i]! > threshold && luma[i]! > lumaThreshold && !edgeBlur ? 1 : 0;
  }
  const r = p.openingRadius;
  mask = morph(morph(mask, width, height, r, false), width, height, r, true);
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
  return {
    mask,
    derivation: { method: 'surround-threshold', surroundLevel, otsuHalf, threshold, lumaThreshold },
  };
}

/** Derives a 0/1 FOV mask (HxW) from a fundus image (see deriveFovWithDetails). */
export function deriveFov(image: RgbImage): Uint8Array {
  return deriveFovWithDetails(image).mask;
}
