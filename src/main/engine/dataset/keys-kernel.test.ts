import { describe, expect, it } from 'vitest';
import { keys, keysWeight0, keysWeight1, keysWeight2, keysWeight3 } from './keys-kernel';

describe("Keys' cubic kernel", () => {
  it('is 1 at the centre and 0 at every other whole offset and beyond 2', () => {
    expect(keys(0)).toBe(1);
    for (const x of [-2, -1, 1, 2, 2.5, -3]) expect(keys(x)).toBeCloseTo(0, 12);
  });

  it('gives the four tap weights, which sum to 1 and interpolate a line exactly', () => {
    for (const t of [0, 0.1, 0.25, 0.5, 0.9]) {
      const t2 = t * t;
      const w = [keysWeight0(t, t2), keysWeight1(t, t2), keysWeight2(t, t2), keysWeight3(t, t2)];
      expect(w).toEqual(
        [-1 - t, -t, 1 - t, 2 - t].map((d) => expect.closeTo(keys(d), 12) as unknown as number),
      );
      expect(w[0]! + w[1]! + w[2]! + w[3]!).toBeCloseTo(1, 12);
      // Taps at -1, 0, 1, 2 of the line f(i) = i give f(t) = t.
      expect(-w[0]! + w[2]! + 2 * w[3]!).toBeCloseTo(t, 12);
    }
  });
});
