/**
 * Page helpers for the studio's end-to-end tests, the same in Chromium (browser mode) and in
 * Electron: where the canvas is and what it shows, the save state, the retrain settings, and
 * the pixels a brush stroke must change.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { bresenham, discFootprint, footprintPixels } from '../src/renderer/src/canvas/raster';

/** The canvas's image, zoom, pan and place on the screen, from its data attributes. */
export async function canvasState(page: Page) {
  return page.getByTestId('canvas').evaluate((el) => ({
    id: el.getAttribute('data-image-id'),
    zoom: Number(el.getAttribute('data-zoom')),
    x: Number(el.getAttribute('data-view-x')),
    y: Number(el.getAttribute('data-view-y')),
    box: el.getBoundingClientRect().toJSON() as { left: number; top: number },
  }));
}

/** Waits until every change is saved to the project file. */
export async function waitSaved(page: Page): Promise<void> {
  await expect
    .poll(async () => page.getByTestId('save-state').textContent(), { timeout: 30_000 })
    .toBe('All changes saved');
}

/** The pixels a stroke along a row paints: the disc footprint stamped on every Bresenham pixel. */
export function strokePixels(
  diameter: number,
  x0: number,
  x1: number,
  y: number,
  width: number,
): Set<number> {
  const out = new Set<number>();
  const footprint = discFootprint(diameter);
  bresenham(x0, y, x1, y, (x, yy) => {
    for (const [px, py] of footprintPixels(footprint, x, yy)) out.add(py * width + px);
  });
  return out;
}

/** Indices of the pixels that differ between two masks. */
export function changedPixels(before: Uint8Array, after: Uint8Array): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) out.add(i);
  return out;
}

/** The status of the training run shown, or null when none is. */
export async function runStatus(page: Page): Promise<string | null> {
  const run = page.getByTestId('training-run');
  return (await run.count()) === 0 ? null : run.getAttribute('data-status');
}

/** Fills tiny training settings (the settings panel must be open). */
export async function tinySettings(page: Page, epochs: number, fineTune: boolean): Promise<void> {
  const fine = page.getByLabel('Fine-tune the active model (off: new model from scratch)');
  if ((await fine.isChecked()) !== fineTune) await fine.click();
  await page.getByLabel('Epochs').fill(String(epochs));
  await page.getByLabel('Steps/epoch').fill('2');
  await page.getByLabel('Batch').fill('2');
  await page.getByLabel('Patch px').fill('16');
  await page.getByLabel('Learning rate').fill('0.001');
}
