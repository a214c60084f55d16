/**
 * The desktop app's lifecycle: one instance (a second launch hands its .vessel file to the
 * first and quits), the window restored where it was, the menu, IPC, recent files, the
 * .vessel files the OS hands over, and on quit with training running a confirmation that
 * cancels it cleanly before the app ends.
 */
import path from 'node:path';
import {
  app,
  dialog,
  screen,
  type BaseWindow,
  type BrowserWindow,
  type Event as ElectronEvent,
  type WebContents,
} from 'electron';
import { reportComputeCrashes, utilityComputeProcess } from './compute-process';
import { createEngine, type Engine } from '../engine';
import { bindContractToIpc, isTrustedSender, sendEvent } from './ipc';
import { createMenuActions, installApplicationMenu } from './menu';
import { adoptMenuList, RecentFiles } from './recent-files';
import { recentProjectsOf } from '../engine/files/recent-projects';
import { createDesktopShellHandlers } from './handlers';
import { followTraining } from './training-work';
import { keepWindowState, loadWindowState } from './window-state';
import {
  createAppWindow,
  hardenWebContents,
  isAppPageUrl,
  listAppWindows,
  resolveAppContent,
  type AppContent,
} from './window';

const PROJECT_EXTENSION = '.vessel';

/**
 * The .vessel file named on a command line (double-click, "Open with", a second launch), made
 * absolute against the directory it was launched from. Options and other files are ignored.
 */
export function projectFileFromArgv(
  argv: readonly string[],
  workingDirectory: string,
): string | null {
  // argv[0] is the executable; in development argv[1] is the app folder (`electron .`).
  for (let i = argv.length - 1; i >= 1; i -= 1) {
    const arg = argv[i];
    if (arg.startsWith('-')) continue;
    if (path.extname(arg).toLowerCase() === PROJECT_EXTENSION) {
      return path.resolve(workingDirectory, arg);
    }
  }
  return null;
}

/** Work that quitting would interrupt (training), and how to stop it cleanly. */
export interface RunningWork {
  /** A sentence naming what runs ("Training model v3 (epoch 4 of 20)"), or null when idle. */
  describe(): string | null;
  /** Stops it the clean way (training keeps its last good checkpoint); resolves once stopped. */
  cancel(): Promise<void>;
}

/** Asks the person whether to stop the running work and quit; true means quit. */
export type ConfirmQuit = (description: string) => Promise<boolean>;

/** The part of `app` the quit guard uses. */
interface QuittableApp {
  on(event: 'before-quit', listener: (event: ElectronEvent) => void): unknown;
  quit(): void;
}

/**
 * Stops a quit (menu, Cmd+Q, the last window closing) while work runs: the person confirms,
 * the work is cancelled and has stopped, and only then does the app quit.
 */
export function installQuitGuard(
  target: QuittableApp,
  work: RunningWork,
  confirm: ConfirmQuit,
): { closeRequested(event: { preventDefault(): void }): void } {
  let confirmed = false;
  let asking = false;
  const intercept = (event: { preventDefault(): void }) => {
    if (confirmed) return;
    const description = work.describe();
    if (description === null) return;
    event.preventDefault();
    if (asking) return;
    asking = true;
    void confirm(description)
      .then(async (quit) => {
        if (!quit) return;
        try {
          await work.cancel();
        } catch (error) {
          console.error(`Cancelling before quit failed: ${(error as Error).message}`);
        }
        confirmed = true;
        target.quit();
      })
      .finally(() => {
        asking = false;
      });
  };
  target.on('before-quit', intercept);
  // Closing the last window also quits (Windows, Linux): ask before the window is gone.
  return { closeRequested: intercept };
}

/** The native confirmation shown when quitting would interrupt work. */
export function confirmQuitDialog(window: () => BaseWindow | undefined): ConfirmQuit {
  return async (description) => {
    const options = {
      type: 'warning' as const,
      title: 'Quit Vessel Studio?',
      message: `${description} Quit anyway?`,
      detail:
        'Quitting cancels it cleanly: the last good checkpoint is kept and can be resumed later.',
      buttons: ['Keep Working', 'Cancel It and Quit'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    };
    const parent = window();
    const answer = parent
      ? await dialog.showMessageBox(parent, options)
      : await dialog.showMessageBox(options);
    return answer.response === 1;
  };
}

/**
 * The .vessel files handed to the app: kept until the page can take them, then sent as
 * `shell.openFile` events (and drained once through `shell.takeOpenedFiles` at start-up, so a
 * file given before the page subscribed is never lost).
 */
export class OpenedFiles {
  private readonly queue: string[] = [];
  private pageReady = false;

  constructor(private readonly deliver: (file: string) => boolean) {}

  /** A file arrived: delivered now when the page is ready, queued otherwise. */
  receive(file: string): void {
    if (this.pageReady && this.deliver(file)) return;
    if (!this.queue.includes(file)) this.queue.push(file);
  }

  /** The page has asked once: from now on files go to it as events. */
  take(): string[] {
    this.pageReady = true;
    return this.queue.splice(0);
  }

  /** The page reloaded: queue again until it asks. */
  reset(): void {
    this.pageReady = false;
  }
}

export interface DesktopPaths {
  /** out/renderer (holds index.html). */
  rendererDir: string;
  /** out/preload/index.cjs. */
  preloadPath: string;
  /** Files shipped with the app: `resources/` in a checkout, the app's resources folder when packaged. */
  resourcesDir: string;
}

export interface DesktopOptions {
  /** Work the quit guard protects; defaults to the engine's training runs. */
  runningWork?: (engine: Engine) => RunningWork;
}

/** The running app: what tests and index.ts may reach. */
export interface DesktopApp {
  engine: Engine;
  content: AppContent;
  openedFiles: OpenedFiles;
  mainWindow(): BrowserWindow | null;
}

/**
 * Starts the desktop app. Resolves with null when another instance already runs (this one
 * handed its file over and quits).
 */
export async function startDesktopApp(
  paths: DesktopPaths,
  options: DesktopOptions = {},
): Promise<DesktopApp | null> {
  // Tests and side-by-side profiles start with their own user data (and so their own lock).
  const userDataOverride = process.env.VESSEL_USER_DATA_DIR;
  if (!app.isPackaged && userDataOverride !== undefined && path.isAbsolute(userDataOverride)) {
    app.setPath('userData', userDataOverride);
  }
  const launchFile = projectFileFromArgv(process.argv, process.cwd());
  // The first instance gets the file directly: argv order differs between platforms.
  if (!app.requestSingleInstanceLock({ file: launchFile })) {
    app.quit();
    return null;
  }

  let window: BrowserWindow | null = null;
  const content = resolveAppContent(paths.rendererDir, process.env, app.isPackaged);
  const pageContents = (): WebContents | null => {
    if (window === null || window.isDestroyed()) return null;
    const contents = window.webContents;
    return isAppPageUrl(contents.getURL(), content) ? contents : null;
  };
  const openedFiles = new OpenedFiles((file) => {
    const target = pageContents();
    if (target === null) return false;
    sendEvent(target, 'shell.openFile', { path: file });
    return true;
  });
  /** Opens the window again once the app is ready (macOS keeps running without one). */
  let reopenWindow: () => void = () => {};
  const bringToFront = () => {
    if (window !== null && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.focus();
    } else {
      reopenWindow();
    }
  };
  /** A handed-over file: the page takes it (event, or shell.takeOpenedFiles when it starts). */
  const receiveFile = (file: string) => {
    openedFiles.receive(file);
    bringToFront();
  };

  // macOS sends open-file (double-click, drop on the Dock icon), possibly before ready.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    if (path.extname(file).toLowerCase() === PROJECT_EXTENSION) receiveFile(path.resolve(file));
  });
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    const handed = (additionalData as { file?: unknown } | null)?.file;
    const file =
      typeof handed === 'string' && path.isAbsolute(handed)
        ? handed
        : projectFileFromArgv(argv, workingDirectory);
    if (file !== null) receiveFile(file);
    else bringToFront();
  });
  if (launchFile !== null) openedFiles.receive(launchFile);
  // Defence in depth: any web contents at all (a future view, the dev tools' pages) gets the
  // same navigation and window.open denial as the app window.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  await app.whenReady();
  // Windows groups the taskbar and the file association under the installer's app id.
  if (process.platform === 'win32') app.setAppUserModelId('studio.vessel.desktop');

  const engine = createEngine({
    mode: 'electron',
    appVersion: app.getVersion(),
    electronVersion: process.versions.electron ?? null,
    resourcesDir: paths.resourcesDir,
    // TensorFlow.js runs in a utilityProcess, which Electron ends with the app.
    computeFactory: utilityComputeProcess(),
  });
  const dialogParent = (): BaseWindow | undefined =>
    window !== null && !window.isDestroyed() ? window : undefined;
  // A crash of the compute process is shown, never silent; the host has already restarted it.
  reportComputeCrashes(engine.context.compute(), (title, detail) => {
    const options = { type: 'error' as const, title, message: title, detail, buttons: ['OK'] };
    const parent = dialogParent();
    void (parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options));
  });

  // One recent list, in user data: the first screen shows it with each project's dataset, the
  // menu's Open Recent and the OS list its project files; the engine records every opened project.
  const recentProjects = recentProjectsOf(
    engine.context,
    path.join(app.getPath('userData'), 'recent-projects.json'),
  );
  await adoptMenuList(
    path.join(app.getPath('userData'), 'recent-files.json'),
    recentProjects,
  ).catch((error: unknown) =>
    console.warn(`The old Open Recent list was not taken over: ${(error as Error).message}`),
  );
  // onChange runs only after a change, by when rebuildMenu exists.
  const recentFiles: RecentFiles = new RecentFiles(recentProjects, (list) => {
    if (list.length === 0) app.clearRecentDocuments();
    else app.addRecentDocument(list[0]);
    rebuildMenu(list);
  });
  const rebuildMenu = (recent: string[]) =>
    installApplicationMenu({
      platform: process.platform,
      appName: 'Vessel Studio',
      recentFiles: recent,
      isPackaged: app.isPackaged,
      actions: createMenuActions({
        targetWebContents: pageContents,
        window: dialogParent,
        engine,
        recentFiles,
      }),
    });
  rebuildMenu(await recentFiles.list());

  const handlers = {
    ...engine.handlers,
    ...createDesktopShellHandlers({
      window: dialogParent,
      recentFiles,
      takeOpenedFiles: () => openedFiles.take(),
    }),
  };
  const unbindIpc = bindContractToIpc({
    handlers,
    isTrustedSender: (event) => isTrustedSender(event, content),
    events: engine.events,
    eventTargets: () => {
      const target = pageContents();
      return target === null ? [] : [target];
    },
  });

  const work = (options.runningWork ?? ((running) => followTraining(running)))(engine);
  const quitGuard = installQuitGuard(app, work, confirmQuitDialog(dialogParent));

  const stateFile = path.join(app.getPath('userData'), 'window-state.json');
  const openWindow = () => {
    const state = loadWindowState(
      stateFile,
      screen.getAllDisplays().map((display) => display.workArea),
    );
    const created = createAppWindow({
      content,
      preloadPath: paths.preloadPath,
      bounds: state.bounds,
      maximized: state.maximized,
    });
    keepWindowState(created, stateFile);
    created.on('close', (event) => quitGuard.closeRequested(event));
    // A reload starts a new page, which asks for its files again.
    created.webContents.on('did-start-loading', () => openedFiles.reset());
    created.on('closed', () => {
      if (window === created) window = null;
    });
    window = created;
    return created;
  };
  openWindow();
  reopenWindow = () => {
    if (window === null || window.isDestroyed()) openWindow();
  };

  app.on('activate', () => {
    if (listAppWindows().length === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    unbindIpc();
    void engine.dispose();
  });

  return { engine, content, openedFiles, mainWindow: () => window };
}
