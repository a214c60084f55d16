import { describe, expect, it } from 'vitest';
import { decodeMaskRuns, encodeMaskRuns } from './mask-runs';

describe('mask runs', () => {
  it('encodes zeros first and round-trips', () => {
    const mask = new Uint8Array([1, 1, 0, 0, 0, 255, 0]);
    const runs = encodeMaskRuns(mask);
    expect([...runs]).toEqual([0, 2, 3, 1, 1]);
    expect([...decodeMaskRuns(runs, 7)]).toEqual([1, 1, 0, 0, 0, 1, 0]);
  });

  it('handles empty and full masks', () => {
    expect([...encodeMaskRuns(new Uint8Array(4))]).toEqual([4]);
    expect([...encodeMaskRuns(new Uint8Array(3).fill(1))]).toEqual([0, 3]);
    expect([...decodeMaskRuns([0, 3], 3)]).toEqual([1, 1, 1]);
  });

  it('refuses runs that do not cover the image', () => {
    expect(() => decodeMaskRuns([2, 1], 4)).toThrow(/3 pixels, expected 4/);
    expect(() => decodeMaskRuns([2, 3], 4)).toThrow(/5 pixels/);
  });

  it('round-trips a random mask', () => {
    const mask = Uint8Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 13 < 4 ? 1 : 0));
    expect(decodeMaskRuns(encodeMaskRuns(mask), 1000)).toEqual(mask);
  });
});
