/**
 * The studio canvas end to end, in Chromium against browser mode: open a generated DRIVE-
 * layout dataset (and the real DRIVE when present), paint, check the saved mask pixel for
 * pixel through the contract, undo/redo, switch images, reload, restart, and a keyboard pass.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { BUNDLED_MODEL_NAME } from '../src/main/engine/studio/bundled-model';
import { defaultProjectFile } from '../src/main/engine/studio/project-location';
import { decodeMaskRuns } from '../src/shared/mask-runs';
import { addTinyModelWithPredictions } from '../src/main/compute/model/test-model';
import type { ContractClient } from './contract-client';
import { repoRoot, saveScreenshot } from './harness';
import {
  canvasState,
  changedPixels,
  startStudio,
  strokePixels,
  useStudio,
  waitSaved,
} from './studio-page';

const DRIVE = path.resolve(repoRoot, '../shared/datasets/DRIVE');

/** Decodes a mask image (bytes or a file) to 0/1 by > 127, as the dataset area binarises labels. */
async function decodeMask(
  source: Uint8Array | string,
): Promise<{ width: number; data: Uint8Array }> {
  const { data, info } = await sharp(source).raw().toBuffer({ resolveWithObject: true });
  const mask = new Uint8Array(info.width * info.height);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i * info.channels]! > 127 ? 1 : 0;
  return { width: info.width, data: mask };
}

async function currentMask(client: ContractClient, id: string): Promise<Uint8Array> {
  const mask = await client.request('studio.mask', { id });
  return decodeMaskRuns(mask.runs, mask.width * mask.height);
}

async function waitForImage(page: Page, id: string): Promise<void> {
  await expect.poll(async () => (await canvasState(page)).id, { timeout: 30_000 }).toBe(id);
}

/** Drags the brush along image row `y` from x0 to x1 (screen points at pixel centres). */
async function paintRow(page: Page, x0: number, x1: number, y: number): Promise<void> {
  const s = await canvasState(page);
  const at = (px: number, py: number) => ({
    x: s.box.left + s.x + (px + 0.5) * s.zoom,
    y: s.box.top + s.y + (py + 0.5) * s.zoom,
  });
  const a = at(x0, y);
  const b = at(x1, y);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 12 });
  await page.mouse.up();
}

/** Opens `target` with Ctrl+O and waits until the canvas shows its first image. */
async function openByKeyboard(page: Page, target: string): Promise<void> {
  // Requests wait in the client's queue until the socket opens, so the app only needs to be up.
  await expect
    .poll(() => page.getByTestId('open-button').isVisible(), { timeout: 60_000 })
    .toBe(true);
  await page.keyboard.press('Control+O');
  await expect.poll(() => page.getByTestId('open-dialog').isVisible()).toBe(true);
  await page.keyboard.type(target);
  await page.keyboard.press('Enter');
  await waitForImage(page, 'training/21_training');
}

describe('studio canvas on a generated dataset', () => {
  const W = 96;
  const H = 80;
  const studio = useStudio({
    prefix: 'vessel-canvas-e2e-',
    dataset: { width: W, height: H, perSplit: 2 },
  });

  it('opens, paints exactly the footprint, undoes, redoes, keeps undo across images, restores after reload', async () => {
    const { browser, client } = studio;
    const { page } = browser;
    await page.goto(studio.serve.url);
    await openByKeyboard(page, studio.root);
    const first = 'training/21_training';
    // A fresh project gets the bundled model: predicted in the background, then shown.
    await expect
      .poll(() => page.getByTestId('layer-prediction-note').textContent())
      .toMatch(/Bundled default .* in the background/);
    await expect
      .poll(() => page.getByText(`Model: ${BUNDLED_MODEL_NAME}`).count(), { timeout: 240_000 })
      .toBe(1);
    expect(await page.getByTestId('layer-prediction-note').count()).toBe(0);
    await saveScreenshot(page, 'canvas-1-opened');

    const original = await currentMask(client, first);
    const brush = Number(await page.getByTestId('brush-size').inputValue());
    expect(brush).toBe(5);
    await paintRow(page, 20, 60, 40);
    await waitSaved(page);
    const painted = await currentMask(client, first);
    const expected = strokePixels(brush, 20, 60, 40, W);
    const expectedChanges = new Set([...expected].filter((i) => original[i] === 0));
    expect(expectedChanges.size).toBeGreaterThan(100);
    expect(changedPixels(original, painted)).toEqual(expectedChanges);
    await saveScreenshot(page, 'canvas-2-painted');

    /** Presses `key`, waits until it is saved, and checks the first image's saved mask. */
    const pressAndCheck = async (key: string, mask: Uint8Array) => {
      await page.keyboard.press(key);
      await waitSaved(page);
      expect(await currentMask(client, first)).toEqual(mask);
    };
    await pressAndCheck('Control+Z', original);
    await saveScreenshot(page, 'canvas-3-undone');
    await pressAndCheck('Control+Shift+Z', painted);

    // Switch to the next image and back: the undo history of the first is still there.
    await page.keyboard.press('j');
    await waitForImage(page, 'training/22_training');
    await saveScreenshot(page, 'canvas-4-switched');
    await page.keyboard.press('k');
    await waitForImage(page, first);
    await pressAndCheck('Control+Z', original);
    await pressAndCheck('Control+Y', painted);

    // Reload: the engine session resumes and the mask comes back from the project file.
    await page.reload();
    await waitForImage(page, first);
    expect(await currentMask(client, first)).toEqual(painted);
    await expect
      .poll(() => page.locator(`[data-image-id="${first}"] .dot`).first().getAttribute('class'))
      .toContain('corrected');
    await saveScreenshot(page, 'canvas-5-reloaded');
    const revisions = await client.request('studio.revisions', { id: first });
    expect(revisions.revisions.length).toBeGreaterThanOrEqual(5);

    // Restore the previous revision (the undone state) from the history, then undo the restore.
    await page.keyboard.press('h');
    const history = page.getByTestId('history');
    await expect.poll(() => history.locator('li').count()).toBe(revisions.revisions.length);
    await history.getByRole('button', { name: 'Restore' }).first().click();
    await expect
      .poll(async () => (await client.request('studio.revisions', { id: first })).revisions.length)
      .toBe(revisions.revisions.length + 1);
    expect(await currentMask(client, first)).toEqual(original);
    await saveScreenshot(page, 'canvas-5b-restored');
    await pressAndCheck('Control+Z', painted);
    await page.keyboard.press('h');
    expect(browser.consoleErrors).toEqual([]);
  });

  it('finds the correction after the engine restarts (the project file, not memory)', async () => {
    await studio.restartServe();
    const { browser, client, env } = studio;
    const { page } = browser;
    await page.goto(studio.serve.url);
    // The old page's socket failed to reconnect while the engine was down; that is expected.
    browser.consoleErrors.length = 0;
    await openByKeyboard(page, studio.root);
    const mask = await currentMask(client, 'training/21_training');
    const session = await client.request('studio.session', {});
    expect(session?.projectCreated).toBe(false);
    expect(session?.projectFile.startsWith(env.VESSEL_PROJECTS_DIR!)).toBe(true);
    const row = strokePixels(5, 20, 60, 40, W);
    for (const i of row) expect(mask[i]).toBe(1);
  });

  it('reaches the main actions by keyboard alone', async () => {
    const { browser, client, dir } = studio;
    const { page } = browser;
    const checked = (key: string) =>
      page.getByTestId(`layer-${key}`).locator('input[type=checkbox]').isChecked();
    // A bad path gets a clear error in the dialog, and the open dataset stays as it was.
    const sessionBefore = await client.request('studio.session', {});
    await page.keyboard.press('Control+O');
    await page.keyboard.type(path.join(dir, 'no-such-folder'));
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('open-error').textContent())
      .toMatch(/^DATASET_\w+: .*no-such-folder/);
    await saveScreenshot(page, 'canvas-6a-open-error');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('open-dialog').count()).toBe(0);
    expect(await client.request('studio.session', {})).toEqual(sessionBefore);
    expect((await canvasState(page)).id).toBe('training/21_training');

    await page.keyboard.press('?');
    await expect.poll(() => page.getByTestId('shortcut-sheet').isVisible()).toBe(true);
    await saveScreenshot(page, 'canvas-6-shortcuts');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('shortcut-sheet').count()).toBe(0);

    const gt = await checked('groundTruth');
    await page.keyboard.press('2');
    await expect.poll(() => checked('groundTruth')).toBe(!gt);
    const errs = await checked('errors');
    await page.keyboard.press('5');
    await expect.poll(() => checked('errors')).toBe(!errs);
    await page.keyboard.press('c');
    await expect.poll(() => page.getByText('Masks: contours').count()).toBe(1);
    await saveScreenshot(page, 'canvas-7-contours');
    await page.keyboard.press('c');

    const tools = [
      ['e', 'eraser'],
      ['f', 'fill'],
      ['p', 'polygon'],
      ['b', 'brush'],
    ] as const;
    for (const [key, tool] of tools) {
      await page.keyboard.press(key);
      await expect
        .poll(() => page.getByTestId(`tool-${tool}`).getAttribute('aria-checked'))
        .toBe('true');
    }
    await page.keyboard.press(']');
    await expect.poll(() => page.getByTestId('brush-size').inputValue()).toBe('6');
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    await expect.poll(() => page.getByTestId('brush-size').inputValue()).toBe('4');

    await page.keyboard.press('Control+1');
    await expect.poll(async () => (await canvasState(page)).zoom).toBe(1);
    await page.keyboard.press('+');
    await expect.poll(async () => (await canvasState(page)).zoom).toBe(1.5);
    await page.keyboard.press('Control+0');
    await expect.poll(async () => (await canvasState(page)).zoom).toBeGreaterThan(2);

    // Wheel zooms to the cursor: the image point under it stays put. Space-drag pans, paints nothing.
    const before = await canvasState(page);
    // Whole CSS pixels: the browser reports pointer positions rounded.
    const cx = Math.round(before.box.left + before.x + 30.5 * before.zoom);
    const cy = Math.round(before.box.top + before.y + 20.5 * before.zoom);
    const anchor = {
      x: (cx - before.box.left - before.x) / before.zoom,
      y: (cy - before.box.top - before.y) / before.zoom,
    };
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, -200);
    await expect.poll(async () => (await canvasState(page)).zoom).toBeGreaterThan(before.zoom);
    const zoomed = await canvasState(page);
    expect((cx - zoomed.box.left - zoomed.x) / zoomed.zoom).toBeCloseTo(anchor.x, 3);
    expect((cy - zoomed.box.top - zoomed.y) / zoomed.zoom).toBeCloseTo(anchor.y, 3);
    const versionBefore = await page.getByTestId('canvas').getAttribute('data-mask-version');
    await page.keyboard.down('Space');
    await page.mouse.down();
    await page.mouse.move(cx + 40, cy + 25, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Space');
    const panned = await canvasState(page);
    expect(panned.x - zoomed.x).toBeCloseTo(40, 0);
    expect(panned.y - zoomed.y).toBeCloseTo(25, 0);
    expect(await page.getByTestId('canvas').getAttribute('data-mask-version')).toBe(versionBefore);
    await page.keyboard.press('Home');

    await page.keyboard.press('.');
    await expect.poll(() => page.getByTestId('threshold').inputValue()).toBe('0.55');

    await page.keyboard.press('h');
    await expect.poll(() => page.getByTestId('history').locator('li').count()).toBeGreaterThan(1);
    await saveScreenshot(page, 'canvas-8-history');

    // Revert to the ground truth by keyboard: the saved mask equals the 1st observer label.
    await page.keyboard.press('Shift+G');
    await waitSaved(page);
    const labelFile = path.join(studio.root, 'training', '1st_manual', '21_manual1.gif');
    expect(await currentMask(client, 'training/21_training')).toEqual(
      (await decodeMask(labelFile)).data,
    );

    // "Correct next" jumps to an uncorrected image; Page Down walks the list.
    await page.keyboard.press('n');
    await expect.poll(async () => (await canvasState(page)).id).not.toBe('training/21_training');
    await page.keyboard.press('PageDown');
    await expect.poll(async () => (await canvasState(page)).id).toMatch(/^test\//);
    await page.keyboard.press('o');
    await expect.poll(() => page.getByText('Ground truth: 2nd').count()).toBe(1);
    await saveScreenshot(page, 'canvas-9-keyboard');
    expect(browser.consoleErrors).toEqual([]);
  });
});

describe('studio canvas with a model in the project', () => {
  it('shows the prediction heatmap, the error map and per-image figures; reverts to the prediction', async () => {
    const studio = await startStudio({
      prefix: 'vessel-canvas-model-',
      dataset: { width: 96, height: 80, perSplit: 2 },
      prepare: async ({ root, env }) => {
        await addTinyModelWithPredictions(defaultProjectFile(root, env), root);
      },
    });
    try {
      const { browser, client } = studio;
      const { page } = browser;
      await page.goto(studio.serve.url);
      await openByKeyboard(page, studio.root);
      const first = 'training/21_training';
      expect(await page.getByTestId('layer-prediction-note').count()).toBe(0);
      await expect.poll(() => page.getByText('Model: tiny-green').count()).toBe(1);
      // Figures of the model in the list: F1 / AUC as numbers, not dashes.
      await expect
        .poll(() => page.locator(`[data-image-id="${first}"] .figures`).textContent())
        .toMatch(/^\d\.\d{3} \/ \d\.\d{3}$/);
      await page.keyboard.press('5');
      await saveScreenshot(page, 'canvas-model-1-prediction-errors');

      await page.keyboard.press('Shift+R');
      await waitSaved(page);
      const prediction = await client.request('studio.prediction', { id: first });
      expect(prediction.available).toBe(true);
      if (!prediction.available) return;
      const grey = await sharp(prediction.png).raw().toBuffer({ resolveWithObject: true });
      const expected = new Uint8Array(96 * 80);
      for (let i = 0; i < expected.length; i++) {
        expected[i] = grey.data[i * grey.info.channels]! >= 128 ? 1 : 0;
      }
      expect(await currentMask(client, first)).toEqual(expected);
      await page.getByTestId('image-order').selectOption('correctNext');
      await saveScreenshot(page, 'canvas-model-2-reverted');
      expect(browser.consoleErrors).toEqual([]);
    } finally {
      await studio.close();
    }
  });
});

describe('studio canvas on DRIVE', () => {
  const present = existsSync(path.join(DRIVE, 'test', 'images'));
  if (!present) console.log(`Skipping the DRIVE canvas test: no DRIVE folder at ${DRIVE}.`);

  it.skipIf(!present)(
    'opens the read-only DRIVE with its project elsewhere and paints exactly',
    async () => {
      const studio = await startStudio({ prefix: 'vessel-canvas-drive-' });
      try {
        const { browser, client, dir } = studio;
        const { page } = browser;
        await page.goto(studio.serve.url);
        await openByKeyboard(page, DRIVE);
        const first = 'training/21_training';
        const session = await client.request('studio.session', {});
        expect(session?.imageCount).toBe(40);
        expect(session?.projectFile.startsWith(dir)).toBe(true);
        await saveScreenshot(page, 'canvas-drive-1-opened');
        const original = await currentMask(client, first);
        await page.keyboard.press('Control+1');
        await expect.poll(async () => (await canvasState(page)).zoom).toBe(1);
        await paintRow(page, 250, 330, 290);
        await waitSaved(page);
        const painted = await currentMask(client, first);
        const expected = strokePixels(5, 250, 330, 290, 565);
        expect(changedPixels(original, painted)).toEqual(
          new Set([...expected].filter((i) => original[i] === 0)),
        );
        await page.keyboard.press('2');
        await page.keyboard.press('Control+0');
        await saveScreenshot(page, 'canvas-drive-2-painted');
        await page.keyboard.press('Control+Z');
        await waitSaved(page);
        expect(await currentMask(client, first)).toEqual(original);
        expect(browser.consoleErrors).toEqual([]);
      } finally {
        await studio.close();
      }
    },
  );
});
