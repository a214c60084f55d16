/**
 * Canvas benchmark in Chromium (playwright-core) against browser mode: milliseconds per
 * pointer move while painting on a 565x584 and a 3504x2336 image, image switch time, and the
 * JS heap after switching through every image of DRIVE twice. Real mouse input through CDP;
 * the page is timed by listeners around React's handler and requestAnimationFrame callbacks
 * around Konva's redraw, so a figure is the work a pointer move costs on the main thread.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, repoRoot, startServe } from '../../e2e/harness';
import { writeTestDataset } from '../../src/main/engine/studio/test-dataset';
import type { Benchmark, BenchContext } from '../index';

const DRIVE = path.resolve(repoRoot, '../shared/datasets/DRIVE');

interface Distribution {
  median: number;
  p95: number;
  max: number;
  mean: number;
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    median: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted[sorted.length - 1]!),
    mean: round(values.reduce((a, b) => a + b, 0) / values.length),
  };
}

async function canvasId(page: Page): Promise<string | null> {
  return page.getByTestId('canvas').getAttribute('data-image-id');
}

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 120_000,
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`canvas bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function open(page: Page, target: string): Promise<void> {
  await waitFor(() => page.getByTestId('open-button').isVisible(), 'the studio to load');
  const before = await canvasId(page);
  await page.keyboard.press('Control+O');
  await waitFor(() => page.getByTestId('open-dialog').isVisible(), 'the open dialog');
  await page.getByTestId('open-path').fill(target);
  await page.keyboard.press('Enter');
  await waitFor(async () => {
    const id = await canvasId(page);
    return id !== null && id !== '' && id !== before;
  }, `the first image of ${target}`);
}

/** Installs the timers: capture at window (before React), bubble at window (after), two rAFs. */
async function installMoveProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __moveTimes: { handler: number; draw: number }[] };
    w.__moveTimes = [];
    let start = 0;
    let frameStart = 0;
    window.addEventListener(
      'pointermove',
      () => {
        start = performance.now();
        // Registered before Konva's batchDraw frame callback: runs first in the next frame.
        requestAnimationFrame(() => (frameStart = performance.now()));
      },
      { capture: true },
    );
    window.addEventListener('pointermove', () => {
      const handler = performance.now() - start;
      // Registered after Konva's: runs right after the layer redraw in the same frame.
      requestAnimationFrame(() =>
        w.__moveTimes.push({ handler, draw: performance.now() - frameStart }),
      );
    });
  });
}

/** Paints one stroke of `moves` pointer moves (one per frame) across the middle of the image. */
async function measureStroke(
  page: Page,
  moves: number,
  view: 'fit' | 'actual' = 'fit',
): Promise<Record<string, unknown>> {
  await page.keyboard.press(view === 'fit' ? 'Control+0' : 'Control+1');
  const s = await page.getByTestId('canvas').evaluate((el) => ({
    zoom: Number(el.getAttribute('data-zoom')),
    x: Number(el.getAttribute('data-view-x')),
    y: Number(el.getAttribute('data-view-y')),
    box: el.getBoundingClientRect().toJSON() as { left: number; top: number },
  }));
  const size = await page.getByTestId('image-info').textContent();
  const [w, h] = /(\d+)×(\d+)/
    .exec(size ?? '')!
    .slice(1)
    .map(Number) as [number, number];
  const screen = (ix: number, iy: number) => ({
    x: s.box.left + s.x + ix * s.zoom,
    y: s.box.top + s.y + iy * s.zoom,
  });
  await page.evaluate(() => {
    (window as unknown as { __moveTimes: unknown[] }).__moveTimes = [];
  });
  // At 1:1 a large image shows only its middle: keep the stroke inside the viewport.
  const span = view === 'fit' ? { x: 0.6 * w, y: 0.1 * h } : { x: 400, y: 30 };
  const start = screen(w / 2 - span.x / 2, h / 2);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (let k = 1; k <= moves; k++) {
    // A zig-zag so every move paints new pixels.
    const p = screen(w / 2 - span.x / 2 + (span.x * k) / moves, h / 2 + span.y * Math.sin(k / 3));
    await page.mouse.move(p.x, p.y);
    await page.evaluate(
      () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
    );
  }
  await page.mouse.up();
  const times = await page.evaluate(
    () => (window as unknown as { __moveTimes: { handler: number; draw: number }[] }).__moveTimes,
  );
  const total = times.map((t) => t.handler + t.draw);
  return {
    image: `${w}x${h}`,
    zoom: Math.round(s.zoom * 1000) / 1000,
    brushPx: Number(await page.getByTestId('brush-size').inputValue()),
    moves: times.length,
    msPerMove: distribution(total),
    handlerMs: distribution(times.map((t) => t.handler)),
    redrawMs: distribution(times.map((t) => t.draw)),
  };
}

/** Clicks through every image in the list `passes` times; switch time until the frame after. */
async function measureSwitches(
  page: Page,
  passes: number,
  limit: number,
  heap: () => Promise<Record<string, number | null>>,
): Promise<Record<string, unknown>> {
  const ids = (
    await page
      .getByTestId('image-list')
      .locator('button[data-image-id]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-image-id')!))
  ).slice(0, limit);
  const heapMb: Record<string, number | null>[] = [await heap()];
  const times: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    for (const id of ids) {
      const ms = await page.evaluate(async (target) => {
        const canvas = document.querySelector('[data-testid="canvas"]')!;
        const button = document.querySelector<HTMLButtonElement>(
          `button[data-image-id="${target}"]`,
        )!;
        if (canvas.getAttribute('data-image-id') === target) return null;
        const t0 = performance.now();
        const shown = new Promise<void>((resolve) => {
          const observer = new MutationObserver(() => {
            if (canvas.getAttribute('data-image-id') === target) {
              observer.disconnect();
              resolve();
            }
          });
          observer.observe(canvas, { attributes: true, attributeFilter: ['data-image-id'] });
        });
        button.click();
        await shown;
        // The frame that draws it.
        await new Promise<void>((r) => requestAnimationFrame(() => r()));
        return performance.now() - t0;
      }, id);
      if (ms !== null) times.push(ms);
    }
    heapMb.push(await heap());
  }
  const phases = await page.evaluate(() => {
    const out: Record<string, number[]> = {};
    for (const m of performance.getEntriesByType('measure')) {
      if (m.name.startsWith('studio:')) (out[m.name.slice(7)] ??= []).push(m.duration);
    }
    return out;
  });
  return {
    images: ids.length,
    passes,
    switchMs: distribution(times),
    // Where a switch goes: requests to the engine, PNG decoding, building the layers.
    phasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, distribution(v)])),
    memory: { beforeFirstPass: heapMb[0], afterEachPass: heapMb.slice(1) },
  };
}

export const canvasBenchmark: Benchmark = {
  name: 'canvas',
  summary:
    'Studio canvas in Chromium: ms per pointer move painting (565x584, 3504x2336), image switch time, JS heap over DRIVE twice.',
  async run(ctx: BenchContext) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-canvas-bench-'));
    const driveAvailable = existsSync(path.join(DRIVE, 'test', 'images'));
    const moves = ctx.quick ? 20 : 120;
    const serve = await startServe([], { VESSEL_PROJECTS_DIR: path.join(dir, 'projects') });
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      const cdp = await page.context().newCDPSession(page);
      const mb = (bytes: number | undefined) =>
        bytes === undefined ? null : Math.round((bytes / 2 ** 20) * 10) / 10;
      const heap = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        // usedSize is the V8 heap; typed arrays (masks, ImageData) live in backing stores.
        const usage = (await cdp.send('Runtime.getHeapUsage')) as {
          usedSize: number;
          backingStorageSize?: number;
        };
        return { jsHeapMb: mb(usage.usedSize), backingStoresMb: mb(usage.backingStorageSize) };
      };
      await page.goto(serve.url);

      let small: string;
      if (driveAvailable) {
        small = DRIVE;
      } else {
        ctx.log(`canvas: no DRIVE at ${DRIVE}; using a generated 565x584 set of 40 images`);
        small = path.join(dir, 'drive-like');
        await writeTestDataset(small, { width: 565, height: 584, perSplit: 20 });
      }
      ctx.log('canvas: opening the 565x584 set');
      await open(page, small);
      // A fresh project gets the bundled model and predicts every image in the background:
      // measure once that is done, so the timings are the studio's, not the compute process's.
      ctx.log('canvas: waiting for the bundled model to predict every image');
      await waitFor(
        async () =>
          (await page.getByText(/^Model: /).count()) > 0 &&
          (await page.getByTestId('layer-prediction-note').count()) === 0,
        'the background predictions of the bundled model',
        900_000,
      );
      await installMoveProbe(page);
      ctx.log('canvas: painting on 565x584');
      const paintSmall = await measureStroke(page, moves);
      ctx.log('canvas: switching images');
      const switching = await measureSwitches(page, ctx.quick ? 1 : 2, ctx.quick ? 5 : 1000, heap);

      ctx.log('canvas: writing and opening a 3504x2336 image');
      const large = path.join(dir, 'large');
      await writeTestDataset(large, { width: 3504, height: 2336, perSplit: 1, splits: ['test'] });
      await open(page, large);
      ctx.log('canvas: painting on 3504x2336');
      const paintLarge = await measureStroke(page, moves);
      const paintLargeActual = await measureStroke(page, moves, 'actual');
      return {
        canvas: {
          dataset: driveAvailable ? 'DRIVE' : 'generated 565x584 (DRIVE absent)',
          chromium: browser.context.browser()?.version() ?? 'unknown',
          flags: 'headless, --disable-gpu (software rendering)',
          note: 'Main-thread JS time; rasterisation runs on Chromium compositor threads and is not in redrawMs.',
          loadAverageAtEnd: os.loadavg().map((v) => Math.round(v * 10) / 10),
          paint565x584: paintSmall,
          paint3504x2336: paintLarge,
          paint3504x2336At1to1: paintLargeActual,
          switching,
        },
      };
    } finally {
      await browser.close();
      await serve.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
