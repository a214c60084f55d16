/**
 * Desktop end-to-end harness: launches the built app (out/) in the real Electron binary through
 * playwright-core's `_electron`. The electron package downloads that binary from GitHub on
 * first use, outside the npm registry; where it is absent (CI, this kind of machine) the tests
 * skip and say why. The binary is found without loading the electron package, since loading
 * it is what starts the download.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screenshotDir = path.join(repoRoot, 'test-output', 'e2e-electron');

/** The Electron executable, or why it cannot be used. */
export function findElectronBinary(): { path: string } | { missing: string } {
  const packageDir = path.join(repoRoot, 'node_modules', 'electron');
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const override = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    if (existsSync(override)) return { path: override };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      missing:
        'the Electron binary was never downloaded (node_modules/electron/path.txt is absent: the ' +
        'download comes from GitHub, outside the npm registry)',
    };
  }
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { missing: `${binary} does not exist` };
}

/** Why the desktop tests cannot run here, or null when they can. */
export function desktopSkipReason(): string | null {
  const binary = findElectronBinary();
  if ('missing' in binary) return `Electron end-to-end tests skipped: ${binary.missing}.`;
  if (!existsSync(path.join(repoRoot, 'out', 'main', 'index.js'))) {
    return 'Electron end-to-end tests skipped: out/main/index.js is missing (run `npm run build`).';
  }
  return null;
}

export interface DesktopSession {
  app: ElectronApplication;
  page: Page;
  userDataDir: string;
  close(): Promise<void>;
}

/** Launches the built app with its own user data folder; extra arguments go to the app. */
export async function launchDesktop(
  extraArgs: string[] = [],
  options: { userDataDir?: string } = {},
): Promise<DesktopSession> {
  const binary = findElectronBinary();
  if ('missing' in binary) throw new Error(binary.missing);
  // A given folder (a relaunch on the same profile) belongs to the caller and is kept.
  const ownsUserData = options.userDataDir === undefined;
  const userDataDir =
    options.userDataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'vessel-desktop-e2e-')));
  const headless =
    process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  const args = [
    // Chromium refuses to run as root with its OS sandbox; the renderer's own sandbox stays on.
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ...(headless ? ['--ozone-platform=headless'] : []),
    repoRoot,
    ...extraArgs,
  ];
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== 'ELECTRON_RENDERER_URL') env[key] = value;
  }
  env.VESSEL_USER_DATA_DIR = userDataDir;
  // Projects made for opened datasets go to the scratch profile, not the home folder.
  env.VESSEL_PROJECTS_DIR = path.join(userDataDir, 'projects');
  const app = await _electron.launch({
    executablePath: binary.path,
    args,
    cwd: repoRoot,
    env,
    timeout: 120_000,
  });
  const page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  return {
    app,
    page,
    userDataDir,
    async close() {
      await app.close().catch(() => undefined);
      if (ownsUserData) await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of the window with the test output. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Clicks an application menu item by its id (the menu command it sends), in main. */
export async function clickMenuItem(app: ElectronApplication, id: string): Promise<void> {
  const found = await app.evaluate(({ Menu }, itemId) => {
    const item = Menu.getApplicationMenu()?.getMenuItemById(itemId);
    if (!item) return false;
    item.click();
    return true;
  }, id);
  if (!found) throw new Error(`The application menu has no item with id ${id}`);
}

/** Makes main's next open dialog answer with this path, as if the person chose it. */
export async function answerNextOpenDialog(
  app: ElectronApplication,
  chosen: string,
): Promise<void> {
  await app.evaluate(({ dialog }, file) => {
    const original = dialog.showOpenDialog;
    dialog.showOpenDialog = (async () => {
      dialog.showOpenDialog = original;
      return { canceled: false, filePaths: [file] };
    }) as typeof dialog.showOpenDialog;
  }, chosen);
}
