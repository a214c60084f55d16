import { describe, expect, it } from 'vitest';
import { bresenham, discFootprint, floodFillSpans, footprintPixels, polygonSpans } from './raster';

/** Renders a footprint as rows of '#' and '.' so the exact shape is visible in the test. */
function picture(diameter: number): string[] {
  const fp = discFootprint(diameter);
  const rows = Array.from({ length: fp.diameter }, () => Array(fp.diameter).fill('.'));
  for (const s of fp.spans) for (let x = s.x0; x <= s.x1; x++) rows[s.dy]![x] = '#';
  return rows.map((r) => r.join(''));
}

describe('discFootprint', () => {
  it('is one pixel at diameter 1 and never smaller', () => {
    expect(picture(1)).toEqual(['#']);
    expect(picture(0)).toEqual(['#']);
    expect(discFootprint(0.2).diameter).toBe(1);
  });

  it('has the exact shapes of pixel centres inside the circle', () => {
    expect(picture(2)).toEqual(['##', '##']);
    expect(picture(3)).toEqual(['###', '###', '###']);
    expect(picture(4)).toEqual(['.##.', '####', '####', '.##.']);
    expect(picture(5)).toEqual(['.###.', '#####', '#####', '#####', '.###.']);
  });

  it('is symmetric and close to the disc area for large sizes', () => {
    const fp = discFootprint(41);
    const area = fp.spans.reduce((n, s) => n + s.x1 - s.x0 + 1, 0);
    expect(Math.abs(area - Math.PI * 20.5 * 20.5) / area).toBeLessThan(0.02);
    for (const s of fp.spans) expect(s.x0 + s.x1).toBe(40);
  });

  it('places the footprint around the cursor pixel', () => {
    expect(footprintPixels(discFootprint(1), 7, 9)).toEqual([[7, 9]]);
    const px = footprintPixels(discFootprint(3), 5, 5);
    expect(px).toHaveLength(9);
    expect(px).toContainEqual([4, 4]);
    expect(px).toContainEqual([6, 6]);
  });
});

describe('bresenham', () => {
  it('visits a connected line with both ends', () => {
    const seen: string[] = [];
    bresenham(0, 0, 5, 2, (x, y) => seen.push(`${x},${y}`));
    expect(seen).toEqual(['0,0', '1,0', '2,1', '3,1', '4,2', '5,2']);
    const single: string[] = [];
    bresenham(3, 3, 3, 3, (x, y) => single.push(`${x},${y}`));
    expect(single).toEqual(['3,3']);
  });
});

function gridFrom(rows: string[]): { mask: Uint8Array; w: number; h: number } {
  const h = rows.length;
  const w = rows[0]!.length;
  const mask = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((c, x) => (mask[y * w + x] = c === '#' ? 1 : 0)));
  return { mask, w, h };
}

describe('floodFillSpans', () => {
  it('fills only the 4-connected region of the seed', () => {
    const { mask, w, h } = gridFrom(['#####', '#...#', '#.#.#', '#...#', '####.']);
    const out = Uint8Array.from(mask);
    const rect = floodFillSpans(mask, w, h, 1, 1, (y, x0, x1) =>
      out.fill(1, y * w + x0, y * w + x1 + 1),
    );
    expect(rect).toEqual({ x: 1, y: 1, width: 3, height: 3 });
    // The corner pixel (4,4) touches the hole only diagonally: it stays empty.
    expect([...out].join('')).toBe('1111111111111111111111110');
  });

  it('returns null outside the image', () => {
    const { mask, w, h } = gridFrom(['..', '..']);
    expect(floodFillSpans(mask, w, h, 2, 0, () => {})).toBeNull();
  });
});

describe('polygonSpans', () => {
  it('fills pixels whose centres lie inside (even-odd)', () => {
    const w = 6;
    const out = new Uint8Array(w * w);
    polygonSpans(
      [
        { x: 1, y: 1 },
        { x: 4, y: 1 },
        { x: 4, y: 3 },
        { x: 1, y: 3 },
      ],
      w,
      w,
      (y, x0, x1) => out.fill(1, y * w + x0, y * w + x1 + 1),
    );
    const rows = Array.from({ length: w }, (_, y) => [...out.subarray(y * w, y * w + w)].join(''));
    expect(rows).toEqual(['000000', '011100', '011100', '000000', '000000', '000000']);
  });

  it('leaves the hole of a self-overlapping star empty', () => {
    const w = 20;
    const out = new Uint8Array(w * w);
    const star = [0, 2, 4, 1, 3].map((k) => ({
      x: 10 + 9 * Math.sin((k * 2 * Math.PI) / 5),
      y: 10 - 9 * Math.cos((k * 2 * Math.PI) / 5),
    }));
    polygonSpans(star, w, w, (y, x0, x1) => out.fill(1, y * w + x0, y * w + x1 + 1));
    expect(out[10 * w + 10]).toBe(0); // centre: crossed twice
    expect(out[3 * w + 10]).toBe(1); // top point
  });

  it('clips to the image', () => {
    const out = new Uint8Array(16);
    const rect = polygonSpans(
      [
        { x: -5, y: -5 },
        { x: 10, y: -5 },
        { x: 10, y: 10 },
        { x: -5, y: 10 },
      ],
      4,
      4,
      (y, x0, x1) => out.fill(1, y * 4 + x0, y * 4 + x1 + 1),
    );
    expect(rect).toEqual({ x: 0, y: 0, width: 4, height: 4 });
    expect(out.every((v) => v === 1)).toBe(true);
  });
});
