/**
 * The application menu. Every item reaches the renderer through the contract: a `shell.menu`
 * event carrying a MenuCommand, with the path already chosen in main's native dialog for the
 * items that open something. About shows the engine's `app.info` with the backend report.
 */
import path from 'node:path';
import {
  dialog,
  Menu,
  type BaseWindow,
  type MenuItemConstructorOptions,
  type WebContents,
} from 'electron';
import type { AppInfo } from '../../shared/api/app';
import {
  menuCommandEventSchema,
  type DialogResult,
  type MenuCommand,
} from '../../shared/api/shell';
import { AppError } from '../../shared/result';
import { showOpenDialogFor, showSaveDialogFor } from './dialogs';
import type { Engine } from '../engine';
import { sendEvent } from './ipc';
import type { RecentFiles } from './recent-files';

export interface MenuActions {
  /** Sends a command to the focused app window. */
  send(command: MenuCommand, path?: string): void;
  showOpenDialog(purpose: 'project' | 'dataset'): Promise<DialogResult>;
  showNewProjectDialog(): Promise<DialogResult>;
  clearRecentFiles(): Promise<void>;
  /** The engine's app.info, for About. */
  appInfo(): Promise<AppInfo>;
  showAbout(title: string, detail: string): Promise<void>;
  /** Reports a failed menu action (a dialog refused a path, the engine failed). */
  showError(title: string, message: string): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  recentFiles: string[];
  /** Developer tools are offered only outside a packaged app. */
  isPackaged: boolean;
  actions: MenuActions;
}

/** The About text: version, platform and the compute backend with why each better one is unused. */
export function describeAbout(info: AppInfo): string {
  const lines = [
    `Version ${info.version}`,
    `${info.platform.os} (${info.platform.arch}), Electron ${info.platform.electron ?? '-'}, Node ${info.platform.node}`,
    '',
    `Compute backend: ${info.backend.active ?? 'not chosen yet'} (chosen by ${info.backend.chosenBy}, ${info.backend.threads} thread${info.backend.threads === 1 ? '' : 's'})`,
  ];
  for (const rejection of info.backend.rejected) {
    lines.push(`Not ${rejection.backend}: ${rejection.message}`);
  }
  return lines.join('\n');
}

/**
 * Builds the menu template (a pure function of its options, so it is tested without Electron).
 * Items that send a command carry it as their id, so end-to-end tests can click them by id.
 */
export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { actions } = options;
  const isMac = options.platform === 'darwin';
  const run = (title: string, task: () => Promise<void>) => () => {
    task().catch((error: unknown) =>
      actions.showError(title, (error as Error).message ?? String(error)),
    );
  };
  const openThen = (
    title: string,
    choose: () => Promise<DialogResult>,
    command: MenuCommand,
  ): (() => void) =>
    run(title, async () => {
      const choice = await choose();
      if (!choice.canceled) actions.send(command, choice.path);
    });
  const send = (command: MenuCommand) => () => actions.send(command);
  /**
   * An item that sends its command (also its id), showing a key the renderer handles itself
   * without the menu capturing that key from text fields.
   */
  const sendItem = (
    label: string,
    key: string,
    command: MenuCommand,
  ): MenuItemConstructorOptions => ({
    id: command,
    label,
    accelerator: key,
    registerAccelerator: false,
    click: send(command),
  });

  const recentItems: MenuItemConstructorOptions[] =
    options.recentFiles.length === 0
      ? [{ label: 'No Recent Projects', enabled: false }]
      : options.recentFiles.map((file) => ({
          label: path.basename(file),
          sublabel: file,
          toolTip: file,
          click: () => actions.send('project.open', file),
        }));

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      {
        id: 'project.new',
        label: 'New Project…',
        accelerator: 'CmdOrCtrl+N',
        click: openThen('New Project', () => actions.showNewProjectDialog(), 'project.new'),
      },
      {
        id: 'project.open',
        label: 'Open Project…',
        accelerator: 'CmdOrCtrl+O',
        click: openThen('Open Project', () => actions.showOpenDialog('project'), 'project.open'),
      },
      {
        id: 'dataset.openFolder',
        label: 'Open Dataset Folder…',
        accelerator: 'CmdOrCtrl+Shift+O',
        click: openThen(
          'Open Dataset Folder',
          () => actions.showOpenDialog('dataset'),
          'dataset.openFolder',
        ),
      },
      {
        label: 'Open Recent',
        submenu: [
          ...recentItems,
          { type: 'separator' },
          {
            id: 'recent.clear',
            label: 'Clear Recent',
            enabled: options.recentFiles.length > 0,
            click: run('Clear Recent', () => actions.clearRecentFiles()),
          },
        ],
      },
      { type: 'separator' },
      { id: 'export', label: 'Export…', accelerator: 'CmdOrCtrl+E', click: send('export') },
      ...(isMac ? [] : [{ type: 'separator' as const }, { role: 'quit' as const }]),
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      // Undo and redo are the canvas's (one step per stroke). The page handles their keys itself
      // (as in browser mode, and so text fields keep their own undo); the items send the command.
      sendItem('Undo', 'CmdOrCtrl+Z', 'edit.undo'),
      sendItem('Redo', isMac ? 'Cmd+Shift+Z' : 'Ctrl+Y', 'edit.redo'),
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      {
        label: 'Layers',
        submenu: [
          sendItem('Fundus Image', '1', 'view.layer.image'),
          sendItem('Ground Truth', '2', 'view.layer.groundTruth'),
          sendItem('Prediction', '3', 'view.layer.prediction'),
          sendItem('Corrections', '4', 'view.layer.corrections'),
          sendItem('Errors', '5', 'view.layer.errors'),
        ],
      },
      { type: 'separator' },
      // The canvas handles its zoom keys itself; the items show them and send the command.
      sendItem('Zoom In', 'CmdOrCtrl+=', 'view.zoomIn'),
      sendItem('Zoom Out', 'CmdOrCtrl+-', 'view.zoomOut'),
      sendItem('Fit to Window', 'CmdOrCtrl+0', 'view.zoomFit'),
      sendItem('Actual Pixels (1:1)', 'CmdOrCtrl+1', 'view.zoomActual'),
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(options.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
    ],
  };

  const about = {
    id: 'help.about',
    label: `About ${options.appName}`,
    click: run('About', async () => {
      const info = await actions.appInfo();
      await actions.showAbout(`${info.name} ${info.version}`, describeAbout(info));
    }),
  };
  const help: MenuItemConstructorOptions = {
    label: '&Help',
    role: 'help',
    submenu: [
      sendItem('Keyboard Shortcuts', 'Shift+/', 'help.shortcuts'),
      ...(isMac ? [] : [{ type: 'separator' as const }, about]),
    ],
  };

  const template: MenuItemConstructorOptions[] = [file, edit, view, help];
  if (isMac) {
    template.unshift({
      label: options.appName,
      submenu: [
        about,
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  return template;
}

/** Builds and installs the application menu (called again when the recent files change). */
export function installApplicationMenu(options: MenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(options)));
}

export interface MenuActionDeps {
  /** The web contents of the window the command is for (the focused app window). */
  targetWebContents(): WebContents | null;
  /** The window dialogs attach to. */
  window(): BaseWindow | undefined;
  engine: Pick<Engine, 'request'>;
  recentFiles: RecentFiles;
}

/** The menu's actions in the app: contract events, native dialogs, the engine's app.info. */
export function createMenuActions(deps: MenuActionDeps): MenuActions {
  return {
    send(command, chosenPath) {
      const target = deps.targetWebContents();
      if (target === null) return;
      // Parsed by the contract's schema so a wrong command fails here, not in the renderer.
      const payload = menuCommandEventSchema.parse(
        chosenPath === undefined ? { command } : { command, path: chosenPath },
      );
      sendEvent(target, 'shell.menu', payload);
    },
    showOpenDialog: (purpose) => showOpenDialogFor(purpose, deps.window()),
    showNewProjectDialog: () => showSaveDialogFor('project', undefined, deps.window()),
    clearRecentFiles: () => deps.recentFiles.clear(),
    async appInfo() {
      const result = await deps.engine.request('app.info', {});
      if (!result.ok) throw new AppError(result.error.code, result.error.message);
      return result.value as AppInfo;
    },
    async showAbout(title, detail) {
      const options = { type: 'info' as const, title, message: title, detail, buttons: ['OK'] };
      const window = deps.window();
      await (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
    },
    showError: (title, message) => dialog.showErrorBox(title, message),
  };
}
