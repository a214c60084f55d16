import { describe, expect, it } from 'vitest';
// One namespace for the module under test: every case below reads as maskRender.<what it tests>.
import * as maskRender from './mask-render';
import type { PixelRect } from './raster';

const alphaRows = (rgba: Uint8ClampedArray, w: number, h: number) =>
  Array.from({ length: h }, (_, y) =>
    Array.from({ length: w }, (_, x) => (rgba[(y * w + x) * 4 + 3] ? '#' : '.')).join(''),
  );

describe('renderMaskRect', () => {
  const w = 5;
  const h = 5;
  const mask = new Uint8Array(w * h);
  for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) mask[y * w + x] = 1;
  const whole = { x: 0, y: 0, width: w, height: h };
  /** Renders `rect` of the 3x3 square mask into `rgba` in the corrected layer's colour. */
  const render = (rgba: Uint8ClampedArray, rect: PixelRect, style: maskRender.MaskStyle) =>
    maskRender.renderMaskRect(mask, w, h, rect, rgba, maskRender.LAYER_COLOURS.corrected, style);

  it('fills exactly the set pixels, opaque, in the layer colour', () => {
    const rgba = new Uint8ClampedArray(w * h * 4);
    render(rgba, whole, 'filled');
    expect(alphaRows(rgba, w, h)).toEqual(['.....', '.###.', '.###.', '.###.', '.....']);
    expect([...rgba.subarray((w + 1) * 4, (w + 1) * 4 + 4)]).toEqual([
      ...maskRender.LAYER_COLOURS.corrected,
      255,
    ]);
  });

  it('draws contours as the set pixels with an unset 4-neighbour', () => {
    const rgba = new Uint8ClampedArray(w * h * 4);
    render(rgba, whole, 'contour');
    expect(alphaRows(rgba, w, h)).toEqual(['.....', '.###.', '.#.#.', '.###.', '.....']);
  });

  it('touches nothing outside the rectangle', () => {
    const rgba = new Uint8ClampedArray(w * h * 4).fill(7);
    render(rgba, { x: 1, y: 1, width: 1, height: 1 }, 'filled');
    expect(rgba[0]).toBe(7);
    expect(rgba[(2 * w + 2) * 4 + 3]).toBe(7);
    expect(rgba[(w + 1) * 4 + 3]).toBe(255);
  });
});

describe('error map and heatmap', () => {
  it('colours TP, FP and FN inside the FOV only', () => {
    const predicted = new Uint8Array([1, 1, 0, 0, 1]);
    const reference = new Uint8Array([1, 0, 1, 0, 1]);
    const fov = new Uint8Array([1, 1, 1, 1, 0]);
    const rgba = new Uint8ClampedArray(5 * 4);
    maskRender.renderErrorMap(predicted, reference, fov, rgba);
    const colour = (i: number) => [...rgba.subarray(i * 4, i * 4 + 4)];
    expect(colour(0)).toEqual([...maskRender.LAYER_COLOURS.truePositive, 255]);
    expect(colour(1)).toEqual([...maskRender.LAYER_COLOURS.falsePositive, 255]);
    expect(colour(2)).toEqual([...maskRender.LAYER_COLOURS.falseNegative, 255]);
    expect(colour(3)[3]).toBe(0);
    expect(colour(4)[3]).toBe(0);
  });

  it('thresholds 8-bit probabilities with p >= t as vessel', () => {
    expect([...maskRender.thresholdProbabilities(new Uint8Array([0, 127, 128, 255]), 0.5)]).toEqual(
      [0, 0, 1, 1],
    );
  });

  it('shows the heatmap only at or above the threshold', () => {
    const rgba = new Uint8ClampedArray(3 * 4);
    maskRender.renderHeatmap(new Uint8Array([10, 200, 255]), 0.5, rgba);
    expect([rgba[3], rgba[7], rgba[11]]).toEqual([0, 255, 255]);
    expect([rgba[8], rgba[9], rgba[10]]).toEqual([253, 231, 37]);
  });
});
