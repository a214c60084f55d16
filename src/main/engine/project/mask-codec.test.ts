import { describe, expect, it } from 'vitest';
import {
  decodePngMask,
  decodeRleDeflate,
  encodePngMask,
  encodeRleDeflate,
  pngSize,
  type BinaryMask,
} from './mask-codec';
import { randomMask } from '../../../../test/support/project/test-fixtures';

/** Encodes `mask` with the run-length codec and decodes it back at its own size. */
const roundTripRle = (mask: BinaryMask) =>
  decodeRleDeflate(encodeRleDeflate(mask), mask.width, mask.height);

describe('run-length mask codec', () => {
  it('round-trips random masks exactly', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const mask = randomMask(37 + seed, 11 + seed, seed);
      const decoded = roundTripRle(mask);
      expect(Buffer.from(decoded.data).equals(Buffer.from(mask.data))).toBe(true);
    }
  });

  it('handles masks that start with 1, are all 0 or all 1', () => {
    const cases = [new Uint8Array([1, 1, 0, 1]), new Uint8Array(4), new Uint8Array(4).fill(1)];
    for (const data of cases) {
      const decoded = roundTripRle({ width: 2, height: 2, data });
      expect(Array.from(decoded.data)).toEqual(Array.from(data));
    }
  });

  it('treats any non-zero pixel as 1', () => {
    const decoded = roundTripRle({ width: 3, height: 1, data: new Uint8Array([0, 255, 7]) });
    expect(Array.from(decoded.data)).toEqual([0, 1, 1]);
  });

  it('refuses a mask whose pixel count does not match its size', () => {
    expect(() => encodeRleDeflate({ width: 3, height: 3, data: new Uint8Array(8) })).toThrow(
      /expected 3x3/,
    );
  });

  it('reports stored bytes that decode to the wrong size as corrupt', () => {
    const bytes = encodeRleDeflate({ width: 4, height: 4, data: new Uint8Array(16) });
    expect(() => decodeRleDeflate(bytes, 5, 5)).toThrow(
      expect.objectContaining({ code: 'PROJECT_CORRUPT' }),
    );
  });

  it('compresses a 565x584 vessel-like mask well below its raw size', () => {
    const mask = randomMask(565, 584, 7);
    expect(encodeRleDeflate(mask).byteLength).toBeLessThan((565 * 584) / 4);
  });
});

describe('PNG masks', () => {
  it('encodes 0/1 to a PNG and back, reading its size from the header', async () => {
    const mask = randomMask(30, 17, 3);
    const png = await encodePngMask(mask);
    expect(pngSize(png)).toEqual({ width: 30, height: 17 });
    const decoded = await decodePngMask(png);
    expect(Array.from(decoded.data)).toEqual(Array.from(mask.data));
  });

  it('refuses bytes that are not a PNG', () => {
    expect(() => pngSize(new Uint8Array(40))).toThrow(
      expect.objectContaining({ code: 'PROJECT_BAD_MASK' }),
    );
  });
});
