import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type {
  ElectronFake,
  FakeBrowserWindow as FakeWindow,
  FakeSession,
} from '../../../test/support/electron-fake';

vi.mock('electron', async () =>
  (await import('../../../test/support/electron-fake')).createElectronFake(),
);

const electron = (await import('electron')) as unknown as ElectronFake;
const { fakeEvent, FakeWebContents } = await import('../../../test/support/electron-fake');
const {
  buildContentSecurityPolicy,
  createAppWindow,
  hardenWebContents,
  isAllowedRequestUrl,
  isAppPageUrl,
  isAppWebContents,
  resolveAppContent,
} = await import('./window');

const rendererDir = path.resolve('/opt/vessel/out/renderer');
const content = { kind: 'file' as const, indexFile: path.join(rendererDir, 'index.html') };
const indexUrl = pathToFileURL(content.indexFile).href;

function openWindow() {
  const openExternal = vi.fn(() => Promise.resolve());
  const window = createAppWindow({
    content,
    preloadPath: '/opt/vessel/out/preload/index.cjs',
    openExternal,
  }) as unknown as FakeWindow;
  return { window, openExternal };
}

/** Opens a window and returns the session the factory secured (the fake's default session). */
function openWindowWithSession() {
  openWindow();
  return { session: electron.session.defaultSession as unknown as FakeSession };
}

describe('window factory', () => {
  it('turns on context isolation and the sandbox, and node integration off everywhere', () => {
    const { window } = openWindow();
    const prefs = window.options.webPreferences as Record<string, unknown>;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.preload).toBe('/opt/vessel/out/preload/index.cjs');
  });

  it('loads only the app page from disk, never a remote URL', () => {
    const { window } = openWindow();
    expect(window.loaded).toEqual({ file: content.indexFile });
  });

  it('ignores ELECTRON_RENDERER_URL in a packaged app and refuses a non-loopback dev server', () => {
    const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173' };
    expect(resolveAppContent(rendererDir, env, true)).toEqual(content);
    expect(resolveAppContent(rendererDir, env, false)).toEqual({
      kind: 'dev',
      url: 'http://localhost:5173',
    });
    expect(
      resolveAppContent(rendererDir, { ELECTRON_RENDERER_URL: 'http://evil.example:5173' }, false),
    ).toEqual(content);
  });

  it('blocks navigation and sends http(s) links to the browser instead', () => {
    const { window, openExternal } = openWindow();
    const wc = window.webContents;
    const toRemote = fakeEvent();
    wc.emit('will-navigate', toRemote, 'https://example.org/paper.pdf');
    expect(toRemote.defaultPrevented).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://example.org/paper.pdf');

    const toFile = fakeEvent();
    wc.emit('will-navigate', toFile, 'file:///etc/passwd');
    expect(toFile.defaultPrevented).toBe(true);
    expect(openExternal).toHaveBeenCalledTimes(1);

    const toSelf = fakeEvent();
    wc.emit('will-navigate', toSelf, indexUrl);
    expect(toSelf.defaultPrevented).toBe(true);

    for (const name of ['will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = fakeEvent();
      wc.emit(name, event, 'https://example.org/');
      expect(event.defaultPrevented, name).toBe(true);
    }
  });

  it('hardens any web contents once, however often it is asked', () => {
    const contents = new FakeWebContents();
    const openExternal = vi.fn(() => Promise.resolve());
    hardenWebContents(contents as never, openExternal);
    hardenWebContents(contents as never, openExternal);
    expect(contents.listenerCount('will-navigate')).toBe(1);
    const event = fakeEvent();
    contents.emit('will-navigate', event, 'https://example.org/');
    expect(event.defaultPrevented).toBe(true);
    expect(openExternal).toHaveBeenCalledTimes(1);
    const open = contents.windowOpenHandler as (d: { url: string }) => { action: string };
    expect(open({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
  });

  it('denies window.open, handing http(s) URLs to the browser and nothing else', () => {
    const { window, openExternal } = openWindow();
    const handler = window.webContents.windowOpenHandler as (d: { url: string }) => {
      action: string;
    };
    expect(handler({ url: 'https://drive.grand-challenge.org/' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://drive.grand-challenge.org/');
    expect(handler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'smb://host/share' })).toEqual({ action: 'deny' });
    expect(handler({ url: indexUrl })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledTimes(1);
  });

  it('denies every permission request and check', () => {
    const { session } = openWindowWithSession();
    const granted: boolean[] = [];
    const request = session.permissionRequestHandler as (
      wc: unknown,
      permission: string,
      cb: (ok: boolean) => void,
    ) => void;
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
    ]) {
      request({}, permission, (ok) => granted.push(ok));
    }
    expect(granted).toEqual([false, false, false, false, false]);
    const check = session.permissionCheckHandler as (...args: unknown[]) => boolean;
    expect(check(null, 'media', indexUrl, {})).toBe(false);
    const device = session.devicePermissionHandler as (...args: unknown[]) => boolean;
    expect(device({ deviceType: 'usb' })).toBe(false);
  });

  it('puts the Content-Security-Policy header on app content, replacing any sent', () => {
    const { session } = openWindowWithSession();
    const onHeaders = session.headersReceived as (
      details: { url: string; responseHeaders?: Record<string, string[]> },
      cb: (r: { responseHeaders?: Record<string, string[]> }) => void,
    ) => void;
    let answer: { responseHeaders?: Record<string, string[]> } = {};
    onHeaders(
      {
        url: pathToFileURL(path.join(rendererDir, 'assets/index.js')).href,
        responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] },
      },
      (r) => (answer = r),
    );
    const headers = answer.responseHeaders ?? {};
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['X-Other']).toEqual(['1']);
    const policy = headers['Content-Security-Policy']?.[0] ?? '';
    expect(policy).toBe(buildContentSecurityPolicy(content));
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(policy).not.toMatch(/https?:/);
  });

  it('lets the dev server policy allow only its own origin and hot-reload socket', () => {
    const policy = buildContentSecurityPolicy({ kind: 'dev', url: 'http://localhost:5173/' });
    expect(policy).toContain("connect-src 'self' ws://localhost:5173");
    expect(policy).not.toContain('*');
  });

  it('loads no remote content: every request outside the app is cancelled', () => {
    const { session } = openWindowWithSession();
    const onBefore = session.beforeRequest as (
      details: { url: string },
      cb: (r: { cancel?: boolean }) => void,
    ) => void;
    const cancelled = (url: string) => {
      let decision: { cancel?: boolean } = {};
      onBefore({ url }, (r) => (decision = r));
      return decision.cancel;
    };
    expect(cancelled(indexUrl)).toBe(false);
    expect(cancelled(pathToFileURL(path.join(rendererDir, 'assets/app.css')).href)).toBe(false);
    expect(cancelled('blob:file:///1234')).toBe(false);
    expect(cancelled('data:image/png;base64,AAAA')).toBe(false);
    expect(cancelled('https://cdn.example.com/lib.js')).toBe(true);
    expect(cancelled('http://127.0.0.1:8080/')).toBe(true);
    expect(cancelled('file:///etc/passwd')).toBe(true);
    expect(cancelled(pathToFileURL(path.join(rendererDir, '../main/index.js')).href)).toBe(true);
    expect(isAllowedRequestUrl('ws://localhost:5173/', content)).toBe(false);
  });

  it('knows its own windows and its own page', () => {
    const { window } = openWindow();
    expect(isAppWebContents(window.webContents as never)).toBe(true);
    window.destroy();
    expect(isAppWebContents(window.webContents as never)).toBe(false);
    expect(isAppPageUrl(indexUrl, content)).toBe(true);
    expect(isAppPageUrl(`${indexUrl}#/images`, content)).toBe(true);
    expect(isAppPageUrl('file:///tmp/index.html', content)).toBe(false);
  });
});
