import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../test/support/seeded-random';
import { curveArea, downsampleCurve, precisionRecallCurve, rocCurve } from './curves';
import { areaUnderRoc, averagePrecision, rankImages } from './ranking';

/** A vessel-like set: 12% positives, overlapping score distributions, float32 scores. */
function randomImage(seed: number, n: number, levels = 0) {
  const random = seededRandom(seed);
  const label = Uint8Array.from({ length: n }, () => (random() < 0.12 ? 1 : 0));
  const scores = Float32Array.from(label, (l) => {
    const s = Math.min(1, Math.max(0, random() ** (l ? 0.3 : 3)));
    return levels > 0 ? Math.round(s * levels) / levels : s;
  });
  return { id: `random-${seed}`, scores, label, region: null };
}

describe('curves', () => {
  it('give the hand-computed points of a small case', () => {
    const ranked = rankImages([
      {
        id: 'h',
        scores: Float32Array.from([0.9, 0.8, 0.8, 0.3]),
        label: Uint8Array.from([1, 1, 0, 0]),
        region: null,
      },
    ]);
    const roc = rocCurve(ranked);
    expect(Array.from(roc.x)).toEqual([0, 0, 0.5, 1]);
    expect(Array.from(roc.y)).toEqual([0, 0.5, 1, 1]);
    const pr = precisionRecallCurve(ranked);
    expect(Array.from(pr.x)).toEqual([0, 0.5, 1, 1]);
    expect(Array.from(pr.y)).toEqual([1, 1, 2 / 3, 0.5]);
  });

  it('have areas equal to the exact AUC and AP', () => {
    for (const levels of [0, 100]) {
      const ranked = rankImages([randomImage(5, 20_000, levels)]);
      const roc = rocCurve(ranked);
      const pr = precisionRecallCurve(ranked);
      expect(curveArea(roc.x, roc.y, 'trapezoid')).toBeCloseTo(areaUnderRoc(ranked)!, 12);
      expect(curveArea(pr.x, pr.y, 'step')).toBeCloseTo(averagePrecision(ranked)!, 12);
    }
  });

  it('downsample to far fewer points with the area within 1e-4 of the exact one', () => {
    for (const seed of [1, 2, 3]) {
      const ranked = rankImages([randomImage(seed, 200_000)]);
      const auc = areaUnderRoc(ranked)!;
      const ap = averagePrecision(ranked)!;
      const roc = downsampleCurve(rocCurve(ranked), 'trapezoid');
      const pr = downsampleCurve(precisionRecallCurve(ranked), 'step');
      for (const [stored, exact] of [
        [roc, auc],
        [pr, ap],
      ] as const) {
        expect(stored.fullPointCount).toBeGreaterThan(100_000);
        expect(stored.x.length).toBeLessThan(5000);
        expect(stored.exactArea).toBeCloseTo(exact, 10);
        // Recompute the area from the stored points, independently of the reported figure.
        const area = curveArea(stored.x, stored.y, stored.rule);
        expect(Math.abs(area - exact)).toBeLessThanOrEqual(1e-4);
        // Same figure up to the rounding of summing 200k terms in two orders.
        expect(stored.areaError).toBeCloseTo(Math.abs(area - exact), 11);
        // Ends kept: the plot starts and ends where the full curve does.
        expect(stored.x[0]).toBe(0);
        expect(stored.x.at(-1)).toBe(1);
      }
      expect(roc.y.at(-1)).toBe(1);
    }
  });

  it('honours a tighter tolerance and the largest step', () => {
    const ranked = rankImages([randomImage(9, 100_000)]);
    const loose = downsampleCurve(rocCurve(ranked), 'trapezoid');
    const tight = downsampleCurve(rocCurve(ranked), 'trapezoid', {
      maxAreaError: 1e-7,
      maxStep: 0.002,
    });
    expect(tight.areaError).toBeLessThanOrEqual(1e-7);
    expect(tight.x.length).toBeGreaterThan(loose.x.length);
    for (let i = 1; i < tight.x.length; i++) {
      const jump = Math.max(tight.x[i] - tight.x[i - 1], tight.y[i] - tight.y[i - 1]);
      // A single full-resolution step may itself be larger than maxStep; others may not.
      if (jump > 0.002) expect(tight.thresholds[i]).not.toBeNull();
    }
  });
});
