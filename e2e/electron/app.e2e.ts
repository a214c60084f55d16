/**
 * The desktop app end to end, in the real Electron binary: the window and its security policy,
 * the contract through the preload, the single-instance file handoff, and the File menu opening
 * a dataset in the studio. Skips with the reason where the Electron binary is absent.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDrive } from '../../src/main/engine/dataset/synthetic-datasets';
import {
  answerNextOpenDialog,
  clickMenuItem,
  desktopSkipReason,
  findElectronBinary,
  launchDesktop,
  repoRoot,
  saveScreenshot,
  type DesktopSession,
} from './harness';

const skipReason = desktopSkipReason();
if (skipReason !== null) console.warn(skipReason);

/** What the page sees of the app: `window.vessel`, typed loosely for evaluate(). */
type PageWindow = Window & {
  vessel: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> & {
    on(name: string, listener: (payload: unknown) => void): () => void;
  };
  __received?: Array<{ name: string; payload: unknown }>;
};

describe.skipIf(skipReason !== null)('desktop app (Electron)', () => {
  let desktop: DesktopSession;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'vessel-desktop-data-'));
    desktop = await launchDesktop();
    // Record every event the page gets, and take the handed-over files so later ones are events.
    await desktop.page.evaluate(async () => {
      const w = window as unknown as PageWindow;
      w.__received = [];
      for (const name of ['shell.menu', 'shell.openFile', 'studio.opened']) {
        w.vessel.on(name, (payload) => w.__received?.push({ name, payload }));
      }
      await w.vessel.shell.takeOpenedFiles({});
    });
  });

  afterAll(async () => {
    await desktop?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const received = (name: string) =>
    desktop.page.evaluate(
      (eventName) =>
        ((window as unknown as PageWindow).__received ?? [])
          .filter((e) => e.name === eventName)
          .map((e) => e.payload),
      name,
    );

  it('opens the studio window and shows the backend from app.info', async () => {
    expect(await desktop.page.title()).toBe('Vessel Studio');
    await expect
      .poll(() => desktop.page.getByTestId('backend').textContent(), { timeout: 60_000 })
      .toMatch(/Backend: (wasm|cpu|tensorflow|webgpu · \S)/);
    const info = (await desktop.page.evaluate(() =>
      (window as unknown as PageWindow).vessel.app.info({}),
    )) as { ok: boolean; value: { mode: string; platform: { electron: string } } };
    expect(info.ok).toBe(true);
    expect(info.value.mode).toBe('electron');
    expect(info.value.platform.electron).toMatch(/^45\./);
    await saveScreenshot(desktop.page, 'desktop-shell');
  });

  it('gives the page the contract and nothing of node or IPC', async () => {
    const seen = await desktop.page.evaluate(() => ({
      require: typeof (globalThis as Record<string, unknown>).require,
      process: typeof (globalThis as Record<string, unknown>).process,
      module: typeof (globalThis as Record<string, unknown>).module,
      keys: Object.keys((window as unknown as PageWindow).vessel).sort(),
    }));
    expect(seen.require).toBe('undefined');
    expect(seen.process).toBe('undefined');
    expect(seen.module).toBe('undefined');
    expect(seen.keys).toEqual(expect.arrayContaining(['app', 'on', 'shell', 'studio']));
    expect(seen.keys.join(' ')).not.toMatch(/ipc|invoke|send/i);
  });

  it('shows only the app page, from the built files', async () => {
    // Electron has no getter for a window's webPreferences: they are checked by the window
    // factory's unit tests; here the page itself shows the result (no node, isolated, local).
    const url = new URL(desktop.page.url());
    expect(url.protocol).toBe('file:');
    expect(url.pathname.endsWith('/out/renderer/index.html')).toBe(true);
    expect(desktop.app.windows()).toHaveLength(1);
  });

  it('denies window.open, navigation, remote requests, inline scripts and permissions', async () => {
    const { page, app } = desktop;
    const startUrl = page.url();
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    expect(app.windows()).toHaveLength(1);
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(startUrl);
    expect(
      await page.evaluate(() =>
        fetch('https://example.com/').then(
          () => 'loaded',
          () => 'blocked',
        ),
      ),
    ).toBe('blocked');
    // The Content-Security-Policy refuses inline script.
    expect(
      await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.__inlineRan = true';
        document.head.appendChild(script);
        return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
      }),
    ).toBe(false);
    expect(await page.evaluate(() => Notification.requestPermission())).toBe('denied');
  });

  it('a second launch with a .vessel file hands it to this window and quits', async () => {
    const project = path.join(scratch, 'handed-over.vessel');
    await writeFile(project, '');
    const binary = findElectronBinary();
    if (!('path' in binary)) throw new Error(binary.missing);
    const second = spawn(
      binary.path,
      [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), repoRoot, project],
      {
        cwd: repoRoot,
        env: { ...process.env, VESSEL_USER_DATA_DIR: desktop.userDataDir },
        stdio: 'ignore',
      },
    );
    const exitCode = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(exitCode).toBe(0);
    await expect
      .poll(() => received('shell.openFile'), { timeout: 30_000 })
      .toEqual([{ path: project }]);
  });

  it('opens a dataset chosen from File > Open Dataset Folder in the studio', async () => {
    const dataset = path.join(scratch, 'DRIVE');
    await writeDrive(dataset);
    await answerNextOpenDialog(desktop.app, dataset);
    await clickMenuItem(desktop.app, 'dataset.openFolder');
    await expect
      .poll(() => received('shell.menu'), { timeout: 30_000 })
      .toContainEqual({
        command: 'dataset.openFolder',
        path: dataset,
      });
    // The renderer answers the menu command by opening the folder through the contract.
    await expect
      .poll(
        async () =>
          ((await received('studio.opened')) as Array<{ datasetRoot: string }>)[0]?.datasetRoot,
        {
          timeout: 60_000,
        },
      )
      .toBe(dataset);
    const images = (await desktop.page.evaluate(() =>
      (window as unknown as PageWindow).vessel.studio.listImages({}),
    )) as { ok: boolean; value: { images: unknown[] } };
    expect(images.ok).toBe(true);
    expect(images.value.images).toHaveLength(4);
    await saveScreenshot(desktop.page, 'desktop-dataset-open');
  });
});
