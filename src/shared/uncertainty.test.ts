import { describe, expect, it } from 'vitest';
import { meanUncertainty, uncertaintyAt, uncertaintyTable } from './uncertainty';

describe('uncertaintyAt', () => {
  it('is 1 - |2p - 1| at threshold 0.5', () => {
    for (const p of [0, 0.1, 0.25, 0.5, 0.6, 0.9, 1]) {
      expect(uncertaintyAt(p, 0.5)).toBeCloseTo(1 - Math.abs(2 * p - 1), 12);
    }
  });

  it('peaks at the threshold and reaches 0 at both ends whatever the threshold', () => {
    for (const t of [0.2, 0.35, 0.8]) {
      expect(uncertaintyAt(t, t)).toBe(1);
      expect(uncertaintyAt(0, t)).toBe(0);
      expect(uncertaintyAt(1, t)).toBe(0);
      expect(uncertaintyAt(t / 2, t)).toBeCloseTo(0.5, 12);
      expect(uncertaintyAt((1 + t) / 2, t)).toBeCloseTo(0.5, 12);
    }
  });

  it('handles thresholds at the ends of the range', () => {
    expect(uncertaintyAt(0, 0)).toBe(1);
    expect(uncertaintyAt(0.4, 0)).toBeCloseTo(0.6, 12);
    expect(uncertaintyAt(1, 1)).toBe(1);
    expect(uncertaintyAt(0.4, 1)).toBeCloseTo(0.4, 12);
  });
});

describe('meanUncertainty', () => {
  it('averages the table over a histogram of 8-bit levels', () => {
    const histogram = new Uint32Array(256);
    histogram[0] = 3; // certain background
    histogram[255] = 1; // certain vessel
    histogram[128] = 4; // near 0.5
    const table = uncertaintyTable(0.5);
    expect(meanUncertainty(histogram, 0.5)).toBeCloseTo((4 * table[128]!) / 8, 12);
    expect(table[128]).toBeGreaterThan(0.99);
  });

  it('is null without pixels and moves with the threshold', () => {
    expect(meanUncertainty(new Uint32Array(256), 0.5)).toBeNull();
    const histogram = new Uint32Array(256);
    histogram[51] = 10; // p = 0.2
    expect(meanUncertainty(histogram, 0.2)).toBe(1);
    expect(meanUncertainty(histogram, 0.5)).toBeCloseTo(0.4, 12);
  });
});
