/**
 * The window's size, position and maximised state, saved when it closes and restored at the
 * next start. A position that no longer lies on any display (a monitor was unplugged) is
 * dropped, so the window never opens out of sight.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = {
  bounds: { width: 1400, height: 900 },
  maximized: false,
};

const MIN_WIDTH = 800;
const MIN_HEIGHT = 560;
/** How much of the title bar must lie on a display for the saved position to be kept. */
const VISIBLE_MARGIN = 64;

const stateSchema = z.object({
  bounds: z.object({
    x: z.number().int().optional(),
    y: z.number().int().optional(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
  }),
  maximized: z.boolean(),
});

function titleBarVisible(bounds: Rectangle, workArea: Rectangle): boolean {
  const left = Math.max(bounds.x, workArea.x);
  const right = Math.min(bounds.x + bounds.width, workArea.x + workArea.width);
  const top = bounds.y;
  return (
    right - left >= VISIBLE_MARGIN && top >= workArea.y && top < workArea.y + workArea.height - 32
  );
}

/**
 * Fits a saved state to the displays there are now: sizes are clamped to the largest work area,
 * and the position is kept only when the title bar is on some display.
 */
export function fitToDisplays(state: WindowState, workAreas: Rectangle[]): WindowState {
  const maxWidth = Math.max(MIN_WIDTH, ...workAreas.map((a) => a.width));
  const maxHeight = Math.max(MIN_HEIGHT, ...workAreas.map((a) => a.height));
  const width = Math.min(Math.max(state.bounds.width, MIN_WIDTH), maxWidth);
  const height = Math.min(Math.max(state.bounds.height, MIN_HEIGHT), maxHeight);
  const { x, y } = state.bounds;
  if (x !== undefined && y !== undefined) {
    const bounds = { x, y, width, height };
    if (workAreas.some((area) => titleBarVisible(bounds, area))) {
      return { bounds, maximized: state.maximized };
    }
  }
  return { bounds: { width, height }, maximized: state.maximized };
}

/** Reads the saved state; a missing or unreadable file gives the default (never an error). */
export function loadWindowState(file: string, workAreas: Rectangle[]): WindowState {
  let saved: WindowState = DEFAULT_WINDOW_STATE;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) saved = parsed.data;
    else console.warn(`Ignored ${file}: not a window state (${parsed.error.issues[0]?.message}).`);
  } catch {
    // No saved state yet (first start) or unreadable JSON: the default is right.
  }
  return fitToDisplays(saved, workAreas);
}

/** Saves the state (write then rename, so a crash never leaves half a file). */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state)}\n`);
  renameSync(temporary, file);
}

/** The part of a BrowserWindow whose state is saved. */
export interface StatefulWindow {
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
  on(event: 'close', listener: () => void): unknown;
}

/** Saves the window's state when it closes. */
export function keepWindowState(window: StatefulWindow, file: string): void {
  window.on('close', () => {
    try {
      saveWindowState(file, { bounds: window.getNormalBounds(), maximized: window.isMaximized() });
    } catch (error) {
      console.warn(`Could not save the window state to ${file}: ${(error as Error).message}`);
    }
  });
}
