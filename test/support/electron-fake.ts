/**
 * A stand-in for the `electron` module in main-process unit tests. The Electron binary is
 * downloaded on first use from outside the npm registry, so it is absent here and in CI;
 * tests mock `electron` with this fake and check main's code against electron's own types.
 * Each fake records what main asked of it, so tests can drive the handlers main installed.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type Handler = (...args: never[]) => unknown;

/** A fake event with preventDefault, as Electron passes to will-navigate and friends. */
export function fakeEvent(): { defaultPrevented: boolean; preventDefault(): void } {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

export class FakeSession {
  permissionRequestHandler: Handler | null = null;
  permissionCheckHandler: Handler | null = null;
  devicePermissionHandler: Handler | null = null;
  beforeRequest: Handler | null = null;
  headersReceived: Handler | null = null;
  setPermissionRequestHandler(handler: Handler | null) {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: Handler | null) {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: Handler | null) {
    this.devicePermissionHandler = handler;
  }
  webRequest = {
    onBeforeRequest: (handler: Handler) => {
      this.beforeRequest = handler;
    },
    onHeadersReceived: (handler: Handler) => {
      this.headersReceived = handler;
    },
  };
}

export const defaultSession = new FakeSession();

let nextId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  session: FakeSession = defaultSession;
  windowOpenHandler: Handler | null = null;
  url = '';
  readonly send = vi.fn();
  setWindowOpenHandler(handler: Handler) {
    this.windowOpenHandler = handler;
  }
  getURL() {
    return this.url;
  }
  isDestroyed() {
    return false;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  static getAllWindows() {
    return FakeBrowserWindow.all.filter((w) => !w.destroyed);
  }
  static fromWebContents(webContents: unknown) {
    return FakeBrowserWindow.all.find((w) => w.webContents === webContents) ?? null;
  }
  static getFocusedWindow() {
    return FakeBrowserWindow.all.find((w) => w.focused && !w.destroyed) ?? null;
  }

  readonly webContents = new FakeWebContents();
  destroyed = false;
  focused = false;
  minimized = false;
  maximized = false;
  visible = false;
  bounds: { x: number; y: number; width: number; height: number };
  loaded: { url?: string; file?: string } = {};

  constructor(readonly options: Record<string, unknown>) {
    super();
    this.bounds = {
      x: (options.x as number | undefined) ?? 100,
      y: (options.y as number | undefined) ?? 100,
      width: (options.width as number | undefined) ?? 800,
      height: (options.height as number | undefined) ?? 600,
    };
    FakeBrowserWindow.all.push(this);
  }
  loadURL(url: string) {
    this.loaded = { url };
    this.webContents.url = url;
    return Promise.resolve();
  }
  loadFile(file: string) {
    this.loaded = { file };
    this.webContents.url = new URL(`file://${file}`).href;
    return Promise.resolve();
  }
  isDestroyed() {
    return this.destroyed;
  }
  show() {
    this.visible = true;
  }
  focus() {
    this.focused = true;
  }
  restore() {
    this.minimized = false;
  }
  isMinimized() {
    return this.minimized;
  }
  isMaximized() {
    return this.maximized;
  }
  maximize() {
    this.maximized = true;
  }
  getBounds() {
    return { ...this.bounds };
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  close() {
    const event = fakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
  }
}

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler) {
    if (this.handlers.has(channel)) {
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    }
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
}

export class FakeApp extends EventEmitter {
  isPackaged = false;
  hasLock = true;
  readonly quit = vi.fn();
  readonly exit = vi.fn();
  readonly focus = vi.fn();
  readonly addRecentDocument = vi.fn();
  readonly clearRecentDocuments = vi.fn();
  readonly setAppUserModelId = vi.fn();
  userData = '/tmp/vessel-fake-user-data';
  requestSingleInstanceLock() {
    return this.hasLock;
  }
  setPath(name: string, value: string) {
    if (name === 'userData') this.userData = value;
  }
  getPath(name: string) {
    if (name === 'userData') return this.userData;
    return `/tmp/vessel-fake-${name}`;
  }
  getVersion() {
    return '0.0.0-test';
  }
  getName() {
    return 'Vessel Studio';
  }
  whenReady() {
    return Promise.resolve();
  }
}

/** A complete fake: `vi.mock('electron', () => createElectronFake())` then import it to drive it. */
export function createElectronFake() {
  FakeBrowserWindow.all = [];
  const app = new FakeApp();
  const ipcMain = new FakeIpcMain();
  const menu = {
    current: null as null | { template: unknown[] },
    buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
    setApplicationMenu: vi.fn((built: { template: unknown[] } | null) => {
      menu.current = built;
    }),
  };
  const dialog = {
    showOpenDialog: vi.fn(),
    showSaveDialog: vi.fn(),
    showMessageBox: vi.fn(),
    showErrorBox: vi.fn(),
  };
  const shell = { openExternal: vi.fn(() => Promise.resolve()) };
  const screen = {
    displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
    getAllDisplays: () => screen.displays,
  };
  const utilityProcess = { fork: vi.fn() };
  /** Back to a just-started app (vi.resetModules keeps a mocked module's instance). */
  const reset = () => {
    FakeBrowserWindow.all = [];
    app.removeAllListeners();
    app.hasLock = true;
    app.isPackaged = false;
    ipcMain.handlers.clear();
    menu.current = null;
    vi.clearAllMocks();
  };
  return {
    reset,
    app,
    ipcMain,
    BrowserWindow: FakeBrowserWindow,
    Menu: menu,
    dialog,
    shell,
    screen,
    session: { defaultSession },
    utilityProcess,
  };
}

export type ElectronFake = ReturnType<typeof createElectronFake>;
