import { describe, expect, it, vi } from 'vitest';
import { MENU_COMMANDS } from '../../../shared/api/shell';
import {
  COMMANDS,
  commandById,
  commandForKey,
  commandForMenu,
  firstKey,
  type CommandContext,
  type CommandId,
} from './commands';
import { Scene } from './scene';
import { fakeImage, keyEvent as key, summary } from './test-fixtures';

/** A context over a real scene, with the engine-side actions recorded. */
function context(scene = new Scene()) {
  return {
    scene,
    undo: vi.fn(),
    redo: vi.fn(),
    revertToGroundTruth: vi.fn(),
    revertToPrediction: vi.fn(),
    selectImage: vi.fn(() => Promise.resolve()),
    refreshRevisions: vi.fn(() => Promise.resolve()),
    retrain: vi.fn(),
  } satisfies CommandContext;
}

const run = (ctx: CommandContext, id: CommandId) => commandById(id).perform(ctx);

describe('command registry', () => {
  it('has each id once and each key once', () => {
    expect(new Set(COMMANDS.map((c) => c.id)).size).toBe(COMMANDS.length);
    const keys = COMMANDS.flatMap((c) => c.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('maps undo and redo on every platform', () => {
    expect(commandForKey(key('z', { ctrl: true }), false)?.id).toBe('edit.undo');
    expect(commandForKey(key('Z', { ctrl: true, shift: true }), false)?.id).toBe('edit.redo');
    expect(commandForKey(key('y', { ctrl: true }), false)?.id).toBe('edit.redo');
    expect(commandForKey(key('z', { meta: true }), true)?.id).toBe('edit.undo');
    expect(commandForKey(key('z', { meta: true, shift: true }), true)?.id).toBe('edit.redo');
    expect(commandForKey(key('z', { ctrl: true }), true)).toBeNull();
  });

  it('maps tools, sizes, layers and the sheet', () => {
    expect(commandForKey(key('b'), false)?.id).toBe('tool.brush');
    expect(commandForKey(key('B', { shift: true }), false)).toBeNull();
    expect(commandForKey(key('['), false)?.id).toBe('brush.smaller');
    expect(commandForKey(key('?', { shift: true }), false)?.id).toBe('help.shortcuts');
    expect(commandForKey(key('G', { shift: true }), false)?.id).toBe('mask.revertGroundTruth');
    expect(commandForKey(key('1'), false)?.id).toBe('layer.image');
    expect(commandForKey(key('1', { ctrl: true }), false)?.id).toBe('view.actual');
    expect(firstKey('layer.errors')).toBe('5');
  });

  it('binds R to Retrain, apart from Shift+R (revert to the prediction)', () => {
    expect(commandForKey(key('r'), false)?.id).toBe('training.retrain');
    expect(commandForKey(key('R', { shift: true }), false)?.id).toBe('mask.revertPrediction');
    expect(firstKey('training.retrain')).toBe('R');
    expect(commandForKey(key('q'), false)?.id).toBe('training.quickRetrain');
  });

  it('covers every menu command except those that open or export', () => {
    const elsewhere = ['project.new', 'project.open', 'dataset.openFolder', 'export'];
    for (const menu of MENU_COMMANDS) {
      expect(commandForMenu(menu) === null, menu).toBe(elsewhere.includes(menu));
    }
    expect(commandForMenu('view.layer.corrections')?.id).toBe('layer.corrected');
    expect(commandForMenu('view.zoomFit')?.id).toBe('view.fit');
    expect(commandForMenu('no.such')).toBeNull();
  });

  it('names only menu commands the contract has', () => {
    const known = new Set<string>(MENU_COMMANDS);
    for (const c of COMMANDS) if (c.menu) expect(known.has(c.menu), c.id).toBe(true);
  });
});

describe('performing commands', () => {
  it('changes tools, brush, layers, style, observer and threshold in the scene', () => {
    const ctx = context();
    const { scene } = ctx;
    run(ctx, 'tool.eraser');
    run(ctx, 'brush.larger');
    run(ctx, 'layer.groundTruth');
    run(ctx, 'layer.style');
    run(ctx, 'layer.observer');
    run(ctx, 'threshold.up');
    expect(scene.state).toMatchObject({
      tool: 'eraser',
      brushSize: 6,
      maskStyle: 'contour',
      observer: '2nd',
      threshold: 0.55,
    });
    expect(scene.layer('groundTruth').visible).toBe(true);
    run(ctx, 'threshold.down');
    run(ctx, 'threshold.down');
    expect(scene.state.threshold).toBe(0.45);
    run(ctx, 'layer.style');
    expect(scene.state.maskStyle).toBe('filled');
  });

  it('zooms and fits the view', () => {
    const ctx = context();
    ctx.scene.setViewport(100, 100);
    ctx.scene.set({ current: fakeImage('a', 10, 10) });
    run(ctx, 'view.fit');
    expect(ctx.scene.state.view.zoom).toBeCloseTo(9.6);
    run(ctx, 'view.actual');
    run(ctx, 'view.zoomIn');
    expect(ctx.scene.state.view.zoom).toBe(1.5);
    run(ctx, 'view.zoomOut');
    expect(ctx.scene.state.view.zoom).toBeCloseTo(1);
  });

  it('hands edits to the context', () => {
    const ctx = context();
    run(ctx, 'edit.undo');
    run(ctx, 'edit.redo');
    run(ctx, 'mask.revertGroundTruth');
    run(ctx, 'mask.revertPrediction');
    expect(ctx.undo).toHaveBeenCalledOnce();
    expect(ctx.redo).toHaveBeenCalledOnce();
    expect(ctx.revertToGroundTruth).toHaveBeenCalledOnce();
    expect(ctx.revertToPrediction).toHaveBeenCalledOnce();
    run(ctx, 'training.retrain');
    expect(ctx.retrain).toHaveBeenCalledExactlyOnceWith('all');
    run(ctx, 'training.quickRetrain');
    expect(ctx.retrain).toHaveBeenLastCalledWith('corrections');
  });

  it('steps images through selectImage, and not at all at the end of the list', () => {
    const ctx = context();
    ctx.scene.set({
      images: [summary('a', 1), summary('b', 2, true), summary('c', 0)],
      selectedId: 'a',
    });
    run(ctx, 'image.next');
    expect(ctx.selectImage).toHaveBeenLastCalledWith('b');
    run(ctx, 'image.correctNext');
    expect(ctx.selectImage).toHaveBeenLastCalledWith('c');
    run(ctx, 'image.previous');
    expect(ctx.selectImage).toHaveBeenCalledTimes(2);
  });

  it('opens the history with fresh revisions, the open dialog and the sheet', () => {
    const ctx = context();
    ctx.scene.set({ openError: 'old' });
    run(ctx, 'history.toggle');
    expect(ctx.scene.state.historyOpen).toBe(true);
    expect(ctx.refreshRevisions).toHaveBeenCalledOnce();
    run(ctx, 'history.toggle');
    expect(ctx.scene.state.historyOpen).toBe(false);
    expect(ctx.refreshRevisions).toHaveBeenCalledOnce();
    run(ctx, 'dataset.open');
    expect(ctx.scene.state).toMatchObject({ openDialog: true, openError: null });
    run(ctx, 'help.shortcuts');
    expect(ctx.scene.state.shortcutsOpen).toBe(true);
  });
});
