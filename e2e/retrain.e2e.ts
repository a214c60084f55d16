/**
 * One-click retrain and evaluate, end to end in Chromium against browser mode on a small
 * generated dataset: train a tiny model, watch progress arrive, cancel a run, complete a
 * fine-tune, find the versions with their evaluation, the ROC chart with one curve per chosen
 * version and the deltas against the parent; reload and find it all again.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, saveScreenshot } from './harness';
import { followRun, openFolder, runStatus, tinySettings, useStudio } from './studio-page';

describe('retrain and evaluate in the studio', () => {
  const studio = useStudio({
    prefix: 'vessel-retrain-e2e-',
    dataset: { width: 40, height: 32, perSplit: 3 },
  });

  it('trains, cancels, fine-tunes, evaluates, compares, and keeps it all across a reload', async () => {
    const { browser, client, dir } = studio;
    const { page } = browser;
    await page.goto(studio.serve.url);
    await openFolder(page, studio.root);
    await expect
      .poll(() => page.getByTestId('retrain').isVisible(), { timeout: 30_000 })
      .toBe(true);
    await expect
      .poll(() => page.getByTestId('split').textContent())
      .toMatch(/2 training, 1 validation .*3 test images/);

    // 1. A first model from scratch: progress arrives, then a finished run with a version.
    await page.getByRole('button', { name: 'Settings' }).click();
    await tinySettings(page, 2, false);
    await page.getByTestId('retrain').click();
    const progressSeen = await followRun(page, 'finished', { timeout: 240_000, interval: 100 });
    expect(progressSeen.some((t) => /epoch \d+\/2, batch \d+\/2, loss \d/.test(t))).toBe(true);
    // The bundled model (the project's first version) and the one just trained.
    await expect.poll(() => page.getByTestId('model-version').count()).toBe(2);
    await expect
      .poll(() => page.getByTestId('model-versions').textContent())
      .toMatch(/Bundled default \(LadderNet, DRIVE\).*trained outside this project/);
    await expect
      .poll(() => page.getByTestId('model-figures').first().textContent())
      .toMatch(/test AUC \d\.\d{4}/);
    await saveScreenshot(page, 'retrain-1-first-version');

    // 2. A long run, cancelled as soon as it reports progress.
    await tinySettings(page, 200, true);
    await page.getByTestId('retrain').click();
    await expect
      .poll(() => page.getByTestId('training-progress').isVisible(), {
        timeout: 120_000,
        interval: 100,
      })
      .toBe(true);
    await page.getByTestId('cancel-training').click();
    await expect.poll(() => runStatus(page), { timeout: 240_000 }).toBe('cancelled');
    await saveScreenshot(page, 'retrain-2-cancelled');
    const afterCancel = (await client.request('models.list', {})).length;

    // 3. A fine-tune that completes: a child of the active version, evaluated and compared.
    await tinySettings(page, 1, true);
    await page.getByTestId('retrain').click();
    await expect.poll(() => runStatus(page), { timeout: 240_000, interval: 200 }).toBe('finished');
    const models = await client.request('models.list', {});
    expect(models).toHaveLength(afterCancel + 1);
    const newest = models.at(-1)!;
    // Made active only if no worse on validation; otherwise the note offers one click to use it.
    const decision = page.getByTestId('run-decision');
    await expect.poll(() => decision.count()).toBe(1);
    if ((await decision.getAttribute('data-activated')) !== 'true') {
      expect(newest.active).toBe(false);
      await page.getByTestId('activate-run-model').click();
      await expect.poll(() => decision.getAttribute('data-activated')).toBe('true');
    }
    expect((await client.request('models.list', {})).at(-1)!.active).toBe(true);
    expect(newest.parentId).not.toBeNull();
    expect(newest.test?.auc).not.toBeNull();
    await expect.poll(() => page.getByTestId('model-version').count()).toBe(models.length);

    // 4. The evaluation: ROC of the active version and its parent, the observer, the deltas.
    await page.getByTestId('tab-evaluation').click();
    const roc = page.getByTestId('roc-chart');
    await expect.poll(() => roc.getAttribute('data-series'), { timeout: 30_000 }).toBe('2');
    expect(await roc.locator('.recharts-line').count()).toBe(3); // two versions and the chance diagonal
    await expect
      .poll(() => page.getByTestId('metrics-table').textContent())
      .toMatch(/Second observer/);
    await expect.poll(() => page.getByTestId('metrics-table').textContent()).toMatch(/LadderNet/);
    await expect
      .poll(() => page.getByTestId('deltas').textContent(), { timeout: 30_000 })
      .toContain(`Changes against ${models.find((m) => m.id === newest.parentId)!.name} (`);
    expect(await page.getByTestId('deltas').locator('tbody tr').count()).toBeGreaterThan(3);
    await saveScreenshot(page, 'retrain-3-evaluation');

    // Exports: the table as CSV, the ROC chart as SVG and PNG, each readable on its own.
    const download = async (click: () => Promise<void>) => {
      const [file] = await Promise.all([page.waitForEvent('download'), click()]);
      const target = path.join(dir, file.suggestedFilename());
      await file.saveAs(target);
      return { name: file.suggestedFilename(), bytes: await readFile(target) };
    };
    const csv = await download(() => page.getByRole('button', { name: 'Export CSV' }).click());
    expect(csv.name).toBe('vessel-metrics.csv');
    expect(csv.bytes.toString('utf8')).toMatch(/^kind,label,protocol,comparable,auc,f1,/);
    expect(csv.bytes.toString('utf8')).toMatch(/\r\nobserver,Second observer/);
    const svg = await download(() => roc.getByRole('button', { name: 'SVG' }).click());
    expect(svg.name).toBe('vessel-roc.svg');
    expect(svg.bytes.toString('utf8')).toMatch(
      /^<\?xml[^]*<svg[^]*False positive rate[^]*Second observer/,
    );
    const png = await download(() => roc.getByRole('button', { name: 'PNG' }).click());
    expect(png.name).toBe('vessel-roc.png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(png.bytes.length).toBeGreaterThan(5000);

    // 5. Reload: the same versions, curves and deltas come back from the project file.
    await page.reload();
    await expect
      .poll(() => page.getByTestId('model-version').count(), { timeout: 60_000 })
      .toBe(models.length);
    await page.getByTestId('tab-evaluation').click();
    await expect
      .poll(() => page.getByTestId('roc-chart').getAttribute('data-series'), { timeout: 30_000 })
      .toBe('2');
    await expect.poll(() => page.getByTestId('deltas').isVisible(), { timeout: 30_000 }).toBe(true);
    await expect
      .poll(() => page.getByTestId('connection-state').textContent())
      .toBe('Engine connected');
    await saveScreenshot(page, 'retrain-4-reloaded');
    expect(browser.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});

const DRIVE = path.resolve(repoRoot, '../shared/datasets/DRIVE');

describe('retrain and evaluate on DRIVE', () => {
  const present = existsSync(path.join(DRIVE, 'test', 'images'));
  if (!present) console.log(`Skipping the DRIVE retrain test: no DRIVE folder at ${DRIVE}.`);
  const studio = useStudio({ prefix: 'vessel-retrain-drive-', enabled: present });

  it.skipIf(!present)(
    'trains a tiny model on the 20 training images, evaluates it on the 20 test images with the second observer',
    async () => {
      const { browser, client } = studio;
      const { page } = browser;
      await page.goto(studio.serve.url);
      await openFolder(page, DRIVE);
      await expect
        .poll(() => page.getByTestId('split').textContent(), { timeout: 60_000 })
        .toMatch(/18 training, 2 validation .*20 test images/);
      await page.getByRole('button', { name: 'Settings' }).click();
      await tinySettings(page, 1, false);
      await page.getByLabel('Patch px').fill('48');
      await page.getByTestId('retrain').click();
      await expect
        .poll(() => runStatus(page), { timeout: 900_000, interval: 500 })
        .toBe('finished');
      // The bundled model came first; the run's version is the newest.
      const model = (await client.request('models.list', {})).at(-1);
      expect(model?.trainedOn.images).toBe(20);
      const { evaluations, secondObserver } = await client.request('evaluation.get', {
        modelIds: [model!.id],
      });
      expect(evaluations[0]?.perImage).toHaveLength(20);
      expect(evaluations[0]?.protocol.description).toMatch(
        /inside the FOV, pooled over 20 images, 1st manual, threshold 0.5/,
      );
      // The second observer under the same protocol, as published (REFERENCES.md).
      expect(secondObserver?.pooled.recall).toBeCloseTo(0.7746, 4);
      expect(secondObserver?.pooled.specificity).toBeCloseTo(0.9725, 4);
      await page.getByTestId('tab-evaluation').click();
      await expect
        .poll(() => page.getByTestId('roc-chart').getAttribute('data-series'), { timeout: 60_000 })
        .toBe('1');
      await saveScreenshot(page, 'retrain-drive-evaluation');
    },
    1_200_000,
  );
});
