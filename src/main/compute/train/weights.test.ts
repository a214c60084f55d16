import { describe, expect, it } from 'vitest';
import { balancedPositiveWeight, borderWeightMap, labelComponents, lossWeightMap } from './weights';

/** A 1-pixel-wide vertical line at each given column, in a width x height label. */
function lines(width: number, height: number, columns: number[]): Uint8Array {
  const label = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (const x of columns) label[y * width + x] = 1;
  return label;
}

describe('loss weights', () => {
  it('labels 8-connected components', () => {
    const label = lines(9, 5, [1, 4]);
    label[2 * 9 + 7] = 1;
    label[3 * 9 + 8] = 1; // diagonal neighbour: same component
    const components = labelComponents(label, 9, 5);
    expect(new Set(components.filter((c) => c >= 0))).toEqual(new Set([0, 1, 2]));
    expect(components[2 * 9 + 7]).toBe(components[3 * 9 + 8]);
  });

  it('weights the gap between two vessels by w0 exp(-(d1 + d2)^2 / (2 sigma^2)), nothing beside a lone vessel', () => {
    const width = 30;
    const map = borderWeightMap(lines(width, 10, [5, 9]), width, 10, 10, 5);
    // Column 7 is 2 px from both lines.
    expect(map[5 * width + 7]).toBeCloseTo(10 * Math.exp(-16 / 50), 4);
    // Column 11: 2 px from the line at 9, 6 px from the line at 5.
    expect(map[5 * width + 11]).toBeCloseTo(10 * Math.exp(-64 / 50), 4);
    // Vessel pixels get no border term.
    expect(map[5 * width + 5]).toBe(0);
    const lone = borderWeightMap(lines(width, 10, [5]), width, 10, 10, 5);
    expect(Math.max(...lone)).toBe(0);
  });

  it('balances the classes inside the FOV, capped at 10, and multiplies in the caller weight map', () => {
    const label = lines(10, 10, [2]); // 10 vessel pixels, 90 background
    expect(balancedPositiveWeight([{ label }])).toBeCloseTo(9, 6);
    expect(balancedPositiveWeight([{ label: lines(100, 10, [2]) }])).toBe(10);
    const fov = new Uint8Array(100);
    for (let i = 0; i < 50; i++) fov[i] = 1; // top half: 5 vessel, 45 background
    expect(balancedPositiveWeight([{ label, fov }])).toBeCloseTo(9, 6);
    const weight = new Float32Array(100).fill(1);
    weight[0] = 5;
    const image = {
      id: 'a',
      split: 'training',
      width: 10,
      height: 10,
      channels: 1,
      pixels: new Float32Array(100),
      label,
      weight,
    };
    const map = lossWeightMap(image, { kind: 'weighted-bce' }, 9);
    expect(map[2]).toBe(9);
    expect(map[0]).toBe(5);
    expect(map[1]).toBe(1);
  });
});
