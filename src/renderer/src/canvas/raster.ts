/**
 * Our own rasterisers for the mask path. Every one writes whole pixels (0 or 1), never a
 * partial coverage: masks stay binary, so a vessel one pixel wide stays one pixel wide.
 * Pure code without the DOM, so it is unit-tested in node.
 */

/** One row of a footprint: pixels `x0..x1` (inclusive) at row offset `dy` from the origin. */
export interface FootprintSpan {
  dy: number;
  x0: number;
  x1: number;
}

/** A brush footprint: its size and, per row, the one span it covers (a disc is convex). */
export interface Footprint {
  diameter: number;
  spans: FootprintSpan[];
  /** Offset from the pixel under the cursor to the footprint's top-left pixel. */
  offset: number;
}

const footprintCache = new Map<number, Footprint>();

/**
 * The disc of `diameter` pixels: every pixel whose centre lies inside the circle of radius
 * diameter/2 centred on the footprint box. Diameter 1 is one pixel, 2 a 2x2 block.
 */
export function discFootprint(diameter: number): Footprint {
  const d = Math.max(1, Math.round(diameter));
  const cached = footprintCache.get(d);
  if (cached) return cached;
  const centre = (d - 1) / 2;
  const r2 = (d / 2) * (d / 2);
  const spans: FootprintSpan[] = [];
  for (let dy = 0; dy < d; dy++) {
    const ry = dy - centre;
    let x0 = -1;
    let x1 = -1;
    for (let dx = 0; dx < d; dx++) {
      const rx = dx - centre;
      if (rx * rx + ry * ry <= r2) {
        if (x0 < 0) x0 = dx;
        x1 = dx;
      }
    }
    if (x0 >= 0) spans.push({ dy, x0, x1 });
  }
  const footprint = { diameter: d, spans, offset: Math.floor((d - 1) / 2) };
  footprintCache.set(d, footprint);
  return footprint;
}

/** The pixels of a footprint placed with the cursor on pixel (px, py), as [x, y] pairs. */
export function footprintPixels(footprint: Footprint, px: number, py: number): [number, number][] {
  const out: [number, number][] = [];
  const ox = px - footprint.offset;
  const oy = py - footprint.offset;
  for (const span of footprint.spans) {
    for (let x = span.x0; x <= span.x1; x++) out.push([ox + x, oy + span.dy]);
  }
  return out;
}

/** Visits every pixel of the Bresenham line from (x0, y0) to (x1, y1), both ends included. */
export function bresenham(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  visit: (x: number, y: number) => void,
): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  let x = x0;
  let y = y0;
  for (;;) {
    visit(x, y);
    if (x === x1 && y === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}

/** A half-open rectangle of pixels. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Grows `rect` (or null) to include `other`. */
export function unionRect(rect: PixelRect | null, other: PixelRect | null): PixelRect | null {
  if (!other) return rect;
  if (!rect) return { ...other };
  const x = Math.min(rect.x, other.x);
  const y = Math.min(rect.y, other.y);
  return {
    x,
    y,
    width: Math.max(rect.x + rect.width, other.x + other.width) - x,
    height: Math.max(rect.y + rect.height, other.y + other.height) - y,
  };
}

/**
 * Scanline flood fill of the 4-connected region of equal value around (x, y), calling
 * `setSpan(y, x0, x1)` for each run it claims. `read` sees the mask as it is before the fill;
 * `visited` marks claimed pixels so the fill never loops. Returns the bounding box, or null
 * when the seed is outside the image.
 */
export function floodFillSpans(
  mask: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  setSpan: (y: number, x0: number, x1: number) => void,
): PixelRect | null {
  if (x < 0 || y < 0 || x >= width || y >= height) return null;
  const target = mask[y * width + x];
  const visited = new Uint8Array(width * height);
  const inside = (i: number) => mask[i] === target && visited[i] === 0;
  const stack: number[] = [x, y];
  let minX = x;
  let maxX = x;
  let minY = y;
  let maxY = y;
  while (stack.length > 0) {
    const sy = stack.pop()!;
    const sx = stack.pop()!;
    const row = sy * width;
    if (!inside(row + sx)) continue;
    let x0 = sx;
    while (x0 > 0 && inside(row + x0 - 1)) x0--;
    let x1 = sx;
    while (x1 < width - 1 && inside(row + x1 + 1)) x1++;
    visited.fill(1, row + x0, row + x1 + 1);
    setSpan(sy, x0, x1);
    if (x0 < minX) minX = x0;
    if (x1 > maxX) maxX = x1;
    if (sy < minY) minY = sy;
    if (sy > maxY) maxY = sy;
    for (const ny of [sy - 1, sy + 1]) {
      if (ny < 0 || ny >= height) continue;
      const nrow = ny * width;
      let xi = x0;
      while (xi <= x1) {
        // Push one seed per run of fillable pixels on the neighbouring row.
        while (xi <= x1 && !inside(nrow + xi)) xi++;
        if (xi > x1) break;
        stack.push(xi, ny);
        while (xi <= x1 && inside(nrow + xi)) xi++;
      }
    }
  }
  return { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/**
 * Even-odd scanline fill of a polygon in image coordinates: a pixel is inside when its
 * centre is, by the even-odd rule. Calls `setSpan(y, x0, x1)` per run, clipped to the image.
 */
export function polygonSpans(
  points: ReadonlyArray<{ x: number; y: number }>,
  width: number,
  height: number,
  setSpan: (y: number, x0: number, x1: number) => void,
): PixelRect | null {
  if (points.length < 3) return null;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const yStart = Math.max(0, Math.ceil(minY - 0.5));
  const yEnd = Math.min(height - 1, Math.floor(maxY - 0.5));
  let rect: PixelRect | null = null;
  const crossings: number[] = [];
  for (let y = yStart; y <= yEnd; y++) {
    const cy = y + 0.5;
    crossings.length = 0;
    for (let i = 0; i < points.length; i++) {
      const a = points[i]!;
      const b = points[(i + 1) % points.length]!;
      // Half-open rule on y so a vertex shared by two edges is counted once.
      if (a.y <= cy !== b.y <= cy) {
        crossings.push(a.x + ((cy - a.y) / (b.y - a.y)) * (b.x - a.x));
      }
    }
    crossings.sort((p, q) => p - q);
    for (let i = 0; i + 1 < crossings.length; i += 2) {
      // Pixel centres x + 0.5 in [left, right).
      const x0 = Math.max(0, Math.ceil(crossings[i]! - 0.5));
      const x1 = Math.min(width - 1, Math.ceil(crossings[i + 1]! - 0.5) - 1);
      if (x1 < x0) continue;
      setSpan(y, x0, x1);
      rect = unionRect(rect, { x: x0, y, width: x1 - x0 + 1, height: 1 });
    }
  }
  return rect;
}

/** Grows a rectangle by `by` pixels on every side, clipped to the image. */
export function grow(rect: PixelRect, by: number, width: number, height: number): PixelRect {
  const x = Math.max(0, rect.x - by);
  const y = Math.max(0, rect.y - by);
  return {
    x,
    y,
    width: Math.min(width, rect.x + rect.width + by) - x,
    height: Math.min(height, rect.y + rect.height + by) - y,
  };
}
