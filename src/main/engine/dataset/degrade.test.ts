import { describe, expect, it } from 'vitest';
import { degradePatch } from './degrade';
import { SeededRandom } from './random';

const H = 48;
const W = 40;

function noise(n: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  return Float32Array.from({ length: n }, () => random.next());
}

/** Standard deviation of the values. */
function spread(values: Float32Array): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
}

describe('resolution degradation', () => {
  it('leaves a patch unchanged at factor 1, and at factors too close to 1 to drop a pixel', () => {
    for (const factor of [1, 0.995]) {
      const data = noise(H * W, 1);
      const before = data.slice();
      degradePatch(data, 0, H, W, 1, factor);
      expect(data).toEqual(before);
    }
  });

  it('keeps a flat patch flat', () => {
    const data = new Float32Array(H * W).fill(0.3);
    degradePatch(data, 0, H, W, 1, 0.6);
    for (const v of data) expect(v).toBeCloseTo(0.3, 6);
  });

  it('spreads a thin line over its neighbours, keeping its mass, and does not move it', () => {
    const data = new Float32Array(H * W);
    for (let y = 0; y < H; y++) data[y * W + 20] = 1;
    degradePatch(data, 0, H, W, 1, 0.5);
    const row = Array.from(data.subarray(24 * W, 25 * W));
    const peak = row.indexOf(Math.max(...row));
    expect(Math.abs(peak - 20)).toBeLessThanOrEqual(1);
    expect(Math.max(...row)).toBeLessThan(0.6);
    expect(row[19]! + row[21]!).toBeGreaterThan(0.3);
    expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 1);
  });

  it('averages detail finer than the reduced grid away instead of aliasing it', () => {
    // A one-pixel checkerboard: sampled without averaging at half size it would come back as
    // a flat 0 or 1, or a coarser pattern; averaged, it comes back as a flat mid-grey.
    const data = Float32Array.from({ length: H * W }, (_, i) => ((i % W) + Math.floor(i / W)) % 2);
    degradePatch(data, 0, H, W, 1, 0.5);
    expect(spread(data)).toBeLessThan(0.01);
    for (const v of data) expect(v).toBeCloseTo(0.5, 1);
  });

  it('removes more detail at lower factors', () => {
    const spreads = [0.9, 0.7, 0.5, 0.3].map((factor) => {
      const data = noise(H * W, 2);
      degradePatch(data, 0, H, W, 1, factor);
      return spread(data);
    });
    for (let i = 1; i < spreads.length; i++) expect(spreads[i]).toBeLessThan(spreads[i - 1]!);
  });

  it('degrades each of several interleaved channels as it would alone, and only its own patch', () => {
    const C = 3;
    const offset = 5 * H * W * C;
    const batch = noise(offset + H * W * C + 17, 3);
    const untouched = batch.slice();
    const channels = [0, 1, 2].map((c) =>
      Float32Array.from({ length: H * W }, (_, i) => batch[offset + i * C + c]!),
    );
    degradePatch(batch, offset, H, W, C, 0.6);
    for (let c = 0; c < C; c++) {
      degradePatch(channels[c]!, 0, H, W, 1, 0.6);
      const got = Float32Array.from({ length: H * W }, (_, i) => batch[offset + i * C + c]!);
      expect(got).toEqual(channels[c]);
    }
    expect(batch.subarray(0, offset)).toEqual(untouched.subarray(0, offset));
    expect(batch.subarray(offset + H * W * C)).toEqual(untouched.subarray(offset + H * W * C));
  });

  it('refuses a factor outside (0, 1]', () => {
    for (const factor of [0, -0.5, 1.2, Number.NaN])
      expect(() => degradePatch(new Float32Array(H * W), 0, H, W, 1, factor)).toThrow(
        /not in \(0, 1\]/,
      );
  });
});
