/**
 * The canvas view: zoom (screen pixels per image pixel) and the screen position of the
 * image's top-left corner. Pure arithmetic, so zoom-to-cursor and fit are unit-tested.
 */

export interface View {
  zoom: number;
  x: number;
  y: number;
}

export const MIN_ZOOM = 1 / 32;
export const MAX_ZOOM = 64;
/** From this zoom up the pixel grid is drawn. */
export const GRID_MIN_ZOOM = 8;

export function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

/** Zooms by `factor` keeping the image point under the screen point (sx, sy) in place. */
export function zoomAt(view: View, factor: number, sx: number, sy: number): View {
  const zoom = clampZoom(view.zoom * factor);
  const ix = (sx - view.x) / view.zoom;
  const iy = (sy - view.y) / view.zoom;
  return { zoom, x: sx - ix * zoom, y: sy - iy * zoom };
}

/** The view that shows the whole image centred in a viewport, with a small margin. */
export function fitView(imageW: number, imageH: number, viewW: number, viewH: number): View {
  const zoom = clampZoom(Math.min((viewW * 0.96) / imageW, (viewH * 0.96) / imageH));
  return {
    zoom,
    x: Math.round((viewW - imageW * zoom) / 2),
    y: Math.round((viewH - imageH * zoom) / 2),
  };
}

/** One screen pixel per image pixel, keeping the viewport centre's image point in place. */
export function actualSizeView(view: View, viewW: number, viewH: number): View {
  const v = zoomAt(view, 1 / view.zoom, viewW / 2, viewH / 2);
  return { zoom: 1, x: Math.round(v.x), y: Math.round(v.y) };
}

/** The image pixel under a screen point (may lie outside the image). */
export function screenToPixel(view: View, sx: number, sy: number): { x: number; y: number } {
  return { x: Math.floor((sx - view.x) / view.zoom), y: Math.floor((sy - view.y) / view.zoom) };
}

/** The image coordinates (continuous) of a screen point. */
export function screenToImage(view: View, sx: number, sy: number): { x: number; y: number } {
  return { x: (sx - view.x) / view.zoom, y: (sy - view.y) / view.zoom };
}
