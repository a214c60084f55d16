/**
 * The one window factory and the one security policy every window and session gets:
 * an isolated, sandboxed renderer without node, a Content-Security-Policy, no navigation,
 * no new windows, no permissions and nothing loaded from anywhere but the app itself.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BrowserWindow,
  shell,
  type BrowserWindowConstructorOptions,
  type Session,
  type WebContents,
  type WebPreferences,
} from 'electron';

/** Where the renderer comes from: the built files, or electron-vite's dev server. */
export type AppContent = { kind: 'file'; indexFile: string } | { kind: 'dev'; url: string };

/**
 * The renderer's origin. `ELECTRON_RENDERER_URL` is set by `electron-vite dev` only, and it is
 * ignored in a packaged app so that an environment variable cannot point the app at a server.
 */
export function resolveAppContent(
  rendererDir: string,
  env: NodeJS.ProcessEnv,
  isPackaged: boolean,
): AppContent {
  const devUrl = env.ELECTRON_RENDERER_URL;
  if (!isPackaged && devUrl !== undefined && isLoopbackHttpUrl(devUrl)) {
    return { kind: 'dev', url: devUrl };
  }
  return { kind: 'file', indexFile: path.resolve(rendererDir, 'index.html') };
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function isLoopbackHttpUrl(url: string): boolean {
  const parsed = parseUrl(url);
  return (
    parsed !== null &&
    parsed.protocol === 'http:' &&
    ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)
  );
}

function filePathOf(url: URL): string | null {
  if (url.protocol !== 'file:') return null;
  try {
    return path.resolve(fileURLToPath(url));
  } catch {
    return null;
  }
}

/** True for the app's own page: the only URL a trusted frame may show. */
export function isAppPageUrl(url: string, content: AppContent): boolean {
  const parsed = parseUrl(url);
  if (parsed === null) return false;
  if (content.kind === 'dev') return parsed.origin === new URL(content.url).origin;
  return filePathOf(parsed) === content.indexFile;
}

/** True for any file the app's page may load: its own page and the files beside it. */
export function isAppResourceUrl(url: string, content: AppContent): boolean {
  const parsed = parseUrl(url);
  if (parsed === null) return false;
  if (content.kind === 'dev') {
    const dev = new URL(content.url);
    // Vite's hot reload talks over a WebSocket to the same host and port.
    const sameHost = parsed.host === dev.host;
    return parsed.origin === dev.origin || (sameHost && parsed.protocol === 'ws:');
  }
  const file = filePathOf(parsed);
  if (file === null) return false;
  const rendererDir = path.dirname(content.indexFile);
  const relative = path.relative(rendererDir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * Requests a window may make: the app's files, in-memory data (PNG bytes become blob: or
 * data: URLs) and the developer tools. Everything else, any remote host included, is cancelled.
 */
export function isAllowedRequestUrl(url: string, content: AppContent): boolean {
  if (isAppResourceUrl(url, content)) return true;
  const parsed = parseUrl(url);
  if (parsed === null) return false;
  return ['data:', 'blob:', 'devtools:'].includes(parsed.protocol);
}

/** True for links a person may follow in their own browser: http(s) only, never file: or others. */
export function isExternalWebUrl(url: string): boolean {
  const parsed = parseUrl(url);
  return parsed !== null && (parsed.protocol === 'https:' || parsed.protocol === 'http:');
}

/**
 * The Content-Security-Policy of the app's page. Production allows only the app's own files;
 * the dev server needs inline scripts and styles (React refresh, Vite's injected CSS) and its
 * hot-reload WebSocket, and nothing more.
 */
export function buildContentSecurityPolicy(content: AppContent): string {
  const dev = content.kind === 'dev';
  const devOrigin = dev ? new URL(content.url) : null;
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    // wasm-unsafe-eval lets the page compile WebAssembly (as the renderer's own meta policy
    // does) without allowing eval of JavaScript.
    ['script-src', ["'self'", "'wasm-unsafe-eval'", ...(dev ? ["'unsafe-inline'"] : [])]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', devOrigin ? ["'self'", `ws://${devOrigin.host}`] : ["'self'"]],
    ['worker-src', ["'self'", 'blob:']],
    ['object-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/** The response headers of app content with our policy in place of any the server sent. */
export function withContentSecurityPolicy(
  headers: Record<string, string[]> | undefined,
  policy: string,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [policy];
  return result;
}

/** The renderer's settings; every window the app opens uses exactly these. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

const securedSessions = new WeakSet<Session>();

/**
 * Denies every permission, cancels every request that is not app content, and puts the CSP
 * header on app content. Applied once per session.
 */
export function applySessionPolicy(session: Session, content: AppContent): void {
  if (securedSessions.has(session)) return;
  securedSessions.add(session);
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequestUrl(details.url, content) });
  });
  const policy = buildContentSecurityPolicy(content);
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppResourceUrl(details.url, content)) {
      callback({});
      return;
    }
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, policy) });
  });
}

const hardenedContents = new WeakSet<WebContents>();

/** Opens http(s) links in the person's browser; never anything else (file:, custom schemes). */
export type OpenExternal = (url: string) => Promise<void>;

/**
 * Navigation and new windows are denied for every window; a http(s) link the person clicks
 * is handed to their browser instead.
 */
export function hardenWebContents(
  webContents: WebContents,
  openExternal: OpenExternal = (url) => shell.openExternal(url),
): void {
  // Every web contents is hardened when created and our windows again by the factory: once is enough.
  if (hardenedContents.has(webContents)) return;
  hardenedContents.add(webContents);
  const openInBrowser = (url: string) => {
    if (isExternalWebUrl(url)) void openExternal(url).catch(() => undefined);
  };
  webContents.setWindowOpenHandler(({ url }) => {
    openInBrowser(url);
    return { action: 'deny' };
  });
  webContents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openInBrowser(url);
  });
  // Sub-frames (were one ever created) may not navigate either.
  webContents.on('will-frame-navigate', (event) => event.preventDefault());
  webContents.on('will-redirect', (event) => event.preventDefault());
  webContents.on('will-attach-webview', (event) => event.preventDefault());
}

const appWindows = new Set<BrowserWindow>();

/** True when these web contents belong to a window this factory made (and still open). */
export function isAppWebContents(webContents: WebContents): boolean {
  for (const window of appWindows) {
    if (!window.isDestroyed() && window.webContents === webContents) return true;
  }
  return false;
}

/** Every open app window, for sending events. */
export function listAppWindows(): BrowserWindow[] {
  return [...appWindows].filter((window) => !window.isDestroyed());
}

export interface AppWindowOptions {
  content: AppContent;
  preloadPath: string;
  /** Size and position (restored from the last session); the default is centred. */
  bounds?: { x?: number; y?: number; width: number; height: number };
  maximized?: boolean;
  title?: string;
  icon?: string;
  openExternal?: OpenExternal;
}

/** Creates the app window with the one policy, and loads the app's page. */
export function createAppWindow(options: AppWindowOptions): BrowserWindow {
  const constructorOptions: BrowserWindowConstructorOptions = {
    width: options.bounds?.width ?? 1400,
    height: options.bounds?.height ?? 900,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: options.title ?? 'Vessel Studio',
    backgroundColor: '#111418',
    webPreferences: secureWebPreferences(options.preloadPath),
  };
  if (options.bounds?.x !== undefined && options.bounds.y !== undefined) {
    constructorOptions.x = options.bounds.x;
    constructorOptions.y = options.bounds.y;
  }
  if (options.icon !== undefined) constructorOptions.icon = options.icon;
  const window = new BrowserWindow(constructorOptions);
  appWindows.add(window);
  window.on('closed', () => appWindows.delete(window));
  applySessionPolicy(window.webContents.session, options.content);
  hardenWebContents(window.webContents, options.openExternal);
  window.once('ready-to-show', () => {
    if (options.maximized === true) window.maximize();
    window.show();
  });
  const loading =
    options.content.kind === 'dev'
      ? window.loadURL(options.content.url)
      : window.loadFile(options.content.indexFile);
  loading.catch((error: unknown) => {
    console.error(`Could not load the app page: ${(error as Error).message ?? String(error)}`);
  });
  return window;
}
