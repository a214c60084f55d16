import { describe, expect, it } from 'vitest';
import { modelPreset, type UnetConfig } from '../../shared/model-config';
import { copyWindow, patchStarts, planSameAxis, planValidAxis, reflectIndex } from './infer-tiles';

describe('reflectIndex', () => {
  it('mirrors without repeating the edge, as often as needed', () => {
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].map((i) => reflectIndex(i, 4))).toEqual([
      3, 2, 1, 0, 1, 2, 3, 2, 1, 0,
    ]);
    expect([-7, 9].map((i) => reflectIndex(i, 3))).toEqual([1, 1]);
    expect(reflectIndex(-5, 1)).toBe(0);
  });
});

describe('copyWindow', () => {
  const image = {
    width: 3,
    height: 2,
    channels: 1,
    data: Float32Array.from([1, 2, 3, 4, 5, 6]),
  };
  it('mirrors outside pixels', () => {
    const target = new Float32Array(8);
    copyWindow(image, { top: -1, left: -1, height: 2, width: 4 }, 'mirror', target);
    expect(Array.from(target)).toEqual([5, 4, 5, 6, 2, 1, 2, 3]);
  });
  it('fills outside pixels with zeros', () => {
    const target = new Float32Array(8).fill(9);
    copyWindow(image, { top: 1, left: 1, height: 2, width: 4 }, 'zero', target);
    expect(Array.from(target)).toEqual([5, 6, 0, 0, 0, 0, 0, 0]);
  });
});

describe('planSameAxis', () => {
  it('uses one tile when the padded image fits, rounded to the pooling multiple', () => {
    const plan = planSameAxis(37, 8, { margin: 4, overlap: 16 }, 512);
    expect(plan.starts).toEqual([0]);
    expect(plan.tileInput).toBe(48);
    expect(plan.padBefore).toBe(4);
  });

  it('covers every image pixel away from inner tile edges, starts on multiples of the pooling grid', () => {
    const overlap = 16;
    const plan = planSameAxis(1000, 16, { margin: 8, overlap }, 256);
    expect(plan.tileInput).toBe(256);
    expect(plan.padBefore).toBe(8);
    const last = plan.starts[plan.starts.length - 1];
    expect(last + plan.tileInput).toBeGreaterThanOrEqual(1000 + 2 * 8);
    for (const start of plan.starts) expect(start % 16).toBe(0);
    for (let pixel = 0; pixel < 1000; pixel++) {
      const padded = pixel + plan.padBefore;
      // The frame's outer edges are mirrored context, the same tiled or not: only seams count.
      const full = plan.starts.some((s) => {
        const inside = padded >= s && padded < s + plan.tileInput;
        const left = s === 0 ? Infinity : padded - s;
        const right = s === last ? Infinity : s + plan.tileInput - padded;
        return inside && left >= overlap && right > overlap;
      });
      expect(full).toBe(true);
    }
  });

  it('refuses a tile too small for its overlap', () => {
    expect(() => planSameAxis(1000, 16, { margin: 8, overlap: 64 }, 128)).toThrow(RangeError);
  });
});

describe('planValidAxis', () => {
  const config = { ...modelPreset('unet-paper'), depth: 2 } as UnetConfig;
  it('tiles by output size with the receptive border mirrored on each side', () => {
    const plan = planValidAxis(300, config, 128);
    expect(plan.tileInput).toBeLessThanOrEqual(128);
    expect(plan.tileInput - plan.tileOutput).toBe(2 * plan.padBefore);
    const last = plan.starts[plan.starts.length - 1];
    expect(last + plan.tileOutput).toBeGreaterThanOrEqual(300);
    for (const start of plan.starts) expect(start % 4).toBe(0);
  });

  it("plans the paper's U-Net on a DRIVE image (565 x 584) within a 768 px tile", () => {
    const paper = modelPreset('unet-paper') as UnetConfig;
    // Width: one tile, output 580 (the smallest legal side >= 565), input 580 + 2 * 92 = 764.
    const columns = planValidAxis(565, paper, 768);
    expect(columns).toMatchObject({ padBefore: 92, tileInput: 764, tileOutput: 580, starts: [0] });
    // Height: 596 would need a 780 px input, so two 764 px tiles, 576 apart (a multiple of 16).
    const rows = planValidAxis(584, paper, 768);
    expect(rows).toMatchObject({ tileInput: 764, tileOutput: 580, starts: [0, 576] });
    expect(rows.starts[1] + rows.tileOutput).toBeGreaterThanOrEqual(584);
  });
});

describe('patchStarts', () => {
  it('extends the axis like paint_border_overlap so the last patch ends on it', () => {
    // DRIVE height 584, 48 px patches at stride 5: extended to 588, 109 patches.
    const starts = patchStarts(584, 48, 5);
    expect(starts.length).toBe(109);
    expect(starts[starts.length - 1] + 48).toBe(588);
    expect(patchStarts(58, 48, 5)).toEqual([0, 5, 10]);
    expect(patchStarts(30, 48, 5)).toEqual([0]);
  });
});
