/**
 * CLAHE with OpenCV's semantics (cv2.createCLAHE(clipLimit, tileGridSize).apply), the one the
 * orobix/retina-unet and LadderNet recipes call: the image is cut into a grid of tiles (padded
 * by reflection to a multiple of the grid), each tile's 256-bin histogram is clipped at
 * clipLimit * tileArea / 256 with the excess spread evenly, and every pixel blends the four
 * nearest tiles' mappings bilinearly.
 *
 * Checked once against OpenCV 4.14 (opencv-python-headless, not a dependency): identical output
 * on the green channel of all 20 DRIVE test images (6,599,200 pixels, clip 2.0, 8x8 tiles).
 *
 * Why not sharp's clahe(): it is libvips hist_local, a different algorithm. Its window slides
 * per pixel (no tile grid, no interpolation between tiles) and its maxSlope clips each bin at an
 * absolute count (an integer from 0 to 100), not at a multiple of the mean bin height, so
 * "clip 2.0 on 8x8 tiles" cannot be expressed with it (checked in libvips' hist_local.c and
 * against this implementation in clahe.test.ts).
 */

/** Options of `claheEqualize`: OpenCV's clipLimit and tile grid. */
export interface ClaheOptions {
  /** Multiple of the mean bin height at which histograms are clipped (OpenCV's clipLimit; 0 = no limit). */
  clipLimit: number;
  tilesX: number;
  tilesY: number;
}

/** OpenCV's BORDER_REFLECT_101 index for a coordinate past the end: n, n+1 -> n-2, n-3. */
function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}

/** cv::saturate_cast<uchar>(float) rounds half to even (cvRound), not half up like Math.round. */
function roundToByte(v: number): number {
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 === 1) r -= 1;
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/** CLAHE of an 8-bit single-channel image (row-major HxW). */
export function claheEqualize(
  src: Uint8Array,
  width: number,
  height: number,
  options: ClaheOptions,
): Uint8Array {
  const { tilesX, tilesY } = options;
  // OpenCV pads both axes when either is not a multiple of the grid (by a whole tile on an axis
  // that already is a multiple): this is its exact rule, kept so outputs match cv2.
  const pad = width % tilesX !== 0 || height % tilesY !== 0;
  const extW = pad ? width + tilesX - (width % tilesX) : width;
  const extH = pad ? height + tilesY - (height % tilesY) : height;
  const tileW = extW / tilesX;
  const tileH = extH / tilesY;
  const tileArea = tileW * tileH;
  const lutScale = Math.fround(255 / tileArea);
  let clipLimit = 0;
  if (options.clipLimit > 0)
    clipLimit = Math.max(1, Math.floor((options.clipLimit * tileArea) / 256));

  const luts = new Uint8Array(tilesX * tilesY * 256);
  const hist = new Int32Array(256);
  for (let ty = 0; ty < tilesY; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      hist.fill(0);
      for (let y = ty * tileH; y < (ty + 1) * tileH; y++) {
        const row = (y < height ? y : reflect101(y, height)) * width;
        for (let x = tx * tileW; x < (tx + 1) * tileW; x++) {
          hist[src[row + (x < width ? x : reflect101(x, width))]!]!++;
        }
      }
      if (clipLimit > 0) {
        let clipped = 0;
        for (let i = 0; i < 256; i++) {
          if (hist[i]! > clipLimit) {
            clipped += hist[i]! - clipLimit;
            hist[i] = clipLimit;
          }
        }
        const batch = Math.floor(clipped / 256);
        let residual = clipped - batch * 256;
        for (let i = 0; i < 256; i++) hist[i]! += batch;
        if (residual > 0) {
          const step = Math.max(Math.floor(256 / residual), 1);
          for (let i = 0; i < 256 && residual > 0; i += step, residual--) hist[i]!++;
        }
      }
      const base = (ty * tilesX + tx) * 256;
      let sum = 0;
      for (let i = 0; i < 256; i++) {
        sum += hist[i]!;
        luts[base + i] = roundToByte(Math.fround(sum * lutScale));
      }
    }
  }

  const out = new Uint8Array(width * height);
  // The blend is computed in float32, operation by operation, as OpenCV does: in double
  // precision about one pixel in 15,000 of DRIVE lands on the other side of a .5 and differs by 1.
  const f = Math.fround;
  const x1 = new Int32Array(width);
  const x2 = new Int32Array(width);
  const xa = new Float32Array(width);
  const xa1 = new Float32Array(width);
  const invTileW = f(1 / tileW);
  const invTileH = f(1 / tileH);
  for (let x = 0; x < width; x++) {
    const txf = f(f(x * invTileW) - 0.5);
    const t1 = Math.floor(txf);
    xa[x] = f(txf - t1);
    xa1[x] = f(1 - xa[x]!);
    x1[x] = Math.max(t1, 0) * 256;
    x2[x] = Math.min(t1 + 1, tilesX - 1) * 256;
  }
  for (let y = 0; y < height; y++) {
    const tyf = f(f(y * invTileH) - 0.5);
    const t1 = Math.floor(tyf);
    const ya = f(tyf - t1);
    const ya1 = f(1 - ya);
    const plane1 = Math.max(t1, 0) * tilesX * 256;
    const plane2 = Math.min(t1 + 1, tilesY - 1) * tilesX * 256;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const v = src[row + x]!;
      const a = xa[x]!;
      const a1 = xa1[x]!;
      const top = f(f(luts[plane1 + x1[x]! + v]! * a1) + f(luts[plane1 + x2[x]! + v]! * a));
      const bottom = f(f(luts[plane2 + x1[x]! + v]! * a1) + f(luts[plane2 + x2[x]! + v]! * a));
      out[row + x] = roundToByte(f(f(top * ya1) + f(bottom * ya)));
    }
  }
  return out;
}
