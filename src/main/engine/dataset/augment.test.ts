import { describe, expect, it } from 'vitest';
import {
  AUGMENT_ALL,
  AUGMENT_NONE,
  augmentConfigSchema,
  drawTransform,
  type AugmentConfig,
} from './augment';
import { SeededRandom } from './random';
import { PatchSampler } from './sampler';
import { barImage, renderPatch, samplerConfig } from '../../../../test/support/dataset/sampling';

const SIZE = 160;
const BAR = 8;

/** A SIZE x SIZE image with a vessel bar BAR px wide down its middle. */
const bar = () => barImage(SIZE, BAR);

/** The bar's width in the middle row of a rendered patch: label pixels, and image pixels above 0.5. */
function renderedWidth(scale: number): { label: number; image: number; labelValues: Set<number> } {
  const p = 64;
  const config: AugmentConfig = { ...AUGMENT_NONE, scale: { min: scale, max: scale } };
  const transform = drawTransform(config, new SeededRandom(3));
  const target = renderPatch(bar(), SIZE / 2, SIZE / 2, transform, p);
  const { x } = target;
  const y = target.y!;
  const fov = target.fov!;
  const row = (p / 2) * p;
  let label = 0;
  let image = 0;
  for (let u = 0; u < p; u++) {
    label += y[row + u]!;
    if (x[row + u]! > 0.5) image++;
  }
  return { label, image, labelValues: new Set([...y, ...fov]) };
}

describe('rescaling augmentation', () => {
  it('reduces as a smaller camera would: a 2 px vessel at 0.5x is averaged into about one pixel of half contrast wherever it falls, and its label is one pixel wide', () => {
    const p = 32;
    const config: AugmentConfig = { ...AUGMENT_NONE, scale: { min: 0.5, max: 0.5 } };
    const transform = drawTransform(config, new SeededRandom(3));
    const peaks: number[] = [];
    for (const shift of [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3]) {
      const target = renderPatch(barImage(SIZE, 2), SIZE / 2 + shift, SIZE / 2, transform, p);
      const row = (p / 2) * p;
      const values = Array.from(target.x.subarray(row, row + p));
      const labels = Array.from(target.y!.subarray(row, row + p));
      // The vessel's mass is kept (2 source px of 1 are 1 reduced px of 1), not sampled.
      const mass = values.reduce((a, b) => a + b, 0);
      expect(mass, `mass at shift ${shift}`).toBeGreaterThan(0.9);
      expect(mass, `mass at shift ${shift}`).toBeLessThan(1.1);
      // The sampler centres patches on whole pixels; there the label is one pixel in either phase.
      if (Number.isInteger(shift)) {
        expect(labels.reduce((a, b) => a + b, 0), `label at shift ${shift}`).toBe(1);
      }
      peaks.push(Math.max(...values));
    }
    // Point sampling at 0.5x would show the vessel at full contrast (1) or miss it (0) by phase.
    expect(Math.max(...peaks)).toBeLessThan(0.9);
    expect(Math.min(...peaks)).toBeGreaterThan(0.4);
  });

  it('scales a vessel of known width by the drawn factor, in the image and in the label', () => {
    for (const scale of [0.75, 1.5, 2]) {
      const width = renderedWidth(scale);
      expect(Math.abs(width.label - BAR * scale), `label at ${scale}x`).toBeLessThanOrEqual(1);
      expect(Math.abs(width.image - BAR * scale), `image at ${scale}x`).toBeLessThanOrEqual(1);
    }
  });

  it('keeps the label and FOV binary', () => {
    for (const scale of [0.7, 1.3]) {
      expect([...renderedWidth(scale).labelValues].sort()).toEqual([0, 1]);
    }
  });

  it('draws factors inside the range, log-uniformly, and the same ones for the same seed', () => {
    const config: AugmentConfig = { ...AUGMENT_ALL, scale: { min: 0.7, max: 1.5 } };
    const draw = (seed: number) =>
      Array.from({ length: 400 }, (_, i) => drawTransform(config, new SeededRandom(seed, i)).scale);
    const scales = draw(5);
    expect(draw(5)).toEqual(scales);
    expect(draw(6)).not.toEqual(scales);
    expect(Math.min(...scales)).toBeGreaterThanOrEqual(0.7);
    expect(Math.max(...scales)).toBeLessThanOrEqual(1.5);
    // Log-uniform: about as many draws below the geometric middle as above it.
    const middle = Math.sqrt(0.7 * 1.5);
    const below = scales.filter((s) => s < middle).length;
    expect(below).toBeGreaterThan(150);
    expect(below).toBeLessThan(250);
  });

  it('leaves every other draw, and the stream after it, unchanged when off', () => {
    const off = new SeededRandom(9);
    const on = new SeededRandom(9);
    const plain = drawTransform(AUGMENT_ALL, off);
    const scaled = drawTransform({ ...AUGMENT_ALL, scale: { min: 1.2, max: 1.2 } }, on);
    expect(plain.scale).toBe(1);
    expect(scaled.scale).toBeCloseTo(1.2, 12);
    expect(scaled.m00 * scaled.scale).toBeCloseTo(plain.m00, 12);
    expect(scaled.m01 * scaled.scale).toBeCloseTo(plain.m01, 12);
    expect(scaled.elastic).toEqual(plain.elastic);
    expect(scaled.gammaExponent).toBe(plain.gammaExponent);
    // Off, nothing is drawn for it: the next number is the one a run without rescaling gets.
    const again = new SeededRandom(9);
    drawTransform({ ...AUGMENT_ALL, scale: null }, again);
    expect(again.next()).toBe(off.next());
  });

  it('gives seeded samplers the same batches with rescaling on', () => {
    const config = samplerConfig({
      batchSize: 4,
      vesselFraction: 0.5,
      augment: { ...AUGMENT_ALL, scale: { min: 0.7, max: 1.5 } },
      seed: 11,
    });
    const a = new PatchSampler([bar()], config).batch(2);
    const b = new PatchSampler([bar()], config).batch(2);
    expect(a.x).toEqual(b.x);
    expect(a.y).toEqual(b.y);
    const plain = new PatchSampler([bar()], { ...config, augment: AUGMENT_ALL }).batch(2);
    expect(plain.x).not.toEqual(a.x);
  });
});

describe('resolution degradation', () => {
  const degrade = { min: 0.5, max: 0.5, probability: 1 };

  it('draws the factor on its share of the samples and leaves every other draw unchanged', () => {
    const config: AugmentConfig = {
      ...AUGMENT_ALL,
      degrade: { min: 0.6, max: 1, probability: 0.5 },
    };
    const factors = Array.from(
      { length: 400 },
      (_, i) => drawTransform(config, new SeededRandom(4, i)).degrade,
    );
    const hits = factors.filter((f) => f !== 1);
    expect(hits.length).toBeGreaterThan(150);
    expect(hits.length).toBeLessThan(250);
    for (const f of hits) {
      expect(f).toBeGreaterThanOrEqual(0.6);
      expect(f).toBeLessThan(1);
    }
    const off = new SeededRandom(9);
    const on = new SeededRandom(9);
    const plain = drawTransform(AUGMENT_ALL, off);
    const degraded = drawTransform({ ...AUGMENT_ALL, degrade }, on);
    expect(plain.degrade).toBe(1);
    expect(degraded.degrade).toBe(0.5);
    expect({ ...degraded, degrade: 1 }).toEqual(plain);
    // Off, nothing is drawn for it: the next number is the one a run without it gets.
    const again = new SeededRandom(9);
    drawTransform({ ...AUGMENT_ALL, degrade: null }, again);
    expect(again.next()).toBe(off.next());
  });

  it('blurs the image of a sample and leaves its label and FOV sharp', () => {
    const size = 48;
    // A thin bar, so that halving the resolution must blur its edges.
    const thin = barImage(SIZE, 2);
    const t = drawTransform({ ...AUGMENT_NONE, degrade }, new SeededRandom(1));
    expect(t.integer).toBe(true);
    const blurred = renderPatch(thin, SIZE / 2, SIZE / 2, t, size);
    const plain = renderPatch(thin, SIZE / 2, SIZE / 2, { ...t, degrade: 1 }, size);
    expect(blurred.y).toEqual(plain.y);
    expect(blurred.fov).toEqual(plain.fov);
    const row = (size / 2) * size;
    const peak = (x: Float32Array) => Math.max(...x.subarray(row, row + size));
    const lit = (x: Float32Array) => x.subarray(row, row + size).filter((v) => v > 0.05).length;
    expect(peak(plain.x)).toBeCloseTo(1, 5);
    expect(peak(blurred.x)).toBeLessThan(0.9);
    expect(lit(blurred.x)).toBeGreaterThan(lit(plain.x));
  });

  it('refuses a factor range outside 0.3 to 1, and a share outside 0 to 1', () => {
    const refused = (value: unknown) =>
      augmentConfigSchema.safeParse({ ...AUGMENT_NONE, degrade: value }).success;
    expect(refused({ min: 0.2, max: 0.9, probability: 0.5 })).toBe(false);
    expect(refused({ min: 0.9, max: 0.6, probability: 0.5 })).toBe(false);
    expect(refused({ min: 0.6, max: 1, probability: 1.5 })).toBe(false);
    expect(refused({ min: 0.6, max: 1 })).toBe(false);
    expect(refused({ min: 0.6, max: 1, probability: 0.5 })).toBe(true);
  });
});

describe('intensity ranges', () => {
  it('draws gamma and contrast inside their ranges from the jitter draws', () => {
    const ranges: AugmentConfig = {
      ...AUGMENT_ALL,
      gamma: 0,
      contrast: 0,
      intensity: { gamma: { min: 0.7, max: 1.5 }, contrast: { min: 0.7, max: 1.3 } },
    };
    for (let i = 0; i < 200; i++) {
      const t = drawTransform(ranges, new SeededRandom(2, i));
      const jitter = drawTransform(AUGMENT_ALL, new SeededRandom(2, i));
      expect(t.gammaExponent).toBeGreaterThanOrEqual(0.7);
      expect(t.gammaExponent).toBeLessThanOrEqual(1.5);
      expect(t.contrast).toBeGreaterThanOrEqual(0.7);
      expect(t.contrast).toBeLessThanOrEqual(1.3);
      expect(t.m00).toBe(jitter.m00);
      expect(t.elastic).toEqual(jitter.elastic);
    }
  });
});

describe('augmentation ranges are validated', () => {
  const refused = (config: unknown) => {
    const parsed = augmentConfigSchema.safeParse(config);
    expect(parsed.success).toBe(false);
    return parsed.success ? '' : parsed.error.issues.map((i) => i.message).join('; ');
  };

  it('refuses a reversed or out-of-limits scale range', () => {
    expect(refused({ ...AUGMENT_NONE, scale: { min: 1.5, max: 0.7 } })).toMatch(
      /scale: min must not be above max/,
    );
    refused({ ...AUGMENT_NONE, scale: { min: 0.1, max: 1.5 } });
    refused({ ...AUGMENT_NONE, scale: { min: 0.7, max: 9 } });
    expect(
      augmentConfigSchema.safeParse({ ...AUGMENT_NONE, scale: { min: 0.7, max: 1.5 } }).success,
    ).toBe(true);
  });

  it('refuses intensity ranges beside the gamma and contrast jitter, and reversed ones', () => {
    const intensity = { gamma: { min: 0.7, max: 1.5 }, contrast: { min: 0.7, max: 1.3 } };
    expect(refused({ ...AUGMENT_ALL, intensity })).toMatch(/set gamma and contrast to 0/);
    expect(
      refused({
        ...AUGMENT_NONE,
        intensity: { ...intensity, gamma: { min: 1.5, max: 0.7 } },
      }),
    ).toMatch(/intensity.gamma: min must not be above max/);
  });
});
