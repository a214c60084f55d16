import { describe, expect, it } from 'vitest';
import { readoutAt, readoutFields, type ReadoutSources } from './readout';

/** A 3x2 image: pixel i has colour (i, 10i, 100), probability level 50i, labels by pattern. */
function sources(withPrediction = true): ReadoutSources {
  const width = 3;
  const height = 2;
  return {
    width,
    height,
    rgbAt: (x, y) => {
      const i = y * width + x;
      return [i, 10 * i, 100];
    },
    probabilities: withPrediction ? Uint8Array.from([0, 50, 100, 150, 200, 255]) : null,
    reference: Uint8Array.from([0, 1, 0, 1, 0, 1]),
    mask: Uint8Array.from([1, 1, 0, 0, 0, 1]),
  };
}

describe('readoutAt', () => {
  it('reads the colour, probability and labels of the pixel', () => {
    expect(readoutAt(sources(), 1, 1)).toEqual({
      x: 1,
      y: 1,
      rgb: [4, 40, 100],
      probability: 200 / 255,
      groundTruth: 0,
      corrected: 0,
    });
    expect(readoutAt(sources(), 2, 1)).toMatchObject({
      probability: 1,
      groundTruth: 1,
      corrected: 1,
    });
  });

  it('is null off the image', () => {
    for (const [x, y] of [
      [-1, 0],
      [0, -1],
      [3, 0],
      [0, 2],
      [0.5, 0],
    ] as const) {
      expect(readoutAt(sources(), x, y)).toBeNull();
    }
  });

  it('has no probability without a prediction', () => {
    expect(readoutAt(sources(false), 0, 0)?.probability).toBeNull();
  });
});

describe('readoutFields', () => {
  it('writes the probability to 3 decimals and is empty off the image', () => {
    const fields = readoutFields(readoutAt(sources(), 1, 0));
    expect(fields).toEqual([
      { label: 'x', value: '1' },
      { label: 'y', value: '0' },
      { label: 'RGB', value: '1 10 100' },
      { label: 'p', value: '0.196' },
      { label: 'GT', value: '1' },
      { label: 'mask', value: '1' },
    ]);
    expect(readoutFields(readoutAt(sources(false), 0, 0))[3]).toEqual({ label: 'p', value: '–' });
    expect(readoutFields(null)).toEqual([]);
  });
});
