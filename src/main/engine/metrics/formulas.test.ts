import { describe, expect, it } from 'vitest';
import { countConfusion, sumCounts } from './confusion';
import { metricsFromCounts, THRESHOLD_METRIC_NAMES } from './formulas';

describe('metricsFromCounts', () => {
  it('gives exactly the threshold metrics of the shared list', () => {
    const m = metricsFromCounts({ tp: 3, fp: 1, fn: 0, tn: 2 });
    expect(Object.keys(m).sort()).toEqual([...THRESHOLD_METRIC_NAMES].sort());
  });

  it('matches a hand computation', () => {
    // tp 3, fp 1, fn 0, tn 2
    const m = metricsFromCounts({ tp: 3, fp: 1, fn: 0, tn: 2 });
    expect(m.precision).toBeCloseTo(3 / 4, 15);
    expect(m.recall).toBe(1);
    expect(m.specificity).toBeCloseTo(2 / 3, 15);
    expect(m.accuracy).toBeCloseTo(5 / 6, 15);
    expect(m.f1).toBeCloseTo(6 / 7, 15);
    expect(m.iou).toBeCloseTo(3 / 4, 15);
    expect(m.mcc).toBeCloseTo(6 / Math.sqrt(72), 15);
  });

  it('keeps IoU = F1 / (2 - F1), the relation LadderNet\'s "Jaccard" broke', () => {
    const m = metricsFromCounts({ tp: 70, fp: 13, fn: 29, tn: 900 });
    expect(m.iou).toBeCloseTo(m.f1! / (2 - m.f1!), 14);
    expect(m.iou).not.toBeCloseTo(m.accuracy!, 3);
  });

  it('gives null, not 0 or NaN, when a denominator is zero', () => {
    const m = metricsFromCounts({ tp: 0, fp: 0, fn: 0, tn: 5 });
    expect(m.precision).toBeNull();
    expect(m.recall).toBeNull();
    expect(m.f1).toBeNull();
    expect(m.iou).toBeNull();
    expect(m.mcc).toBeNull();
    expect(m.specificity).toBe(1);
    expect(m.accuracy).toBe(1);
  });

  it('gives MCC -1 for a perfectly inverted prediction', () => {
    expect(metricsFromCounts({ tp: 0, fp: 4, fn: 6, tn: 0 }).mcc).toBe(-1);
  });
});

describe('countConfusion', () => {
  const scores = Float32Array.from([0.9, 0.8, 0.8, 0.3, 0.1, 0.6, 0.99, 0.01]);
  const label = Uint8Array.from([1, 1, 0, 0, 0, 1, 0, 1]);
  // The last two pixels lie outside the FOV: counted, they would add one FP and one FN.
  const fov = Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 0]);

  it('counts only inside the region, with p >= threshold as a vessel', () => {
    expect(countConfusion({ id: 'a', scores, label, region: fov }, 0.5)).toEqual({
      tp: 3,
      fp: 1,
      fn: 0,
      tn: 2,
    });
    expect(countConfusion({ id: 'a', scores, label, region: null }, 0.5)).toEqual({
      tp: 3,
      fp: 2,
      fn: 1,
      tn: 2,
    });
    // A score equal to the threshold is a detection.
    expect(countConfusion({ id: 'a', scores, label, region: fov }, 0.6).tp).toBe(3);
  });

  it('refuses maps of different sizes with a message naming the image', () => {
    expect(() =>
      countConfusion({ id: 'test/01', scores, label: new Uint8Array(3), region: null }, 0.5),
    ).toThrow(/test\/01.*8 pixels.*label has 3/);
  });

  it('pools by summing counts', () => {
    expect(
      sumCounts([
        { tp: 1, fp: 2, fn: 3, tn: 4 },
        { tp: 10, fp: 20, fn: 30, tn: 40 },
      ]),
    ).toEqual({
      tp: 11,
      fp: 22,
      fn: 33,
      tn: 44,
    });
  });
});
