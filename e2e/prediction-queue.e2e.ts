/**
 * The prediction queue, end to end in Chromium against browser mode on a generated dataset of
 * eight images with the bundled model: the image the person selects right after opening, far
 * down the list, is predicted before the others are all done and shown at once; the status bar
 * counts the images with Pause and Resume, and a paused queue predicts nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { PredictionQueueState } from '../src/shared/api/studio';
import { decodeWire } from '../src/shared/api/wire';
import { BUNDLED_MODEL_NAME } from '../src/main/engine/studio/bundled-model';
import { saveScreenshot, type ServeProcess } from './harness';
import { openFolder, useStudio } from './studio-page';

/** The queue's events as browser mode broadcasts them, in order. */
interface QueueEvents {
  ready: string[];
  states: PredictionQueueState[];
  /** The queue's `done` count when each image's prediction was announced. */
  doneWhenReady: Map<string, number>;
  close(): void;
}

async function listenToQueue(serve: ServeProcess): Promise<QueueEvents> {
  const ws = new WebSocket(`${serve.origin.replace('http', 'ws')}/ws?token=${serve.token}`);
  ws.binaryType = 'arraybuffer';
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const events: QueueEvents = {
    ready: [],
    states: [],
    doneWhenReady: new Map(),
    close: () => ws.close(),
  };
  ws.on('message', (data: ArrayBuffer) => {
    const message = decodeWire(new Uint8Array(data));
    if (message.type !== 'event') return;
    if (message.name === 'studio.predictionProgress') {
      events.states.push(message.payload as PredictionQueueState);
    } else if (message.name === 'studio.predictionReady') {
      const { id } = message.payload as { id: string };
      events.ready.push(id);
      events.doneWhenReady.set(id, events.states.at(-1)?.done ?? 0);
    }
  });
  return events;
}

describe('the prediction queue in the studio', () => {
  // Big enough that each image takes the bundled LadderNet a moment, small enough to finish.
  const studio = useStudio({
    prefix: 'vessel-queue-e2e-',
    dataset: { name: 'DRIVE-8', width: 120, height: 96, perSplit: 4 },
  });
  let queue: QueueEvents;

  beforeAll(async () => {
    queue = await listenToQueue(studio.serve);
  });

  afterAll(() => {
    queue?.close();
  });

  it('predicts the selected image first, shows it at once, counts in the status bar, and pauses', async () => {
    const { browser, client, ids } = studio;
    const { page } = browser;
    const indicator = page.getByTestId('prediction-queue');
    await page.goto(studio.serve.url);
    await openFolder(page, studio.root);

    // Right after opening, the person picks the last image of the list.
    const rows = page.getByTestId('image-list').getByRole('option');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(8);
    const last = rows.last();
    const target = (await last.getAttribute('data-image-id')) as string;
    expect(ids).toContain(target);
    await last.click();
    await expect
      .poll(() => page.getByTestId('canvas').getAttribute('data-image-id'), { timeout: 60_000 })
      .toBe(target);
    await expect
      .poll(() => indicator.textContent(), { timeout: 60_000 })
      .toMatch(/^Predicting \d of 8/);

    // Its prediction is shown as soon as it exists, long before the last of the eight.
    await expect
      .poll(() => page.getByText(`Model: ${BUNDLED_MODEL_NAME}`).count(), { timeout: 240_000 })
      .toBe(1);
    expect(queue.ready.indexOf(target)).toBeGreaterThanOrEqual(0);
    expect(queue.ready.indexOf(target)).toBeLessThanOrEqual(1);
    expect(queue.doneWhenReady.get(target)).toBeLessThan(8);
    expect(await page.getByTestId('layer-prediction-note').count()).toBe(0);
    await saveScreenshot(page, 'prediction-queue-1-selected-first');

    // Pause: the image in flight finishes, then nothing more is predicted until Resume.
    await page.getByTestId('prediction-queue-toggle').click();
    await expect
      .poll(() => indicator.textContent(), { timeout: 120_000 })
      .toMatch(/^Predictions paused: \d of 8 done$/);
    const paused = await client.request('studio.predictionQueue', {});
    expect(paused).toMatchObject({ phase: 'predicting', paused: true, currentId: null });
    const doneAtPause = paused!.done;
    expect(doneAtPause).toBeLessThan(8);
    expect(await indicator.getAttribute('data-done')).toBe(String(doneAtPause));
    const readyAtPause = queue.ready.length;
    // Longer than an image takes here: a queue that kept going would have stored one.
    await page.waitForTimeout(5000);
    expect(queue.ready.length).toBe(readyAtPause);
    expect(await client.request('studio.predictionQueue', {})).toMatchObject({
      done: doneAtPause,
      paused: true,
    });
    await saveScreenshot(page, 'prediction-queue-2-paused');

    // Resume: the rest are predicted, then the version is evaluated, and the indicator goes.
    await expect
      .poll(() => page.getByTestId('prediction-queue-toggle').textContent())
      .toBe('Resume');
    await page.getByTestId('prediction-queue-toggle').click();
    await expect.poll(() => indicator.count(), { timeout: 240_000 }).toBe(0);
    expect([...queue.ready].sort()).toEqual([...ids].sort());
    const phases = queue.states.map((s) => s.phase);
    expect(phases.indexOf('evaluating')).toBeGreaterThan(phases.lastIndexOf('predicting'));
    expect(phases.at(-1)).toBe('done');
    const models = await client.request('models.list', {});
    expect(models[0]?.test?.auc).toBeGreaterThan(0);
    expect(browser.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
