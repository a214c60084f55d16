/**
 * The studio canvas in the desktop app, in the real Electron binary: a generated DRIVE-layout
 * dataset opened from File > Open Dataset Folder (main's dialog answered by the test), a brush
 * stroke saved pixel for pixel, undo from the Edit menu and redo by keyboard, and the View
 * menu's layer and zoom items reaching the canvas. Skips with the reason where the Electron
 * binary is absent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestDataset } from '../../src/main/engine/studio/test-dataset';
import {
  answerNextOpenDialog,
  clickMenuItem,
  desktopSkipReason,
  launchDesktop,
  saveScreenshot,
  type DesktopSession,
} from './harness';
import { canvasState, changedPixels, strokePixels, waitSaved } from '../studio-page';

const skipReason = desktopSkipReason();
if (skipReason !== null) console.warn(skipReason);

const W = 96;
const H = 80;

type VesselWindow = Window & {
  vessel: Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
};

/** The current mask of an image, read through window.vessel (the contract over IPC). */
async function currentMask(page: Page, id: string): Promise<Uint8Array> {
  const bytes = await page.evaluate(async (imageId) => {
    const result = (await (window as unknown as VesselWindow).vessel.studio.mask({
      id: imageId,
    })) as { ok: boolean; value?: { png: Uint8Array }; error?: { message: string } };
    if (!result.ok || !result.value) throw new Error(result.error?.message ?? 'studio.mask failed');
    return Array.from(result.value.png);
  }, id);
  const { data, info } = await sharp(Buffer.from(bytes))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const mask = new Uint8Array(info.width * info.height);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i * info.channels] > 127 ? 1 : 0;
  return mask;
}

describe.skipIf(skipReason !== null)('studio canvas in the desktop app', () => {
  let scratch: string;
  let datasetRoot: string;
  let desktop: DesktopSession;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'vessel-desktop-canvas-'));
    datasetRoot = path.join(scratch, 'DRIVE-mini');
    await writeTestDataset(datasetRoot, { width: W, height: H, perSplit: 2 });
    desktop = await launchDesktop();
  });

  afterAll(async () => {
    await desktop?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('opens from the File menu, paints exactly the footprint, undoes from the Edit menu', async () => {
    const { page, app } = desktop;
    await answerNextOpenDialog(app, datasetRoot);
    await clickMenuItem(app, 'dataset.openFolder');
    const first = 'training/21_training';
    await expect.poll(async () => (await canvasState(page)).id, { timeout: 60_000 }).toBe(first);
    await saveScreenshot(page, 'desktop-canvas-1-opened');

    const original = await currentMask(page, first);
    const brush = Number(await page.getByTestId('brush-size').inputValue());
    const s = await canvasState(page);
    const at = (px: number, py: number) => ({
      x: s.box.left + s.x + (px + 0.5) * s.zoom,
      y: s.box.top + s.y + (py + 0.5) * s.zoom,
    });
    await page.mouse.move(at(20, 40).x, at(20, 40).y);
    await page.mouse.down();
    await page.mouse.move(at(60, 40).x, at(60, 40).y, { steps: 12 });
    await page.mouse.up();
    await waitSaved(page);
    const painted = await currentMask(page, first);
    const expected = new Set(
      [...strokePixels(brush, 20, 60, 40, W)].filter((i) => original[i] === 0),
    );
    expect(expected.size).toBeGreaterThan(100);
    expect(changedPixels(original, painted)).toEqual(expected);
    await saveScreenshot(page, 'desktop-canvas-2-painted');

    // Undo through the menu (main -> shell.menu event -> the canvas), redo by keyboard.
    await clickMenuItem(app, 'edit.undo');
    await waitSaved(page);
    await expect.poll(() => currentMask(page, first), { timeout: 30_000 }).toEqual(original);
    await page.keyboard.press('Control+Y');
    await waitSaved(page);
    await expect.poll(() => currentMask(page, first), { timeout: 30_000 }).toEqual(painted);
  });

  it('toggles a layer and zooms from the View menu', async () => {
    const { page, app } = desktop;
    const checked = () =>
      page.getByTestId('layer-groundTruth').locator('input[type=checkbox]').isChecked();
    const before = await checked();
    await clickMenuItem(app, 'view.layer.groundTruth');
    await expect.poll(checked).toBe(!before);
    await clickMenuItem(app, 'view.zoomActual');
    await expect.poll(async () => (await canvasState(page)).zoom).toBe(1);
    await clickMenuItem(app, 'view.zoomFit');
    await expect.poll(async () => (await canvasState(page)).zoom).toBeGreaterThan(1);
    await saveScreenshot(page, 'desktop-canvas-3-view-menu');
  });
});
