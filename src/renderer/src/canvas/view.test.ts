import { describe, expect, it } from 'vitest';
import { actualSizeView, fitView, screenToPixel, zoomAt } from './view';

describe('view', () => {
  it('zooms to the cursor: the image point under it stays put', () => {
    const view = { zoom: 2, x: 10, y: 20 };
    const before = screenToPixel(view, 310, 220);
    const next = zoomAt(view, 4, 310, 220);
    expect(next.zoom).toBe(8);
    expect(screenToPixel(next, 310, 220)).toEqual(before);
  });

  it('fits the image inside the viewport, centred', () => {
    const v = fitView(565, 584, 1000, 600);
    expect(584 * v.zoom).toBeLessThanOrEqual(600);
    expect(v.x).toBe(Math.round((1000 - 565 * v.zoom) / 2));
  });

  it('1:1 gives one screen pixel per image pixel', () => {
    expect(actualSizeView({ zoom: 0.3, x: 5, y: 5 }, 800, 600).zoom).toBe(1);
  });
});
