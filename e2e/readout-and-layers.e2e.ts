/**
 * The readout under the cursor, the colour bars, the uncertainty layer and the image list's
 * thumbnails, split filter and "most uncertain first" order, in Chromium against browser mode,
 * on a generated DRIVE-layout dataset with the tiny test model's predictions in its project.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { addTinyModelWithPredictions } from '../src/main/compute/model/test-model';
import { openProject } from '../src/main/engine/project';
import { defaultProjectFile } from '../src/main/engine/studio/project-location';
import { saveScreenshot } from './harness';
import { canvasState, useStudio, waitSaved } from './studio-page';

const W = 96;
const H = 80;
const FIRST = 'training/21_training';
/** Predicted 0.5 everywhere: the most uncertain image at threshold 0.5, last in dataset order. */
const UNDECIDED = 'test/02_test';

/** The screen point at the centre of image pixel (px, py). */
async function pixelOnScreen(page: Page, px: number, py: number) {
  const s = await canvasState(page);
  return { x: s.box.left + s.x + (px + 0.5) * s.zoom, y: s.box.top + s.y + (py + 0.5) * s.zoom };
}

/** The ids of the image list's rows, top to bottom. */
function listedIds(page: Page): Promise<string[]> {
  return page
    .getByTestId('image-list')
    .locator('[data-image-id]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-image-id') ?? ''));
}

/** RGB pixels of the middle half of the shown image, from a screenshot. */
async function imageMiddle(page: Page): Promise<Buffer> {
  const s = await canvasState(page);
  const clip = {
    x: s.box.left + s.x + (W * s.zoom) / 4,
    y: s.box.top + s.y + (H * s.zoom) / 4,
    width: (W * s.zoom) / 2,
    height: (H * s.zoom) / 2,
  };
  const png = await page.screenshot({ clip });
  return sharp(png).removeAlpha().raw().toBuffer();
}

describe('readout, colour bars, uncertainty layer and image list', () => {
  const studio = useStudio({
    prefix: 'vessel-readout-e2e-',
    dataset: { width: W, height: H, perSplit: 2 },
    prepare: async ({ root, env }) => {
      const projectFile = defaultProjectFile(root, env);
      const modelId = await addTinyModelWithPredictions(projectFile, root);
      const project = await openProject(projectFile);
      try {
        await project.putPrediction(modelId, UNDECIDED, {
          width: W,
          height: H,
          probabilities: new Float32Array(W * H).fill(0.5),
        });
      } finally {
        await project.close();
      }
    },
  });

  it('reads out the pixel under the cursor, shows the colour bars and the uncertainty layer', async () => {
    const { browser, client } = studio;
    const { page } = browser;
    await page.setViewportSize({ width: 1280, height: 800 });
    // Opened through the contract; the page takes up the engine's open session.
    await client.request('studio.open', { datasetPath: studio.root });
    await page.goto(studio.serve.url);
    await expect.poll(async () => (await canvasState(page)).id, { timeout: 60_000 }).toBe(FIRST);
    await expect.poll(() => page.getByText('Model: tiny-green').count()).toBe(1);

    // The readout: coordinates, and the probability the engine serves for that pixel.
    const prediction = await client.request('studio.prediction', { id: FIRST });
    if (!prediction.available) throw new Error(prediction.reason);
    const grey = await sharp(prediction.png).raw().toBuffer({ resolveWithObject: true });
    const [px, py] = [40, 30];
    const expectedP = (grey.data[(py * W + px) * grey.info.channels]! / 255).toFixed(3);
    const at = await pixelOnScreen(page, px, py);
    await page.mouse.move(at.x, at.y);
    await expect.poll(() => page.getByTestId('readout-x').textContent()).toBe(`x ${px}`);
    expect(await page.getByTestId('readout-y').textContent()).toBe(`y ${py}`);
    expect(await page.getByTestId('readout-p').textContent()).toBe(`p ${expectedP}`);
    expect(await page.getByTestId('readout-rgb').textContent()).toMatch(/^RGB \d+ \d+ \d+$/);
    expect(await page.getByTestId('readout-gt').textContent()).toMatch(/^GT [01]$/);
    await saveScreenshot(page, 'readout-1-cursor');
    // Off the image (the canvas's top-left corner, outside the fitted image): empty.
    const s = await canvasState(page);
    await page.mouse.move(s.box.left + 2, s.box.top + 2);
    await expect.poll(() => page.getByTestId('readout-x').count()).toBe(0);

    // The probability colour bar shows with the prediction layer, with the threshold.
    const bar = page.getByTestId('colour-bar-probability');
    await expect.poll(() => bar.count()).toBe(1);
    expect(await page.getByTestId('colour-bar-probability-threshold').textContent()).toBe(
      't = 0.50',
    );
    await page.keyboard.press('3');
    await expect.poll(() => bar.count()).toBe(0);
    await page.keyboard.press('3');
    await expect.poll(() => bar.count()).toBe(1);

    // The uncertainty layer draws pixels over the image, with its own colour bar: on the image
    // predicted 0.5 everywhere, every FOV pixel sits at the threshold.
    await page.getByTestId('image-list').locator(`[data-image-id="${UNDECIDED}"]`).click();
    await expect.poll(async () => (await canvasState(page)).id).toBe(UNDECIDED);
    const before = await imageMiddle(page);
    await page.getByTestId('layer-uncertainty').getByRole('checkbox').check();
    await expect.poll(() => page.getByTestId('colour-bar-uncertainty').count()).toBe(1);
    await expect
      .poll(async () => {
        const after = await imageMiddle(page);
        let changed = 0;
        for (let i = 0; i < after.length; i += 3) {
          const d =
            Math.abs(after[i]! - before[i]!) +
            Math.abs(after[i + 1]! - before[i + 1]!) +
            Math.abs(after[i + 2]! - before[i + 2]!);
          if (d > 24) changed++;
        }
        return changed;
      })
      .toBeGreaterThan(before.length / 3 / 2);
    await saveScreenshot(page, 'readout-2-uncertainty');
    await page.keyboard.press('6');
    await expect.poll(() => page.getByTestId('colour-bar-uncertainty').count()).toBe(0);
    expect(browser.consoleErrors).toEqual([]);
  });

  it('shows thumbnails, filters by split and orders the most uncertain first', async () => {
    const { browser, client } = studio;
    const { page } = browser;
    const all = await listedIds(page);
    expect(all).toHaveLength(4);
    // Thumbnails: decoded JPEGs the engine made, one per row in view.
    await expect
      .poll(() =>
        page
          .getByTestId('thumbnail')
          .evaluateAll(
            (imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length,
          ),
      )
      .toBe(4);

    await page.getByTestId('image-split').selectOption('test');
    await expect.poll(() => listedIds(page)).toEqual(all.filter((id) => id.startsWith('test/')));
    expect(await page.getByTestId('image-count').textContent()).toBe('2 of 4 images');
    await page.getByTestId('image-split').selectOption('all');
    await expect.poll(() => listedIds(page)).toEqual(all);
    expect(all.at(-1)).toBe(UNDECIDED);

    // Most uncertain first: the image predicted 0.5 everywhere moves to the top, and the rest
    // follow the engine's scores.
    await page.getByTestId('image-order').selectOption('uncertain');
    const listed = await client.request('studio.listImages', { threshold: 0.5 });
    const expected = [...listed.images]
      .sort((a, b) => (b.uncertaintyScore ?? -1) - (a.uncertaintyScore ?? -1))
      .map((i) => i.id);
    expect(expected[0]).toBe(UNDECIDED);
    await expect.poll(() => listedIds(page)).toEqual(expected);
    expect(await listedIds(page)).not.toEqual(all);
    await saveScreenshot(page, 'readout-3-uncertain-first');
    expect(browser.consoleErrors).toEqual([]);
  });

  it('names a revision in the history by what it did', async () => {
    const { browser, client } = studio;
    const { page } = browser;
    await page.getByTestId('image-order').selectOption('dataset');
    await page.getByTestId('image-list').locator(`[data-image-id="${FIRST}"]`).click();
    await expect.poll(async () => (await canvasState(page)).id).toBe(FIRST);
    // Paint along a row of the background at the image's top edge.
    const a = await pixelOnScreen(page, 10, 2);
    const b = await pixelOnScreen(page, 30, 2);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 8 });
    await page.mouse.up();
    await waitSaved(page);
    await page.keyboard.press('h');
    await expect
      .poll(() => page.getByTestId('revision-title').first().textContent())
      .toMatch(/^Painted vessel, \d+ px$/);
    const [latest] = (await client.request('studio.revisions', { id: FIRST })).revisions;
    expect(latest?.title).toBe(await page.getByTestId('revision-title').first().textContent());
    await saveScreenshot(page, 'readout-4-history');
    expect(browser.consoleErrors).toEqual([]);
  });
});
