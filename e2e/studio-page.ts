/**
 * Page helpers for the studio's end-to-end tests, the same in Chromium (browser mode) and in
 * Electron: where the canvas is and what it shows, the save state, the retrain settings, and
 * the pixels a brush stroke must change. For browser mode, the studio a test runs against (a
 * temporary folder, a generated dataset, `serve`, Chromium and a contract client) and opening a
 * folder through the open dialog.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { bresenham, discFootprint, footprintPixels } from '../src/renderer/src/canvas/raster';
import { writeTestDataset, type TestDatasetOptions } from '../src/main/engine/studio/test-dataset';
import { connectContract, type ContractClient } from './contract-client';
import { launchBrowser, startServe, type BrowserSession, type ServeProcess } from './harness';

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

/**
 * Waits until the training run shown has `status`, keeping every progress line seen on the way
 * (polled every `interval` ms); returns those lines.
 */
export async function followRun(
  page: Page,
  status: string,
  { timeout, interval }: { timeout: number; interval: number },
): Promise<string[]> {
  const seen: string[] = [];
  await expect
    .poll(
      async () => {
        const text = await page
          .getByTestId('training-progress')
          .textContent()
          .catch(() => null);
        if (text) seen.push(text);
        return runStatus(page);
      },
      { timeout, interval },
    )
    .toBe(status);
  return seen;
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

export interface StudioOptions {
  /** Start of the temporary folder's name (under the system's temporary folder). */
  prefix: string;
  /** A generated DRIVE-layout dataset written at `<dir>/<name>` ('DRIVE-mini' unless named). */
  dataset?: TestDatasetOptions & { name?: string };
  /** The environment `serve` runs with; by default its projects go to `<dir>/projects`. */
  env?: (dir: string) => NodeJS.ProcessEnv;
  /** Runs after the dataset is written and before `serve` starts (a project to set up, say). */
  prepare?: (studio: { dir: string; root: string; env: NodeJS.ProcessEnv }) => Promise<void>;
}

/** Browser mode with Chromium on it and a contract client, over a temporary folder. */
export interface Studio {
  /** The temporary folder (its real path); `close` removes it. */
  dir: string;
  /** The generated dataset's folder ('' without one). */
  root: string;
  /** The generated dataset's image ids (`test/01_test`, ...), empty without one. */
  ids: string[];
  env: NodeJS.ProcessEnv;
  serve: ServeProcess;
  browser: BrowserSession;
  client: ContractClient;
  /** Stops `serve` and starts it again with the same environment, with a new client. */
  restartServe(): Promise<void>;
  /** Closes the client, Chromium and `serve`, and removes the temporary folder. */
  close(): Promise<void>;
}

/** Starts a studio as `options` say; whatever started is stopped again if a later step fails. */
export async function startStudio(options: StudioOptions): Promise<Studio> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), options.prefix)));
  const env = options.env?.(dir) ?? { VESSEL_PROJECTS_DIR: path.join(dir, 'projects') };
  const parts: Partial<Pick<Studio, 'serve' | 'browser' | 'client'>> = {};
  const close = async () => {
    parts.client?.close();
    await parts.browser?.close();
    await parts.serve?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { name = 'DRIVE-mini', ...datasetOptions } = options.dataset ?? {};
    const root = options.dataset ? path.join(dir, name) : '';
    const ids = options.dataset ? await writeTestDataset(root, datasetOptions) : [];
    await options.prepare?.({ dir, root, env });
    parts.serve = await startServe([], env);
    parts.browser = await launchBrowser();
    parts.client = await connectContract(parts.serve);
    const studio: Studio = {
      dir,
      root,
      ids,
      env,
      serve: parts.serve,
      browser: parts.browser,
      client: parts.client,
      async restartServe() {
        studio.client.close();
        await studio.serve.stop();
        studio.serve = parts.serve = await startServe([], env);
        studio.client = parts.client = await connectContract(studio.serve);
      },
      close,
    };
    return studio;
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The studio of the enclosing `describe`'s tests: started in its beforeAll, closed in its
 * afterAll. Its fields are read through to the running studio, so they are there from the
 * beforeAll on (and `serve` and `client` are the new ones after `restartServe`); with
 * `enabled: false` (a dataset that is not there, say) nothing starts.
 */
export function useStudio(options: StudioOptions & { enabled?: boolean }): Studio {
  let started: Studio | undefined;
  beforeAll(async () => {
    if (options.enabled !== false) started = await startStudio(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as Studio, {
    get(_target, key) {
      if (!started) throw new Error('The studio is not started: use it in a test or a later hook.');
      return started[key as keyof Studio];
    },
  });
}

/** Opens `folder` through the open dialog, once the studio loaded in `page` shows its button. */
export async function openFolder(page: Page, folder: string): Promise<void> {
  await expect
    .poll(() => page.getByTestId('open-button').isVisible(), { timeout: 60_000 })
    .toBe(true);
  await page.getByTestId('open-button').click();
  await page.getByTestId('open-path').fill(folder);
  await page.getByTestId('open-submit').click();
}
