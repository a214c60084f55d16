import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ElectronFake, FakeBrowserWindow } from '../../../test/support/electron-fake';
import { runState } from './test-fixtures';

vi.mock('electron', async () =>
  (await import('../../../test/support/electron-fake')).createElectronFake(),
);

const root = mkdtempSync(path.join(os.tmpdir(), 'vessel-lifecycle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh fake Electron and a fresh lifecycle module for each test. */
async function load() {
  vi.resetModules();
  const electron = (await import('electron')) as unknown as ElectronFake;
  electron.reset();
  const lifecycle = await import('./lifecycle');
  const { IPC_EVENT_CHANNEL } = await import('../../shared/api/ipc');
  electron.app.userData = mkdtempSync(path.join(root, 'user-'));
  const paths = {
    rendererDir: path.join(root, 'out', 'renderer'),
    preloadPath: path.join(root, 'out', 'preload', 'index.cjs'),
    resourcesDir: path.join(root, 'resources'),
  };
  return { electron, lifecycle, paths, IPC_EVENT_CHANNEL };
}

type Loaded = Awaited<ReturnType<typeof load>>;

/** Calls a contract request the way the app's page does: from its main frame, over IPC. */
function invokeFromPage(loaded: Loaded, window: FakeBrowserWindow, name: string, input: unknown) {
  const handler = loaded.electron.ipcMain.handlers.get(name) as (e: unknown, i: unknown) => unknown;
  return handler(
    { sender: window.webContents, senderFrame: { url: window.webContents.url, parent: null } },
    input,
  ) as Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;
}

function openFileEvents(loaded: Loaded, window: FakeBrowserWindow): string[] {
  return window.webContents.send.mock.calls
    .filter(([channel, message]) => {
      return (
        channel === loaded.IPC_EVENT_CHANNEL &&
        (message as { name: string }).name === 'shell.openFile'
      );
    })
    .map(([, message]) => (message as { payload: { path: string } }).payload.path);
}

describe('command line', () => {
  it('finds the .vessel file among the arguments, relative to the launch directory', async () => {
    const { lifecycle } = await load();
    const exe = '/opt/Vessel Studio/vessel-studio';
    expect(lifecycle.projectFileFromArgv([exe, 'eyes.vessel'], '/home/ana')).toBe(
      '/home/ana/eyes.vessel',
    );
    expect(
      lifecycle.projectFileFromArgv(
        [exe, '--no-sandbox', '/data/B.VESSEL', '--enable-logging'],
        '/x',
      ),
    ).toBe('/data/B.VESSEL');
    expect(lifecycle.projectFileFromArgv([exe, 'notes.txt', '--flag'], '/x')).toBeNull();
    expect(lifecycle.projectFileFromArgv(['/data/only-the-exe.vessel'], '/x')).toBeNull();
  });
});

describe('single instance', () => {
  it('a second launch hands over and quits without opening a window', async () => {
    const loaded = await load();
    loaded.electron.app.hasLock = false;
    expect(await loaded.lifecycle.startDesktopApp(loaded.paths)).toBeNull();
    expect(loaded.electron.app.quit).toHaveBeenCalledTimes(1);
    expect(loaded.electron.BrowserWindow.getAllWindows()).toHaveLength(0);
    expect(loaded.electron.ipcMain.handlers.size).toBe(0);
  });

  it('the first instance opens the file a second launch gives it, and comes to the front', async () => {
    const loaded = await load();
    const desktop = await loaded.lifecycle.startDesktopApp(loaded.paths);
    const window = desktop?.mainWindow() as unknown as FakeBrowserWindow;
    expect(window).toBeTruthy();
    // The page starts and takes the files handed over so far: none.
    expect(await invokeFromPage(loaded, window, 'shell.takeOpenedFiles', {})).toEqual({
      ok: true,
      value: { paths: [] },
    });
    window.minimized = true;
    loaded.electron.app.emit(
      'second-instance',
      {},
      ['/opt/Vessel Studio/vessel-studio', '--some-switch', 'retina.vessel'],
      '/home/ana/projects',
      { file: null },
    );
    expect(openFileEvents(loaded, window)).toEqual(['/home/ana/projects/retina.vessel']);
    expect(window.minimized).toBe(false);
    expect(window.focused).toBe(true);
    // The second instance's own resolved path wins over its argv.
    loaded.electron.app.emit('second-instance', {}, ['exe', 'ignored.vessel'], '/tmp', {
      file: '/data/chosen.vessel',
    });
    expect(openFileEvents(loaded, window)).toEqual([
      '/home/ana/projects/retina.vessel',
      '/data/chosen.vessel',
    ]);
  });

  it('keeps a file handed over before the page listens, and gives it once', async () => {
    const loaded = await load();
    const desktop = await loaded.lifecycle.startDesktopApp(loaded.paths);
    const window = desktop?.mainWindow() as unknown as FakeBrowserWindow;
    // macOS: open-file arrives before the page listens.
    const event = { defaultPrevented: false, preventDefault: vi.fn() };
    loaded.electron.app.emit('open-file', event, '/Users/ana/early.vessel');
    loaded.electron.app.emit('open-file', event, '/Users/ana/picture.png');
    expect(event.preventDefault).toHaveBeenCalledTimes(2);
    expect(openFileEvents(loaded, window)).toEqual([]);
    expect(await invokeFromPage(loaded, window, 'shell.takeOpenedFiles', {})).toEqual({
      ok: true,
      value: { paths: ['/Users/ana/early.vessel'] },
    });
    expect(await invokeFromPage(loaded, window, 'shell.takeOpenedFiles', {})).toEqual({
      ok: true,
      value: { paths: [] },
    });
    // A reload queues again until the new page asks.
    window.webContents.emit('did-start-loading');
    loaded.electron.app.emit('open-file', event, '/Users/ana/late.vessel');
    expect(openFileEvents(loaded, window)).toEqual([]);
    expect(await invokeFromPage(loaded, window, 'shell.takeOpenedFiles', {})).toMatchObject({
      value: { paths: ['/Users/ana/late.vessel'] },
    });
  });
});

describe('a file handed over without a window', () => {
  it('opens a window again (macOS keeps running without one) whose page takes the file', async () => {
    const loaded = await load();
    const desktop = await loaded.lifecycle.startDesktopApp(loaded.paths);
    const first = desktop?.mainWindow() as unknown as FakeBrowserWindow;
    first.destroy();
    expect(desktop?.mainWindow()).toBeNull();
    loaded.electron.app.emit('open-file', { preventDefault: vi.fn() }, '/Users/ana/late.vessel');
    const second = desktop?.mainWindow() as unknown as FakeBrowserWindow;
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect(await invokeFromPage(loaded, second, 'shell.takeOpenedFiles', {})).toEqual({
      ok: true,
      value: { paths: ['/Users/ana/late.vessel'] },
    });
  });
});

describe('window and recent files', () => {
  it('takes its user data folder from VESSEL_USER_DATA_DIR outside a packaged app', async () => {
    const loaded = await load();
    const own = path.join(root, 'own-profile');
    vi.stubEnv('VESSEL_USER_DATA_DIR', own);
    try {
      await loaded.lifecycle.startDesktopApp(loaded.paths);
      expect(loaded.electron.app.getPath('userData')).toBe(own);
      const packaged = await load();
      packaged.electron.app.isPackaged = true;
      await packaged.lifecycle.startDesktopApp(packaged.paths);
      expect(packaged.electron.app.getPath('userData')).not.toBe(own);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('hardens every web contents the app creates', async () => {
    const loaded = await load();
    await loaded.lifecycle.startDesktopApp(loaded.paths);
    const { FakeWebContents, fakeEvent } = await import('../../../test/support/electron-fake');
    const contents = new FakeWebContents();
    loaded.electron.app.emit('web-contents-created', {}, contents);
    const event = fakeEvent();
    contents.emit('will-navigate', event, 'https://example.org/');
    expect(event.defaultPrevented).toBe(true);
    const open = contents.windowOpenHandler as (d: { url: string }) => { action: string };
    expect(open({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
  });

  it('restores the window where it was closed', async () => {
    const loaded = await load();
    writeFileSync(
      path.join(loaded.electron.app.userData, 'window-state.json'),
      JSON.stringify({ bounds: { x: 50, y: 40, width: 1000, height: 700 }, maximized: true }),
    );
    const desktop = await loaded.lifecycle.startDesktopApp(loaded.paths);
    const window = desktop?.mainWindow() as unknown as FakeBrowserWindow;
    expect(window.options).toMatchObject({ x: 50, y: 40, width: 1000, height: 700 });
    window.emit('ready-to-show');
    expect(window.maximized).toBe(true);
    expect(window.visible).toBe(true);
    expect((window.options.webPreferences as { sandbox: boolean }).sandbox).toBe(true);
  });

  it('makes an opened project recent: OS list, menu and shell.recentFiles', async () => {
    const loaded = await load();
    const desktop = await loaded.lifecycle.startDesktopApp(loaded.paths);
    const window = desktop?.mainWindow() as unknown as FakeBrowserWindow;
    const project = path.join(root, 'opened.vessel');
    writeFileSync(project, '');
    desktop?.engine.events.emit('studio.opened', {
      datasetRoot: root,
      layout: 'drive',
      projectFile: project,
      projectCreated: false,
      imageCount: 0,
      problems: [],
      model: null,
      modelMissingReason: null,
    });
    await vi.waitFor(() =>
      expect(loaded.electron.app.addRecentDocument).toHaveBeenCalledWith(project),
    );
    expect(await invokeFromPage(loaded, window, 'shell.recentFiles', {})).toEqual({
      ok: true,
      value: { paths: [project] },
    });
    const menu = loaded.electron.Menu.buildFromTemplate.mock.calls.at(-1)?.[0] as Array<{
      label: string;
      submenu: Array<{ label: string; submenu?: Array<{ label: string }> }>;
    }>;
    const recent = menu[0].submenu.find((item) => item.label === 'Open Recent');
    expect(recent?.submenu?.[0].label).toBe('opened.vessel');
  });
});

describe('compute process', () => {
  it('runs as a utilityProcess and a crash is shown to the person', async () => {
    const loaded = await load();
    const child = Object.assign(new EventEmitter(), {
      pid: 999,
      postMessage: vi.fn(),
      kill: vi.fn(() => true),
    });
    loaded.electron.utilityProcess.fork.mockImplementation(() => child);
    const desktop = await loaded.lifecycle.startDesktopApp(loaded.paths);
    const host = desktop?.engine.context.compute();
    const started = host?.start();
    expect(loaded.electron.utilityProcess.fork).toHaveBeenCalledTimes(1);
    child.emit('message', { kind: 'ready', pid: 999 });
    await started;
    child.emit('exit', 134);
    await vi.waitFor(() => expect(loaded.electron.dialog.showMessageBox).toHaveBeenCalled());
    const options = loaded.electron.dialog.showMessageBox.mock.calls[0][1] as {
      type: string;
      detail: string;
    };
    expect(options.type).toBe('error');
    expect(options.detail).toMatch(/compute process exited with code 134/);
    // Restarted at once, as a new utility process.
    expect(loaded.electron.utilityProcess.fork).toHaveBeenCalledTimes(2);
  });
});

describe('quit with training running', () => {
  function fakeQuittable() {
    const target = Object.assign(new EventEmitter(), { quit: vi.fn() });
    const quit = () => {
      const event = {
        prevented: false,
        preventDefault() {
          this.prevented = true;
        },
      };
      target.emit('before-quit', event);
      return event.prevented;
    };
    return { target, quit };
  }

  it('asks, keeps running when the person says so, and cancels cleanly before quitting', async () => {
    const { lifecycle } = await load();
    const { target, quit } = fakeQuittable();
    let running = true;
    const order: string[] = [];
    const work = {
      describe: () => (running ? 'Training model v3 is running (epoch 4 of 20).' : null),
      cancel: vi.fn(async () => {
        order.push('cancelled');
        running = false;
      }),
    };
    const answers = [false, true];
    const confirm = vi.fn(async () => answers.shift() ?? false);
    target.quit.mockImplementation(() => order.push('quit'));
    lifecycle.installQuitGuard(target, work, confirm);

    expect(quit()).toBe(true);
    await vi.waitFor(() => expect(confirm).toHaveBeenCalledTimes(1));
    expect(confirm).toHaveBeenCalledWith('Training model v3 is running (epoch 4 of 20).');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(work.cancel).not.toHaveBeenCalled();
    expect(target.quit).not.toHaveBeenCalled();

    expect(quit()).toBe(true);
    await vi.waitFor(() => expect(target.quit).toHaveBeenCalledTimes(1));
    expect(order).toEqual(['cancelled', 'quit']);
    // The quit that follows goes through.
    expect(quit()).toBe(false);
  });

  it('does not ask when nothing runs, and asks once while the question is open', async () => {
    const { lifecycle } = await load();
    const { target, quit } = fakeQuittable();
    const confirm = vi.fn(() => new Promise<boolean>(() => {}));
    let running = false;
    lifecycle.installQuitGuard(
      target,
      { describe: () => (running ? 'Training is running.' : null), cancel: async () => {} },
      confirm,
    );
    expect(quit()).toBe(false);
    expect(confirm).not.toHaveBeenCalled();
    running = true;
    expect(quit()).toBe(true);
    expect(quit()).toBe(true);
    expect(confirm).toHaveBeenCalledTimes(1);
  });

  it('follows the engine training by default: asks, cancels through the contract, then quits', async () => {
    const loaded = await load();
    const desktop = await loaded.lifecycle.startDesktopApp(loaded.paths);
    const engine = desktop?.engine;
    if (!engine) throw new Error('no engine');
    const request = vi.spyOn(engine, 'request');
    engine.events.emit('training.state', runState(4, 'running'));
    loaded.electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    const event = {
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    loaded.electron.app.emit('before-quit', event);
    expect(event.prevented).toBe(true);
    await vi.waitFor(() => expect(loaded.electron.app.quit).toHaveBeenCalledTimes(1));
    const asked = loaded.electron.dialog.showMessageBox.mock.calls[0][1] as { message: string };
    expect(asked.message).toBe('Training run 4 is running. Quit anyway?');
    expect(request).toHaveBeenCalledWith('training.cancel', { runId: 4 });
    // The engine answered (no such run in this fresh engine), so nothing was left waiting.
    expect(await request.mock.results[0].value).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('also guards closing the window', async () => {
    const loaded = await load();
    const cancel = vi.fn(async () => {});
    const desktop = await loaded.lifecycle.startDesktopApp(loaded.paths, {
      runningWork: () => ({ describe: () => 'Training is running.', cancel }),
    });
    const window = desktop?.mainWindow() as unknown as FakeBrowserWindow;
    loaded.electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    window.close();
    expect(window.isDestroyed()).toBe(false);
    await vi.waitFor(() => expect(loaded.electron.dialog.showMessageBox).toHaveBeenCalledTimes(1));
    const options = loaded.electron.dialog.showMessageBox.mock.calls[0][1] as { buttons: string[] };
    expect(options.buttons).toEqual(['Keep Working', 'Cancel It and Quit']);
    expect(cancel).not.toHaveBeenCalled();
  });
});
