import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type {
  ElectronFake,
  FakeBrowserWindow as FakeWindow,
} from '../../../test/support/electron-fake';

vi.mock('electron', async () =>
  (await import('../../../test/support/electron-fake')).createElectronFake(),
);

const electron = (await import('electron')) as unknown as ElectronFake;
const { FakeBrowserWindow } = await import('../../../test/support/electron-fake');
const { requestNames } = await import('../../shared/api');
const { IPC_EVENT_CHANNEL } = await import('../../shared/api/ipc');
const { createEngine } = await import('../engine');
const { bindContractToIpc, isTrustedSender } = await import('./ipc');
const { createAppWindow } = await import('./window');

const content = {
  kind: 'file' as const,
  indexFile: path.resolve('/opt/vessel/out/renderer/index.html'),
};
const pageUrl = pathToFileURL(content.indexFile).href;

type Invoke = (event: unknown, input: unknown) => Promise<unknown>;

function setUp() {
  const engine = createEngine({
    mode: 'electron',
    appVersion: '0.0.0-test',
    electronVersion: '45.5.0',
    resourcesDir: path.resolve('resources'),
    forcedBackend: { name: 'cpu', by: 'setting' },
  });
  const window = createAppWindow({
    content,
    preloadPath: '/opt/vessel/out/preload/index.cjs',
  }) as unknown as FakeWindow;
  const unbind = bindContractToIpc({
    handlers: engine.handlers,
    isTrustedSender: (event) => isTrustedSender(event, content),
    events: engine.events,
    eventTargets: () => [window.webContents as never],
  });
  const trusted = {
    sender: window.webContents,
    senderFrame: { url: pageUrl, parent: null },
  };
  const invoke = (name: string, event: unknown, input: unknown) =>
    (electron.ipcMain.handlers.get(name) as Invoke)(event, input);
  return { engine, window, unbind, trusted, invoke };
}

describe('IPC wiring', () => {
  it('registers a handler under every request name of the contract', () => {
    const { unbind } = setUp();
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...requestNames].sort());
    unbind();
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('answers a trusted request with the engine result in the envelope', async () => {
    const { unbind, trusted, invoke } = setUp();
    const result = (await invoke('app.info', trusted, {})) as {
      ok: boolean;
      value: { mode: string; version: string; backend: { active: string } };
    };
    expect(result.ok).toBe(true);
    expect(result.value.mode).toBe('electron');
    expect(result.value.version).toBe('0.0.0-test');
    expect(result.value.backend.active).toBe('cpu');
    unbind();
  });

  it('refuses bad input with the BAD_INPUT envelope before any handler runs', async () => {
    const { engine, unbind, trusted, invoke } = setUp();
    const spy = vi.spyOn(engine.handlers, 'shell.openDialog');
    const unknownKey = (await invoke('app.info', trusted, { surprise: 1 })) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    expect(unknownKey.ok).toBe(false);
    expect(unknownKey.error.code).toBe('BAD_INPUT');
    expect(unknownKey.error.message).toContain('app.info');
    const badEnum = (await invoke('shell.openDialog', trusted, { purpose: 'anything' })) as {
      ok: boolean;
      error: { code: string };
    };
    expect(badEnum).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    const notAnObject = (await invoke('shell.addRecentFile', trusted, 'rm -rf /')) as {
      ok: boolean;
      error: { code: string };
    };
    expect(notAnObject).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(spy).not.toHaveBeenCalled();
    unbind();
  });

  it('refuses a foreign sender with FORBIDDEN, whatever it asks', async () => {
    const { window, unbind, trusted, invoke } = setUp();
    const stranger = new FakeBrowserWindow({});
    const foreign = [
      { ...trusted, senderFrame: null },
      { ...trusted, senderFrame: { url: pageUrl, parent: { url: pageUrl } } },
      { ...trusted, senderFrame: { url: 'https://evil.example/', parent: null } },
      { ...trusted, senderFrame: { url: 'file:///tmp/index.html', parent: null } },
      { sender: stranger.webContents, senderFrame: { url: pageUrl, parent: null } },
    ];
    for (const event of foreign) {
      const result = (await invoke('app.info', event, {})) as {
        ok: boolean;
        error: { code: string };
      };
      expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(isTrustedSender(event as never, content)).toBe(false);
    }
    expect(isTrustedSender(trusted as never, content)).toBe(true);
    // A closed window's contents are no longer ours.
    window.destroy();
    expect(isTrustedSender(trusted as never, content)).toBe(false);
    unbind();
  });

  it('forwards engine events to the windows on the one event channel', () => {
    const { engine, window, unbind } = setUp();
    const payload = { level: 'info' as const, message: 'hello', time: '2026-01-01T00:00:00Z' };
    engine.events.emit('app.log', payload);
    expect(window.webContents.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, {
      name: 'app.log',
      payload,
    });
    unbind();
    engine.events.emit('app.log', payload);
    expect(window.webContents.send).toHaveBeenCalledTimes(1);
  });
});
