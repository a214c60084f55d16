import { describe, expect, it, vi } from 'vitest';

const exposed = new Map<string, unknown>();
const ipcRenderer = { invoke: vi.fn(), on: vi.fn() };
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer,
}));

describe('preload entry', () => {
  it('exposes the contract as window.vessel and never ipcRenderer itself', async () => {
    await import('./index');
    expect([...exposed.keys()]).toEqual(['vessel']);
    const api = exposed.get('vessel') as Record<string, unknown>;
    expect(Object.values(api)).not.toContain(ipcRenderer);
    expect(typeof (api.app as Record<string, unknown>).info).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    expect(ipcRenderer.on).toHaveBeenCalledTimes(1);
  });
});
