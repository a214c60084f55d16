import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { ElectronFake, FakeBrowserWindow } from '../../../test/support/electron-fake';

vi.mock('electron', async () =>
  (await import('../../../test/support/electron-fake')).createElectronFake(),
);

const electron = (await import('electron')) as unknown as ElectronFake;
const { IPC_EVENT_CHANNEL } = await import('../../shared/api/ipc');
const { MENU_COMMANDS, menuCommandEventSchema } = await import('../../shared/api/shell');
const { createEngine } = await import('../engine');
const { RecentFiles } = await import('./recent-files');
const { RecentProjects } = await import('../engine/files/recent-projects');
const { buildMenuTemplate, createMenuActions, installApplicationMenu } = await import('./menu');

const root = mkdtempSync(path.join(os.tmpdir(), 'vessel-menu-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const project = path.join(root, 'eyes.vessel');
const dataset = path.join(root, 'DRIVE');
writeFileSync(project, '');
mkdirSync(dataset);

function setUp(platform: NodeJS.Platform = 'linux', recentFiles: string[] = []) {
  const window = new electron.BrowserWindow({}) as unknown as FakeBrowserWindow;
  const engine = createEngine({
    mode: 'electron',
    appVersion: '1.2.3',
    electronVersion: '45.5.0',
    resourcesDir: root,
    forcedBackend: { name: 'cpu', by: 'setting' },
  });
  const recent = new RecentFiles(
    new RecentProjects(path.join(root, `recent-${Math.random()}.json`)),
  );
  const actions = createMenuActions({
    targetWebContents: () => window.webContents as never,
    window: () => window as never,
    engine,
    recentFiles: recent,
  });
  const template = buildMenuTemplate({
    platform,
    appName: 'Vessel Studio',
    recentFiles,
    isPackaged: true,
    actions,
  });
  return { window, template, recent };
}

function find(template: MenuItemConstructorOptions[], ...labels: string[]) {
  let items = template;
  let found: MenuItemConstructorOptions | undefined;
  for (const label of labels) {
    found = items.find((item) => item.label?.replace('&', '') === label);
    if (found === undefined) throw new Error(`No menu item ${labels.join(' > ')}`);
    items = (found.submenu as MenuItemConstructorOptions[] | undefined) ?? [];
  }
  return found as MenuItemConstructorOptions;
}

function click(item: MenuItemConstructorOptions) {
  (item.click as unknown as () => void)();
}

/** The payloads of the `shell.menu` events the window received, each checked by the contract. */
function menuEvents(window: FakeBrowserWindow) {
  return window.webContents.send.mock.calls.map(([channel, message]) => {
    expect(channel).toBe(IPC_EVENT_CHANNEL);
    const { name, payload } = message as { name: string; payload: unknown };
    expect(name).toBe('shell.menu');
    return menuCommandEventSchema.parse(payload);
  });
}

function clickable(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [
    ...(item.click ? [item] : []),
    ...clickable((item.submenu as MenuItemConstructorOptions[] | undefined) ?? []),
  ]);
}

describe('application menu', () => {
  it('has the File, Edit, View and Help menus with the items the studio needs', () => {
    const { template } = setUp();
    expect(template.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
    for (const label of [
      'New Project…',
      'Open Project…',
      'Open Dataset Folder…',
      'Open Recent',
      'Export…',
    ]) {
      expect(find(template, 'File', label)).toBeDefined();
    }
    expect(find(template, 'Edit', 'Undo')).toMatchObject({
      accelerator: 'CmdOrCtrl+Z',
      // Shown, not captured: the page's own key handling (canvas, text fields) gets the key.
      registerAccelerator: false,
    });
    expect(find(template, 'Edit', 'Redo')).toBeDefined();
    expect(find(template, 'View', 'Layers', 'Prediction')).toBeDefined();
    expect(find(template, 'View', 'Zoom In')).toMatchObject({
      accelerator: 'CmdOrCtrl+=',
      registerAccelerator: false,
    });
    expect(find(template, 'Help', 'Keyboard Shortcuts')).toBeDefined();
    expect(find(template, 'Help', 'About Vessel Studio')).toBeDefined();
  });

  it('sends every menu command to the renderer as a contract event', async () => {
    const { window, template } = setUp();
    const direct = clickable(template).filter(
      (item) => !/^(New|Open) .*…$|About|Clear Recent/.test(item.label ?? ''),
    );
    for (const item of direct) click(item);
    const sent = menuEvents(window).map((e) => e.command);
    // Each item that sends a command is findable by it (end-to-end tests click by id).
    expect(direct.filter((item) => item.id !== undefined).map((item) => item.id)).toEqual(sent);
    const needDialog = ['project.new', 'project.open', 'dataset.openFolder'];
    expect(new Set(sent)).toEqual(new Set(MENU_COMMANDS.filter((c) => !needDialog.includes(c))));
  });

  it('opens a project chosen in the dialog, and does nothing when cancelled', async () => {
    const { window, template } = setUp();
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    click(find(template, 'File', 'Open Project…'));
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [project] });
    click(find(template, 'File', 'Open Project…'));
    await vi.waitFor(() => expect(window.webContents.send).toHaveBeenCalled());
    expect(menuEvents(window)).toEqual([{ command: 'project.open', path: project }]);
  });

  it('opens a dataset folder and names a new project through the save dialog', async () => {
    const { window, template } = setUp();
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [dataset] });
    click(find(template, 'File', 'Open Dataset Folder…'));
    await vi.waitFor(() => expect(window.webContents.send).toHaveBeenCalledTimes(1));
    electron.dialog.showSaveDialog.mockResolvedValueOnce({
      canceled: false,
      filePath: path.join(root, 'study'),
    });
    click(find(template, 'File', 'New Project…'));
    await vi.waitFor(() => expect(window.webContents.send).toHaveBeenCalledTimes(2));
    expect(menuEvents(window)).toEqual([
      { command: 'dataset.openFolder', path: dataset },
      { command: 'project.new', path: path.join(root, 'study.vessel') },
    ]);
  });

  it('shows why a dialog choice was refused instead of sending it', async () => {
    const { window, template } = setUp();
    electron.dialog.showOpenDialog.mockResolvedValueOnce({
      canceled: false,
      filePaths: [path.join(root, 'missing.vessel')],
    });
    click(find(template, 'File', 'Open Project…'));
    await vi.waitFor(() => expect(electron.dialog.showErrorBox).toHaveBeenCalled());
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith(
      'Open Project',
      expect.stringContaining('missing.vessel does not exist'),
    );
    expect(window.webContents.send).not.toHaveBeenCalled();
  });

  it('lists recent projects and opens the one clicked', () => {
    const { window, template } = setUp('linux', [project]);
    click(find(template, 'File', 'Open Recent', 'eyes.vessel'));
    expect(menuEvents(window)).toEqual([{ command: 'project.open', path: project }]);
    const empty = setUp('linux', []).template;
    expect(find(empty, 'File', 'Open Recent', 'No Recent Projects').enabled).toBe(false);
  });

  it('shows About with the compute backend report from app.info', async () => {
    const { template } = setUp();
    electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    click(find(template, 'Help', 'About Vessel Studio'));
    await vi.waitFor(() => expect(electron.dialog.showMessageBox).toHaveBeenCalled());
    const options = electron.dialog.showMessageBox.mock.calls.at(-1)?.[1] as {
      title: string;
      detail: string;
    };
    expect(options.title).toBe('Vessel Studio 1.2.3');
    expect(options.detail).toContain('Compute backend: cpu (chosen by setting');
    expect(options.detail).toMatch(/Not tensorflow-gpu: .*forced to cpu/);
  });

  it('puts About in the app menu on macOS and installs the built menu', () => {
    const { template } = setUp('darwin');
    expect(template[0].label).toBe('Vessel Studio');
    expect(find(template, 'Vessel Studio', 'About Vessel Studio')).toBeDefined();
    const { window, recent } = setUp('linux');
    installApplicationMenu({
      platform: 'linux',
      appName: 'Vessel Studio',
      recentFiles: [],
      isPackaged: false,
      actions: createMenuActions({
        targetWebContents: () => window.webContents as never,
        window: () => undefined,
        engine: { request: async () => ({ ok: true, value: {} }) },
        recentFiles: recent,
      }),
    });
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalledTimes(1);
    const installed = electron.Menu.buildFromTemplate.mock
      .calls[0][0] as MenuItemConstructorOptions[];
    const roles = (menu: MenuItemConstructorOptions[]) =>
      (find(menu, 'View').submenu as MenuItemConstructorOptions[]).map((item) => item.role);
    // Developer tools only outside a packaged app.
    expect(roles(installed)).toContain('toggleDevTools');
    expect(roles(setUp('linux').template)).not.toContain('toggleDevTools');
  });
});
