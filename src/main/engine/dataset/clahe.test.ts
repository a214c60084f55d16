import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { claheEqualize } from './clahe';

/** A 16x16 image: the top half 0, the bottom half 255. */
function twoLevels(): Uint8Array {
  const img = new Uint8Array(256);
  img.fill(255, 128);
  return img;
}

describe('claheEqualize (OpenCV semantics)', () => {
  it('clips at clipLimit * area / 256 and spreads the excess (hand-computed)', () => {
    // One 16x16 tile: limit = 2 * 256 / 256 = 2. Bins 0 and 255 hold 128 each, clipped to 2:
    // 252 excess, 0 per bin, residual 252 spread one each over bins 0..251. Bin 0 ends at 3,
    // so 0 maps to round(3 * 255 / 256) = 3; the cumulative sum reaches 256 at 255 -> 255.
    const out = claheEqualize(twoLevels(), 16, 16, { clipLimit: 2, tilesX: 1, tilesY: 1 });
    expect(out[0]).toBe(3);
    expect(out[255]).toBe(255);
  });

  it('without a clip limit one tile is plain histogram equalisation', () => {
    const img = Uint8Array.from({ length: 64 }, (_, i) => (i * 7) % 50);
    const out = claheEqualize(img, 8, 8, { clipLimit: 0, tilesX: 1, tilesY: 1 });
    for (let i = 0; i < img.length; i++) {
      const cdf = img.filter((v) => v <= img[i]!).length;
      expect(out[i]).toBe(Math.round((cdf * 255) / 64));
    }
  });

  it('blends neighbouring tiles: a ramp stays monotonic across tile borders', () => {
    const width = 64;
    const img = new Uint8Array(width * 8);
    for (let y = 0; y < 8; y++) for (let x = 0; x < width; x++) img[y * width + x] = x * 4;
    const out = claheEqualize(img, width, 8, { clipLimit: 2, tilesX: 4, tilesY: 1 });
    for (let x = 1; x < width; x++) expect(out[x]!).toBeGreaterThanOrEqual(out[x - 1]!);
  });

  it('handles sizes that are not multiples of the grid (DRIVE: 565x584 on 8x8)', () => {
    const img = Uint8Array.from({ length: 565 * 584 }, (_, i) => (i * 31) % 256);
    const out = claheEqualize(img, 565, 584, { clipLimit: 2, tilesX: 8, tilesY: 8 });
    expect(out.length).toBe(565 * 584);
  });

  it('reproduces OpenCV 4.14 exactly (reference sums computed once with opencv-python-headless)', () => {
    // cv2.createCLAHE(clipLimit, tileGridSize).apply(img) on this 101x77 image gave these sums;
    // 101x77 is a multiple of neither grid, so the padding and the float32 blend are covered.
    const width = 101;
    const height = 77;
    const img = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        img[y * width + x] = Math.floor(
          (((x * 37 + y * 91 + ((x * y) % 13)) * 7) % 256) / (1 + Math.floor(x / 30)),
        );
      }
    }
    const cases = [
      {
        clipLimit: 2,
        tilesX: 8,
        tilesY: 8,
        sum: 811613,
        weighted: 395472338,
        head: [4, 6, 8, 12, 16, 18, 22, 27, 33, 37, 39, 41],
      },
      {
        clipLimit: 3.5,
        tilesX: 5,
        tilesY: 3,
        sum: 953862,
        weighted: 464458623,
        head: [2, 4, 7, 12, 14, 18, 21, 24, 30, 36, 40, 43],
      },
    ];
    for (const { sum, weighted, head, ...options } of cases) {
      const out = claheEqualize(img, width, height, options);
      expect(Array.from(out.subarray(0, 12))).toEqual(head);
      expect(out.reduce((a, v) => a + v, 0)).toBe(sum);
      expect(out.reduce((a, v, i) => a + v * (i % 1000), 0)).toBe(weighted);
    }
  });

  it("differs from sharp's clahe, whose maxSlope is an absolute per-bin count in a sliding window", async () => {
    // The reason we do not use sharp here: on the same input and the same window, libvips'
    // hist_local with maxSlope 2 gives another mapping than OpenCV's clip limit 2.0.
    const ours = claheEqualize(twoLevels(), 16, 16, { clipLimit: 2, tilesX: 1, tilesY: 1 });
    const theirs = await sharp(twoLevels(), { raw: { width: 16, height: 16, channels: 1 } })
      .clahe({ width: 16, height: 16, maxSlope: 2 })
      .extractChannel(0)
      .raw()
      .toBuffer();
    expect(Array.from(theirs)).not.toEqual(Array.from(ours));
  });
});
