import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_WINDOW_STATE,
  fitToDisplays,
  keepWindowState,
  loadWindowState,
} from './window-state';

const root = mkdtempSync(path.join(os.tmpdir(), 'vessel-window-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const display = { x: 0, y: 0, width: 1920, height: 1080 };

describe('window state', () => {
  it('restores the size, position and maximised state saved at close', () => {
    const file = path.join(root, 'state', 'window.json');
    const window = Object.assign(new EventEmitter(), {
      getNormalBounds: () => ({ x: 120, y: 80, width: 1200, height: 800 }),
      isMaximized: () => true,
    });
    keepWindowState(window, file);
    window.emit('close');
    expect(loadWindowState(file, [display])).toEqual({
      bounds: { x: 120, y: 80, width: 1200, height: 800 },
      maximized: true,
    });
  });

  it('drops a position that lies on no display any more, keeping the size', () => {
    const offScreen = { bounds: { x: 3000, y: 100, width: 1200, height: 800 }, maximized: false };
    expect(fitToDisplays(offScreen, [display])).toEqual({
      bounds: { width: 1200, height: 800 },
      maximized: false,
    });
    const secondMonitor = { x: 1920, y: 0, width: 2560, height: 1440 };
    expect(fitToDisplays(offScreen, [display, secondMonitor]).bounds.x).toBe(3000);
  });

  it('clamps sizes to the display and to the minimum', () => {
    const huge = { bounds: { width: 9000, height: 9000 }, maximized: false };
    expect(fitToDisplays(huge, [display]).bounds).toEqual({ width: 1920, height: 1080 });
    const tiny = { bounds: { x: 10, y: 10, width: 10, height: 10 }, maximized: false };
    expect(fitToDisplays(tiny, [display]).bounds).toEqual({
      x: 10,
      y: 10,
      width: 800,
      height: 560,
    });
  });

  it('starts with the default when nothing was saved or the file is damaged', () => {
    expect(loadWindowState(path.join(root, 'none.json'), [display])).toEqual(DEFAULT_WINDOW_STATE);
    const damaged = path.join(root, 'damaged.json');
    writeFileSync(damaged, '{"bounds": {"width": "wide"}}');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(loadWindowState(damaged, [display])).toEqual(DEFAULT_WINDOW_STATE);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('damaged.json'));
    warn.mockRestore();
  });
});
