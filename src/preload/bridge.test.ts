import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { requestNames } from '../shared/api';
import { IPC_EVENT_CHANNEL } from '../shared/api/ipc';
import { createBridgeApi } from './bridge';

function fakeIpcRenderer() {
  const emitter = new EventEmitter();
  const invoke = vi.fn(async (channel: string, input: unknown) => ({
    ok: true,
    value: { channel, input },
  }));
  return {
    invoke,
    on: (channel: string, listener: (...args: unknown[]) => void) => emitter.on(channel, listener),
    deliver: (message: unknown) => emitter.emit(IPC_EVENT_CHANNEL, {}, message),
  };
}

/** Every value reachable from the API, with its path. */
function leaves(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (typeof value !== 'object' || value === null) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) =>
    leaves(inner, prefix === '' ? key : `${prefix}.${key}`),
  );
}

describe('preload bridge', () => {
  it('exposes one named function per request, and only functions', () => {
    const api = createBridgeApi(fakeIpcRenderer());
    const found = leaves(api);
    expect(found.every(([, value]) => typeof value === 'function')).toBe(true);
    const names = found.map(([name]) => name).filter((name) => name !== 'on');
    expect(names.sort()).toEqual([...requestNames].sort());
    const keys = found.map(([name]) => name.toLowerCase()).join(' ');
    expect(keys).not.toMatch(/ipc|invoke|send|require|process/);
  });

  it('invokes the channel named like the request, with {} when called without input', async () => {
    const ipc = fakeIpcRenderer();
    const api = createBridgeApi(ipc);
    expect(await api.app.info()).toEqual({ ok: true, value: { channel: 'app.info', input: {} } });
    await api.shell.openDialog({ purpose: 'dataset' });
    expect(ipc.invoke).toHaveBeenLastCalledWith('shell.openDialog', { purpose: 'dataset' });
  });

  it('turns a failed invoke into a TRANSPORT error value', async () => {
    const ipc = fakeIpcRenderer();
    ipc.invoke.mockRejectedValueOnce(new Error("No handler registered for 'app.info'"));
    const result = await createBridgeApi(ipc).app.info();
    expect(result).toMatchObject({ ok: false, error: { code: 'TRANSPORT' } });
  });

  it('fans events out by name and stops after unsubscribing', () => {
    const ipc = fakeIpcRenderer();
    const api = createBridgeApi(ipc);
    const menu = vi.fn();
    const log = vi.fn();
    const off = api.on('shell.menu', menu);
    api.on('app.log', log);
    ipc.deliver({ name: 'shell.menu', payload: { command: 'edit.undo' } });
    ipc.deliver('not a message');
    expect(menu).toHaveBeenCalledWith({ command: 'edit.undo' });
    expect(log).not.toHaveBeenCalled();
    off();
    ipc.deliver({ name: 'shell.menu', payload: { command: 'edit.redo' } });
    expect(menu).toHaveBeenCalledTimes(1);
    expect(() => api.on('no.such' as never, vi.fn())).toThrow(/Unknown event/);
  });
});
