/**
 * Two things that depend on the window rather than on one component, in Chromium against
 * browser mode: Space+drag pans whichever side-panel control has the focus (a slider or a
 * checkbox, not only the canvas) and never paints, and the evaluation pane fits a 1440x900
 * window with every metric column on screen.
 */
import type { Locator, Page } from 'playwright-core';
import type { MetricRow, EvaluationView } from '../src/shared/api/training';
import { describe, expect, it } from 'vitest';
import { addTinyModelWithPredictions } from '../src/main/compute/model/test-model';
import { openProject } from '../src/main/engine/project';
import { defaultProjectFile } from '../src/main/engine/studio/project-location';
import { toStoredEvaluation } from '../src/main/engine/training/stored-evaluation';
import { saveScreenshot } from './harness';
import { canvasState, openFolder, useStudio } from './studio-page';

const FIRST = 'training/21_training';

/** Every headline metric at `v`, as a metric row. */
function metricRow(v: number): MetricRow {
  return {
    auc: v + 0.12,
    ap: v + 0.08,
    precision: v + 0.03,
    recall: v - 0.04,
    specificity: v + 0.15,
    accuracy: v + 0.13,
    f1: v,
    iou: v - 0.14,
    mcc: v - 0.03,
  };
}

/**
 * An evaluation of `modelId` as the project stores one, with the studio's protocol. The figures
 * are made up with realistic widths (this test is about the layout); the tiny model cannot be
 * evaluated for real, since it has no Vessel Studio description (vessel.json).
 */
function evaluationOf(modelId: number, label: string, f1: number): EvaluationView {
  const images = ['test/01_test', 'test/02_test'];
  return {
    modelId,
    label,
    protocol: {
      split: 'test',
      observer: '1st',
      region: 'fov',
      pooling: 'pooled',
      threshold: { value: 0.5, chosenOn: 'fixed' },
      description:
        'test split, inside the FOV, pooled over 2 images, 1st manual, threshold 0.5, each map the mean over four flips',
    },
    pooled: metricRow(f1),
    perImageMean: metricRow(f1 - 0.0061),
    perImageStd: Object.fromEntries(
      Object.keys(metricRow(0)).map((name) => [name, 0.0234]),
    ) as unknown as MetricRow,
    perImage: images.map((imageId, i) => ({ imageId, metrics: metricRow(f1 + 0.01 * i) })),
    roc: { fpr: new Float32Array([0, 0.05, 0.2, 1]), tpr: new Float32Array([0, 0.7, 0.9, 1]) },
    pr: null,
    trainingThreshold: null,
    createdAt: new Date().toISOString(),
  };
}

/**
 * Adds a child of `parentId` with the same weights and cached predictions, as a fine-tune would
 * leave it, and an evaluation of both versions.
 */
async function addChildVersion(projectFile: string, parentId: number): Promise<number> {
  const project = await openProject(projectFile);
  try {
    const parent = await project.getModelVersion(parentId);
    const child = await project.addModelVersion({
      name: 'tiny-green, fine-tuned on the corrections',
      config: parent.config,
      files: await project.readModelFiles(parentId),
      backend: 'cpu',
      parentId,
    });
    for (const image of await project.listImages()) {
      const cached = await project.getPrediction(parentId, image.key);
      if (cached) await project.putPrediction(child.id, image.key, cached);
    }
    const evaluations: [number, string, number][] = [
      [parentId, parent.name, 0.7712],
      [child.id, child.name, 0.7839],
    ];
    for (const [id, name, f1] of evaluations) {
      await project.addEvaluation(
        toStoredEvaluation(evaluationOf(id, name, f1), `${name} on test`, id, null),
      );
    }
    return child.id;
  } finally {
    await project.close();
  }
}

/** Holds Space while dragging from the canvas centre by (dx, dy). */
async function spaceDrag(page: Page, dx: number, dy: number): Promise<void> {
  const box = (await page.getByTestId('canvas').boundingBox())!;
  const x = Math.round(box.x + box.width / 2);
  const y = Math.round(box.y + box.height / 2);
  await page.keyboard.down('Space');
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.up('Space');
}

/** Whether an element lies wholly inside the visible box of `pane`. */
async function insidePane(cell: Locator, pane: Locator): Promise<boolean> {
  const [c, p] = await Promise.all([cell.boundingBox(), pane.boundingBox()]);
  return c !== null && p !== null && c.x >= p.x && c.x + c.width <= p.x + p.width + 0.5;
}

describe('focus and layout of the studio', () => {
  let parentId: number;
  let childId: number;
  const studio = useStudio({
    prefix: 'vessel-focus-layout-',
    dataset: { width: 96, height: 80, perSplit: 2 },
    prepare: async ({ root, env }) => {
      const projectFile = defaultProjectFile(root, env);
      parentId = await addTinyModelWithPredictions(projectFile, root);
      childId = await addChildVersion(projectFile, parentId);
    },
  });

  /** Opens the dataset at 1440x900 once; each test may run alone. */
  let opened = false;
  async function openStudio(): Promise<Page> {
    const { page } = studio.browser;
    if (opened) return page;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(studio.serve.url);
    await openFolder(page, studio.root);
    await expect.poll(async () => (await canvasState(page)).id, { timeout: 60_000 }).toBe(FIRST);
    opened = true;
    return page;
  }

  it('pans on Space+drag with the threshold slider or a layer checkbox focused, and saves nothing', async () => {
    const { browser, client } = studio;
    const page = await openStudio();
    const revisions = async () =>
      (await client.request('studio.revisions', { id: FIRST })).revisions.length;
    const before = await revisions();
    const mask = await page.getByTestId('canvas').getAttribute('data-mask-version');
    const groundTruth = page.getByTestId('layer-groundTruth').locator('input[type=checkbox]');
    const shown = await groundTruth.isChecked();

    const focusTargets = [page.getByTestId('threshold'), groundTruth];
    for (const control of focusTargets) {
      await control.focus();
      const start = await canvasState(page);
      await spaceDrag(page, 40, 25);
      const moved = await canvasState(page);
      expect(moved.x - start.x).toBeCloseTo(40, 0);
      expect(moved.y - start.y).toBeCloseTo(25, 0);
    }
    await saveScreenshot(page, 'focus-1-panned');

    // A stroke would be saved at once; give it time to reach the project before looking.
    await page.waitForTimeout(1500);
    await expect.poll(() => page.getByTestId('save-state').textContent()).not.toBe('Saving…');
    expect(await page.getByTestId('canvas').getAttribute('data-mask-version')).toBe(mask);
    expect(await revisions()).toBe(before);
    // Space on the checkbox panned: it did not toggle the layer as well.
    expect(await groundTruth.isChecked()).toBe(shown);
    expect(browser.consoleErrors).toEqual([]);
  });

  it('fits the evaluation pane into a 1440x900 window, every metric column visible', async () => {
    const { browser, client } = studio;
    const page = await openStudio();
    // The newest version is the active one.
    expect((await client.request('models.list', {})).find((m) => m.active)?.id).toBe(childId);
    await page.getByTestId('tab-evaluation').click();
    const table = page.getByTestId('metrics-table');
    await expect
      .poll(() => table.textContent(), { timeout: 60_000 })
      .toMatch(/Second observer[^]*SA-UNet/);
    const deltas = page.getByTestId('deltas');
    await expect.poll(() => deltas.isVisible(), { timeout: 30_000 }).toBe(true);

    const pane = page.locator('.evaluation-pane');
    const fit = await pane.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(fit.scroll).toBeLessThanOrEqual(fit.client);
    const headers = table.locator('thead th');
    expect(await headers.count()).toBe(10);
    for (let i = 0; i < 10; i++) {
      const header = headers.nth(i);
      expect(await insidePane(header, pane), (await header.textContent()) ?? '').toBe(true);
    }
    for (const th of await deltas.locator('thead th').all()) {
      expect(await insidePane(th, pane), (await th.textContent()) ?? '').toBe(true);
    }
    // The old version by its name, not its number.
    expect(await deltas.locator('h3').textContent()).toMatch(/^Changes against tiny-green\b/);
    // The protocol is short in the table; its full text is one click away.
    const ours = table.locator('tbody tr.row-model').first();
    const protocol = ours.getByRole('button');
    expect(await protocol.textContent()).not.toMatch(/threshold/);
    await protocol.click();
    await expect
      .poll(() => table.getByTestId('protocol-detail').textContent())
      .toMatch(
        /test split, inside the FOV, pooled over 2 images, 1st manual, threshold 0.5, each map/,
      );
    await saveScreenshot(page, 'layout-1-evaluation-1440');
    expect(browser.consoleErrors).toEqual([]);
  });
});
