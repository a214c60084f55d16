/**
 * Every keyboard command of the studio in one table: the key handler and the shortcut sheet
 * ("?") both read it, so the sheet cannot drift from what the keys do.
 */

export type StudioCommand =
  | 'tool.brush'
  | 'tool.eraser'
  | 'tool.fill'
  | 'tool.polygon'
  | 'brush.smaller'
  | 'brush.larger'
  | 'edit.undo'
  | 'edit.redo'
  | 'layer.image'
  | 'layer.groundTruth'
  | 'layer.prediction'
  | 'layer.corrected'
  | 'layer.errors'
  | 'layer.style'
  | 'layer.observer'
  | 'threshold.down'
  | 'threshold.up'
  | 'view.fit'
  | 'view.actual'
  | 'view.zoomIn'
  | 'view.zoomOut'
  | 'image.next'
  | 'image.previous'
  | 'image.correctNext'
  | 'mask.revertGroundTruth'
  | 'mask.revertPrediction'
  | 'history.toggle'
  | 'dataset.open'
  | 'help.shortcuts';

export interface Shortcut {
  command: StudioCommand;
  /** Key specs: `Mod` is Ctrl, or Cmd on macOS; a letter is matched case-insensitively. */
  keys: string[];
  description: string;
  group: 'Tools' | 'Edit' | 'Layers' | 'View' | 'Images' | 'App';
}

export const SHORTCUTS: Shortcut[] = [
  { command: 'tool.brush', keys: ['B'], description: 'Brush', group: 'Tools' },
  { command: 'tool.eraser', keys: ['E'], description: 'Eraser', group: 'Tools' },
  {
    command: 'tool.fill',
    keys: ['F'],
    description: 'Fill (Alt+click erases a region)',
    group: 'Tools',
  },
  {
    command: 'tool.polygon',
    keys: ['P'],
    description: 'Polygon: click points, Enter fills, Esc cancels (Alt: erase)',
    group: 'Tools',
  },
  {
    command: 'brush.smaller',
    keys: ['['],
    description: 'Smaller brush (Alt-drag sizes too)',
    group: 'Tools',
  },
  { command: 'brush.larger', keys: [']'], description: 'Larger brush', group: 'Tools' },
  { command: 'edit.undo', keys: ['Mod+Z'], description: 'Undo', group: 'Edit' },
  { command: 'edit.redo', keys: ['Mod+Shift+Z', 'Ctrl+Y'], description: 'Redo', group: 'Edit' },
  {
    command: 'mask.revertGroundTruth',
    keys: ['Shift+G'],
    description: 'Revert mask to the ground truth',
    group: 'Edit',
  },
  {
    command: 'mask.revertPrediction',
    keys: ['Shift+R'],
    description: 'Revert mask to the thresholded prediction',
    group: 'Edit',
  },
  { command: 'history.toggle', keys: ['H'], description: 'Revision history', group: 'Edit' },
  { command: 'layer.image', keys: ['1'], description: 'Fundus image', group: 'Layers' },
  { command: 'layer.groundTruth', keys: ['2'], description: 'Ground truth', group: 'Layers' },
  { command: 'layer.prediction', keys: ['3'], description: 'Prediction heatmap', group: 'Layers' },
  { command: 'layer.corrected', keys: ['4'], description: 'Corrected mask', group: 'Layers' },
  {
    command: 'layer.errors',
    keys: ['5'],
    description: 'Error map (TP / FP / FN)',
    group: 'Layers',
  },
  { command: 'layer.style', keys: ['C'], description: 'Masks filled / contours', group: 'Layers' },
  {
    command: 'layer.observer',
    keys: ['O'],
    description: 'Ground truth: 1st / 2nd observer',
    group: 'Layers',
  },
  { command: 'threshold.down', keys: [','], description: 'Lower the threshold', group: 'Layers' },
  { command: 'threshold.up', keys: ['.'], description: 'Raise the threshold', group: 'Layers' },
  { command: 'view.fit', keys: ['Mod+0', 'Home'], description: 'Fit to window', group: 'View' },
  { command: 'view.actual', keys: ['Mod+1'], description: 'Actual pixels (1:1)', group: 'View' },
  { command: 'view.zoomIn', keys: ['+', '='], description: 'Zoom in', group: 'View' },
  { command: 'view.zoomOut', keys: ['-'], description: 'Zoom out', group: 'View' },
  { command: 'image.next', keys: ['J', 'PageDown'], description: 'Next image', group: 'Images' },
  {
    command: 'image.previous',
    keys: ['K', 'PageUp'],
    description: 'Previous image',
    group: 'Images',
  },
  {
    command: 'image.correctNext',
    keys: ['N'],
    description: 'Next image to correct (uncertainty and disagreement)',
    group: 'Images',
  },
  {
    command: 'dataset.open',
    keys: ['Mod+O'],
    description: 'Open a dataset or project',
    group: 'App',
  },
  { command: 'help.shortcuts', keys: ['?'], description: 'This sheet', group: 'App' },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Whether a key event matches a spec such as `Mod+Shift+Z`, `Ctrl+Y`, `B`, `[` or `?`. */
export function matchesKey(spec: string, event: KeyLike, isMac: boolean): boolean {
  const parts = spec.split('+');
  // `+` on its own is the key itself.
  const key = spec === '+' ? '+' : parts[parts.length - 1]!;
  const mods = spec === '+' ? [] : parts.slice(0, -1);
  const wantMod = mods.includes('Mod');
  const wantCtrl = mods.includes('Ctrl') || (wantMod && !isMac);
  const wantMeta = wantMod && isMac;
  const wantShift = mods.includes('Shift');
  if (event.ctrlKey !== wantCtrl || event.metaKey !== wantMeta || event.altKey) return false;
  const isLetter = /^[A-Za-z]$/.test(key);
  if (isLetter || key.length > 1) {
    // Letters and named keys: Shift must match exactly.
    if (event.shiftKey !== wantShift) return false;
    return event.key.toLowerCase() === key.toLowerCase();
  }
  // Punctuation and digits: the character typed decides (`?` needs Shift on most layouts).
  return event.key === key;
}

/** The command a key event triggers, or null. */
export function commandForKey(event: KeyLike, isMac: boolean): StudioCommand | null {
  for (const shortcut of SHORTCUTS) {
    if (shortcut.keys.some((spec) => matchesKey(spec, event, isMac))) return shortcut.command;
  }
  return null;
}

/** How a key spec reads on this platform: `Mod+Z` is `Ctrl+Z`, or `⌘Z` on macOS. */
export function displayKey(spec: string, isMac: boolean): string {
  return isMac ? spec.replace('Mod+', '⌘') : spec.replace('Mod+', 'Ctrl+');
}
