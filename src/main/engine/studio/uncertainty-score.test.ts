import { describe, expect, it } from 'vitest';
import { probabilityHistogram, uncertaintyScore } from './uncertainty-score';

describe('probabilityHistogram', () => {
  it('counts FOV pixels per 8-bit level, rounding as the 8-bit map does', () => {
    const p = Float32Array.from([0, 0.5, 1, 0.999, 0.3, Number.NaN, 1.5, -0.2]);
    const fov = Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 1]);
    const h = probabilityHistogram(p, fov);
    expect(h[0]).toBe(3); // 0, NaN, -0.2
    expect(h[128]).toBe(1); // 0.5 * 255 = 127.5 rounds up
    expect(h[255]).toBe(3); // 1, 0.999, 1.5
    expect(h.reduce((a, b) => a + b, 0)).toBe(7); // the pixel outside the FOV is not counted
  });
});

describe('uncertaintyScore', () => {
  it('ranks a map of undecided pixels above a confident one at the same threshold', () => {
    const fov = new Uint8Array(100).fill(1);
    const confident = new Float32Array(100).map((_, i) => (i % 2 ? 0.02 : 0.97));
    const undecided = new Float32Array(100).map((_, i) => (i % 2 ? 0.45 : 0.58));
    const a = uncertaintyScore(probabilityHistogram(confident, fov), 0.5)!;
    const b = uncertaintyScore(probabilityHistogram(undecided, fov), 0.5)!;
    expect(b).toBeGreaterThan(0.8);
    expect(a).toBeLessThan(0.1);
  });

  it('follows the threshold: pixels at 0.2 are most uncertain at threshold 0.2', () => {
    const p = new Float32Array(10).fill(0.2);
    const h = probabilityHistogram(p, new Uint8Array(10).fill(1));
    expect(uncertaintyScore(h, 0.2)).toBe(1);
    expect(uncertaintyScore(h, 0.5)).toBeCloseTo(0.4, 2);
    expect(uncertaintyScore(probabilityHistogram(p, new Uint8Array(10)), 0.5)).toBeNull();
  });
});
