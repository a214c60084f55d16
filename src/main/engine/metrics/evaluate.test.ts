import { describe, expect, it } from 'vitest';
import type { ScoredImage } from './confusion';
import { chooseThresholdOnTraining, evaluateImages, meanAndStd } from './evaluate';

// Two 2x3 images; the last column is outside the FOV and would change every count.
const imageA: ScoredImage = {
  id: 'test/a',
  scores: Float32Array.from([0.9, 0.2, 0.99, 0.6, 0.4, 0.01]),
  label: Uint8Array.from([1, 0, 0, 1, 1, 1]),
  region: Uint8Array.from([1, 1, 0, 1, 1, 0]),
};
const imageB: ScoredImage = {
  id: 'test/b',
  scores: Float32Array.from([0.7, 0.7, 0.3, 0.1, 0.8, 0.5]),
  label: Uint8Array.from([1, 0, 1, 0, 0, 1]),
  region: Uint8Array.from([1, 1, 0, 1, 1, 1]),
};
const fixed = { value: 0.5, chosenOn: 'fixed' as const };

describe('evaluateImages', () => {
  it('pools counts and averages per image, by hand', () => {
    const e = evaluateImages([imageA, imageB], { region: 'fov', thresholds: [fixed] });
    // A in FOV: (0.9,1) (0.2,0) (0.6,1) (0.4,1): tp 2, fp 0, fn 1, tn 1.
    // B in FOV: (0.7,1) (0.7,0) (0.1,0) (0.8,0) (0.5,1): tp 2, fp 2, fn 0, tn 1.
    expect(e.perImage.images[0].atThresholds[0].counts).toEqual({ tp: 2, fp: 0, fn: 1, tn: 1 });
    expect(e.perImage.images[1].atThresholds[0].counts).toEqual({ tp: 2, fp: 2, fn: 0, tn: 1 });
    expect(e.pooled.atThresholds[0].counts).toEqual({ tp: 4, fp: 2, fn: 1, tn: 2 });
    expect(e.pixelCount).toBe(9);
    // Pooled recall 4/5; per-image recalls 2/3 and 1: mean 5/6, std 1/6.
    expect(e.pooled.atThresholds[0].metrics.recall).toBeCloseTo(0.8, 15);
    const recall = e.perImage.atThresholds[0].metrics.recall;
    expect(recall.mean).toBeCloseTo(5 / 6, 15);
    expect(recall.std).toBeCloseTo(1 / 6, 15);
    // AUC of A: positives 0.9, 0.6, 0.4 against 0.2: all win, 1. B: positives 0.7, 0.5 against
    // 0.7 (tie), 0.1, 0.8: (0.5 + 1 + 0) + (0 + 1 + 0) = 2.5 of 6.
    expect(e.perImage.images[0].auc).toBe(1);
    expect(e.perImage.images[1].auc).toBeCloseTo(2.5 / 6, 15);
    expect(e.perImage.auc.mean).toBeCloseTo((1 + 2.5 / 6) / 2, 15);
    // Pooled: positives 0.9 0.6 0.4 0.7 0.5 against negatives 0.2 0.7 0.1 0.8.
    // 0.9: 3 + 0 (vs 0.8? 0.9 > 0.8 yes) = 4; 0.6: 0.2, 0.1 = 2; 0.4: 2; 0.7: 0.2, 0.1, tie = 2.5; 0.5: 2.
    expect(e.pooled.auc).toBeCloseTo(12.5 / 20, 15);
    expect(e.pooled.roc!.exactArea).toBeCloseTo(12.5 / 20, 15);
  });

  it('labels the whole-image variant and counts every pixel', () => {
    const whole = [imageA, imageB].map((i) => ({ ...i, region: null }));
    const e = evaluateImages(whole, { region: 'whole-image', thresholds: [fixed] });
    expect(e.region).toBe('whole-image');
    expect(e.pixelCount).toBe(12);
    expect(() => evaluateImages([imageA], { region: 'whole-image', thresholds: [fixed] })).toThrow(
      /whole-image/,
    );
    expect(() => evaluateImages(whole, { region: 'fov', thresholds: [fixed] })).toThrow(
      /test\/a: no FOV mask/,
    );
  });

  it('scores a binary map (a second observer) without a curve', () => {
    const binary = { ...imageA, scores: Float32Array.from([1, 0, 1, 0, 1, 0]) };
    const e = evaluateImages([binary], { region: 'fov', thresholds: [fixed], scoreKind: 'binary' });
    expect(e.pooled.auc).toBeNull();
    expect(e.pooled.roc).toBeNull();
    expect(e.pooled.atThresholds[0].counts).toEqual({ tp: 2, fp: 0, fn: 1, tn: 1 });
  });
});

describe('chooseThresholdOnTraining', () => {
  it('picks the best pooled F1 on the given images', () => {
    // Vessels score 0.45-0.6, background up to 0.4: the best F1 (1.0) is at 0.45, not at 0.5.
    const training: ScoredImage = {
      id: 'training/a',
      scores: Float32Array.from([0.45, 0.6, 0.5, 0.4, 0.1, 0.3]),
      label: Uint8Array.from([1, 1, 1, 0, 0, 0]),
      region: null,
    };
    const choice = chooseThresholdOnTraining([training]);
    expect(choice).toEqual({ value: Math.fround(0.45), chosenOn: 'training', trainingF1: 1 });
    expect(() =>
      chooseThresholdOnTraining([training, { ...training, id: 'test/01_test' }]),
    ).toThrow(/test\/01_test is a test image/);
  });
});

describe('meanAndStd', () => {
  it('leaves undefined values out and uses the population std', () => {
    expect(meanAndStd([1, null, 3])).toEqual({ mean: 2, std: 1, n: 2 });
    expect(meanAndStd([null])).toEqual({ mean: null, std: null, n: 0 });
  });
});
