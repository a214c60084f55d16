/**
 * Every command of the studio in one registry: its id, title, keys, the application-menu
 * command that triggers it, and what it does. The key handler, the menus and the shortcut
 * sheet all read this table, so none of them can drift from what the others do.
 */
import type { MenuCommand } from '../../../shared/api/shell';
import type { RetrainScope } from '../../../shared/api/training';
import { matchesKey, type KeyLike } from '../canvas/shortcuts';
import type { LayerId, Scene, Tool } from './scene';

export type CommandId =
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
  | 'layer.uncertainty'
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
  | 'training.retrain'
  | 'training.quickRetrain'
  | 'dataset.open'
  | 'project.export'
  | 'help.shortcuts';

/** What a command may act on: the scene, and the actions that need the engine or the canvas. */
export interface CommandContext {
  scene: Scene;
  undo(): void;
  redo(): void;
  revertToGroundTruth(): void;
  revertToPrediction(): void;
  selectImage(id: string): Promise<void>;
  refreshRevisions(): Promise<void>;
  /** Presses the Train panel's Retrain button (nothing while it is disabled or not shown). */
  /** Starts what the Train panel's button of that scope starts (nothing while it is disabled). */
  retrain(scope: RetrainScope): void;
}

export type CommandGroup = 'Tools' | 'Edit' | 'Layers' | 'View' | 'Images' | 'Training' | 'App';

/** One command. */
export interface Command {
  id: CommandId;
  /** What the shortcut sheet says. */
  title: string;
  /** Key specs: `Mod` is Ctrl, or Cmd on macOS; a letter is matched case-insensitively. */
  keys: string[];
  group: CommandGroup;
  /** The application menu's command for it, where the menu has one (ids fixed by the contract). */
  menu?: MenuCommand;
  perform(ctx: CommandContext): void;
}

const selectTool = (tool: Tool, key: string, title: string): Command => ({
  id: `tool.${tool}`,
  title,
  keys: [key],
  group: 'Tools',
  perform: ({ scene }) => scene.setTool(tool),
});

const toggleLayer = (layer: LayerId, key: string, title: string, menu: MenuCommand): Command => ({
  id: `layer.${layer}`,
  title,
  keys: [key],
  group: 'Layers',
  menu,
  perform: ({ scene }) => scene.toggleLayer(layer),
});

/** Steps to the image `stepTarget` names, if any; image loads run in the background. */
const step =
  (delta: number, order: 'list' | 'correctNext') =>
  (ctx: CommandContext): void => {
    const target = ctx.scene.stepTarget(delta, order);
    if (target) void ctx.selectImage(target);
  };

/** Opens the Export menu: the menu registers it while it is shown (setExportOpener). */
let exportOpener: (() => void) | null = null;

/** The Export menu hands over how to open it (null when it goes away). */
export function setExportOpener(open: (() => void) | null): void {
  exportOpener = open;
}

/** The registry, in the shortcut sheet's order within each group. */
export const COMMANDS: readonly Command[] = [
  selectTool('brush', 'B', 'Brush'),
  selectTool('eraser', 'E', 'Eraser'),
  selectTool('fill', 'F', 'Fill (Alt+click erases a region)'),
  selectTool('polygon', 'P', 'Polygon: click points, Enter fills, Esc cancels (Alt: erase)'),
  {
    id: 'brush.smaller',
    title: 'Smaller brush (Alt-drag sizes too)',
    keys: ['['],
    group: 'Tools',
    perform: ({ scene }) => scene.stepBrushSize(-1),
  },
  {
    id: 'brush.larger',
    title: 'Larger brush',
    keys: [']'],
    group: 'Tools',
    perform: ({ scene }) => scene.stepBrushSize(1),
  },
  {
    id: 'edit.undo',
    title: 'Undo',
    keys: ['Mod+Z'],
    group: 'Edit',
    menu: 'edit.undo',
    perform: (ctx) => ctx.undo(),
  },
  {
    id: 'edit.redo',
    title: 'Redo',
    keys: ['Mod+Shift+Z', 'Ctrl+Y'],
    group: 'Edit',
    menu: 'edit.redo',
    perform: (ctx) => ctx.redo(),
  },
  {
    id: 'mask.revertGroundTruth',
    title: 'Revert mask to the ground truth',
    keys: ['Shift+G'],
    group: 'Edit',
    perform: (ctx) => ctx.revertToGroundTruth(),
  },
  {
    id: 'mask.revertPrediction',
    title: 'Revert mask to the thresholded prediction',
    keys: ['Shift+R'],
    group: 'Edit',
    perform: (ctx) => ctx.revertToPrediction(),
  },
  {
    id: 'history.toggle',
    title: 'Revision history',
    keys: ['H'],
    group: 'Edit',
    perform: (ctx) => {
      ctx.scene.toggleHistory();
      if (ctx.scene.state.historyOpen) void ctx.refreshRevisions();
    },
  },
  toggleLayer('image', '1', 'Fundus image', 'view.layer.image'),
  toggleLayer('groundTruth', '2', 'Ground truth', 'view.layer.groundTruth'),
  toggleLayer('prediction', '3', 'Prediction heatmap', 'view.layer.prediction'),
  toggleLayer('corrected', '4', 'Corrected mask', 'view.layer.corrections'),
  toggleLayer('errors', '5', 'Error map (TP / FP / FN)', 'view.layer.errors'),
  {
    id: 'layer.uncertainty',
    title: 'Uncertainty about the threshold',
    keys: ['6'],
    group: 'Layers',
    perform: ({ scene }) => scene.toggleLayer('uncertainty'),
  },
  {
    id: 'layer.style',
    title: 'Masks filled / contours',
    keys: ['C'],
    group: 'Layers',
    perform: ({ scene }) => scene.toggleMaskStyle(),
  },
  {
    id: 'layer.observer',
    title: 'Ground truth: 1st / 2nd observer',
    keys: ['O'],
    group: 'Layers',
    perform: ({ scene }) => scene.setObserver(scene.state.observer === '1st' ? '2nd' : '1st'),
  },
  {
    id: 'threshold.down',
    title: 'Lower the threshold',
    keys: [','],
    group: 'Layers',
    perform: ({ scene }) => scene.setThreshold(scene.state.threshold - 0.05),
  },
  {
    id: 'threshold.up',
    title: 'Raise the threshold',
    keys: ['.'],
    group: 'Layers',
    perform: ({ scene }) => scene.setThreshold(scene.state.threshold + 0.05),
  },
  {
    id: 'view.fit',
    title: 'Fit to window',
    keys: ['Mod+0', 'Home'],
    group: 'View',
    menu: 'view.zoomFit',
    perform: ({ scene }) => scene.fit(),
  },
  {
    id: 'view.actual',
    title: 'Actual pixels (1:1)',
    keys: ['Mod+1'],
    group: 'View',
    menu: 'view.zoomActual',
    perform: ({ scene }) => scene.actualSize(),
  },
  {
    id: 'view.zoomIn',
    title: 'Zoom in',
    keys: ['+', '='],
    group: 'View',
    menu: 'view.zoomIn',
    perform: ({ scene }) => scene.zoomBy(1.5),
  },
  {
    id: 'view.zoomOut',
    title: 'Zoom out',
    keys: ['-'],
    group: 'View',
    menu: 'view.zoomOut',
    perform: ({ scene }) => scene.zoomBy(1 / 1.5),
  },
  {
    id: 'image.next',
    title: 'Next image',
    keys: ['J', 'PageDown'],
    group: 'Images',
    perform: step(1, 'list'),
  },
  {
    id: 'image.previous',
    title: 'Previous image',
    keys: ['K', 'PageUp'],
    group: 'Images',
    perform: step(-1, 'list'),
  },
  {
    id: 'image.correctNext',
    title: 'Next image to correct (uncertainty and disagreement)',
    keys: ['N'],
    group: 'Images',
    perform: step(1, 'correctNext'),
  },
  {
    id: 'training.retrain',
    title: 'Retrain on the current masks, corrections included',
    keys: ['R'],
    group: 'Training',
    perform: (ctx) => ctx.retrain('all'),
  },
  {
    id: 'training.quickRetrain',
    title: 'Quick fine-tune on the corrected images only (about a minute)',
    keys: ['Q'],
    group: 'Training',
    perform: (ctx) => ctx.retrain('corrections'),
  },
  {
    id: 'dataset.open',
    title: 'Open a dataset or project',
    keys: ['Mod+O'],
    group: 'App',
    perform: ({ scene }) => scene.showOpenDialog(),
  },
  {
    id: 'project.export',
    title: 'Export masks, metrics or a model',
    keys: ['Mod+E'],
    group: 'App',
    perform: () => exportOpener?.(),
  },
  {
    id: 'help.shortcuts',
    title: 'This sheet',
    keys: ['?'],
    group: 'App',
    menu: 'help.shortcuts',
    perform: ({ scene }) => scene.toggleShortcuts(),
  },
];

const BY_ID = new Map(COMMANDS.map((c) => [c.id, c]));

/** The command with this id. */
export function commandById(id: CommandId): Command {
  return BY_ID.get(id)!;
}

/** The command a key event triggers, or null. */
export function commandForKey(event: KeyLike, isMac: boolean): Command | null {
  return COMMANDS.find((c) => c.keys.some((spec) => matchesKey(spec, event, isMac))) ?? null;
}

/** The command an application-menu item stands for, or null for items handled elsewhere. */
export function commandForMenu(menu: string): Command | null {
  return COMMANDS.find((c) => c.menu === menu) ?? null;
}

/** The first key of a command, as the panels show it beside a control. */
export function firstKey(id: CommandId): string {
  return commandById(id).keys[0] ?? '';
}
