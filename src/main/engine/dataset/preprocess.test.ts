import { describe, expect, it } from 'vitest';
import {
  applyGamma,
  extractChannel,
  parsePreprocessConfig,
  preprocessImages,
  PREPROCESS_RECIPES,
} from './preprocess';
import { syntheticFundus } from './synthetic-datasets';
import type { RgbImage } from './types';

const rgbOf = (variant: number): RgbImage => {
  const s = syntheticFundus(variant);
  return { width: s.width, height: s.height, data: s.rgb };
};

describe('preprocessing', () => {
  it('extracts green or luminance 0.299R + 0.587G + 0.114B', () => {
    const image: RgbImage = {
      width: 2,
      height: 1,
      data: Uint8Array.from([100, 50, 10, 0, 255, 0]),
    };
    expect(Array.from(extractChannel(image, 'green'))).toEqual([50, 255]);
    const lum = extractChannel(image, 'luminance');
    expect(lum[0]).toBeCloseTo(0.299 * 100 + 0.587 * 50 + 0.114 * 10, 4);
    expect(lum[1]).toBeCloseTo(0.587 * 255, 4);
  });

  it('set z-score then per-image min-max stretches each image to the full 0-1 range', async () => {
    const images = [rgbOf(0), rgbOf(1)];
    const out = await preprocessImages(images, {
      channel: 'luminance',
      normalise: 'set-zscore-minmax',
      clahe: null,
      gamma: null,
    });
    for (const values of out) {
      expect(Math.min(...values)).toBeCloseTo(0, 6);
      expect(Math.max(...values)).toBeCloseTo(1, 6);
    }
    // An increasing affine map before a min-max stretch changes nothing: same as image-minmax.
    const perImage = await preprocessImages(images, {
      channel: 'luminance',
      normalise: 'image-minmax',
      clahe: null,
      gamma: null,
    });
    for (let k = 0; k < 2; k++)
      for (let i = 0; i < out[k]!.length; i += 37)
        expect(out[k]![i]).toBeCloseTo(perImage[k]![i]!, 5);
  });

  it('the green recipe is G / 255, unquantised', async () => {
    const [out] = await preprocessImages([rgbOf(0)], PREPROCESS_RECIPES.green);
    const s = syntheticFundus(0);
    for (let i = 0; i < out!.length; i += 13)
      expect(out![i]).toBeCloseTo(s.rgb[3 * i + 1]! / 255, 6);
  });

  it("sharp's gamma(1, g) is the recipe's table floor(255 * (i / 255)^(1/g))", async () => {
    const ramp = Uint8Array.from({ length: 256 }, (_, i) => i);
    const out = await applyGamma(ramp, 256, 1, 1.2);
    const table = Array.from(ramp, (i) => Math.floor(255 * Math.pow(i / 255, 1 / 1.2)));
    expect(Array.from(out)).toEqual(table);
  });

  it('the LadderNet recipe gives 8-bit levels / 255 in [0, 1]', async () => {
    const out = await preprocessImages([rgbOf(0), rgbOf(3)], PREPROCESS_RECIPES.laddernet);
    for (const values of out) {
      for (const v of values) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
      }
    }
  });

  it('refuses an invalid config with DATASET_BAD_CONFIG naming the field', () => {
    expect(() => parsePreprocessConfig({ ...PREPROCESS_RECIPES.laddernet, gamma: 5 })).toThrow(
      expect.objectContaining({
        code: 'DATASET_BAD_CONFIG',
        message: expect.stringContaining('"gamma"'),
      }),
    );
    expect(parsePreprocessConfig(JSON.parse(JSON.stringify(PREPROCESS_RECIPES.laddernet)))).toEqual(
      PREPROCESS_RECIPES.laddernet,
    );
  });
});
