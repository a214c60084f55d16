import { describe, expect, it } from 'vitest';
import { colourBarTicks, colourRamp, rampGradient, thresholdPosition } from './colour-bar';
import { UNCERTAINTY_RAMP } from './colour-maps';
import { renderUncertainty, uncertaintyMap, uncertaintyRampByProbability } from './uncertainty';

describe('uncertaintyMap', () => {
  it('peaks at the threshold, is 0 at p = 0 and 1, and 0 outside the FOV', () => {
    // Levels 64, 128 and 191 are p = 0.251, 0.502 and 0.749.
    const p = Uint8Array.from([0, 64, 128, 191, 255, 128]);
    const fov = Uint8Array.from([1, 1, 1, 1, 1, 0]);
    expect([...uncertaintyMap(p, 0.5, fov)]).toEqual([0, 128, 254, 128, 0, 0]);
    expect(uncertaintyMap(Uint8Array.from([51]), 0.2, null)[0]).toBe(255);
  });

  it('follows the threshold', () => {
    const p = Uint8Array.from([51, 128]); // 0.2 and about 0.5
    const [atLow] = uncertaintyMap(p, 0.2, null);
    const [atHalf] = uncertaintyMap(p, 0.5, null);
    expect(atLow).toBe(255);
    expect(atHalf).toBe(102);
  });
});

describe('renderUncertainty', () => {
  it('colours each pixel from the ramp with the uncertainty as alpha', () => {
    const p = Uint8Array.from([0, 128, 255]);
    const rgba = new Uint8ClampedArray(3 * 4).fill(7);
    renderUncertainty(p, 0.5, null, rgba);
    expect(rgba[3]).toBe(0);
    expect(rgba[7]).toBe(254);
    expect([...rgba.subarray(4, 7)]).toEqual([...UNCERTAINTY_RAMP.subarray(254 * 3, 255 * 3)]);
    expect(rgba[11]).toBe(0);
  });
});

describe('uncertaintyRampByProbability', () => {
  it('gives each probability level the colour its pixels get, brightest at the threshold', () => {
    const ramp = uncertaintyRampByProbability(0.2);
    const at = (v: number) => [...ramp.subarray(v * 3, v * 3 + 3)];
    expect(at(51)).toEqual([...UNCERTAINTY_RAMP.subarray(255 * 3)]);
    expect(at(0)).toEqual([...UNCERTAINTY_RAMP.subarray(0, 3)]);
    expect(at(255)).toEqual([...UNCERTAINTY_RAMP.subarray(0, 3)]);
  });
});

describe('colour bar', () => {
  it('builds a ramp through its stops', () => {
    const ramp = colourRamp([
      [0, [0, 0, 0]],
      [1, [255, 128, 0]],
    ]);
    expect([...ramp.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect([...ramp.subarray(255 * 3)]).toEqual([255, 128, 0]);
    expect([...ramp.subarray(51 * 3, 52 * 3)]).toEqual([51, 26, 0]);
    expect(rampGradient(ramp, 3)).toBe(
      'linear-gradient(to right, rgb(0, 0, 0) 0.0%, rgb(128, 64, 0) 50.0%, rgb(255, 128, 0) 100.0%)',
    );
  });

  it('ticks 0..1 and places the threshold', () => {
    expect(colourBarTicks().map((t) => t.label)).toEqual(['0', '0.25', '0.5', '0.75', '1']);
    expect(colourBarTicks().map((t) => t.position)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(thresholdPosition(0.35)).toBe(0.35);
    expect(thresholdPosition(1.2)).toBe(1);
  });
});
