import { describe, expect, it } from 'vitest';
import { commandForKey, SHORTCUTS } from './shortcuts';

const key = (
  k: string,
  mods: Partial<Record<'ctrl' | 'meta' | 'shift' | 'alt', boolean>> = {},
) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe('shortcuts', () => {
  it('maps undo and redo on every platform', () => {
    expect(commandForKey(key('z', { ctrl: true }), false)).toBe('edit.undo');
    expect(commandForKey(key('Z', { ctrl: true, shift: true }), false)).toBe('edit.redo');
    expect(commandForKey(key('y', { ctrl: true }), false)).toBe('edit.redo');
    expect(commandForKey(key('z', { meta: true }), true)).toBe('edit.undo');
    expect(commandForKey(key('z', { meta: true, shift: true }), true)).toBe('edit.redo');
    expect(commandForKey(key('z', { ctrl: true }), true)).toBeNull();
  });

  it('maps tools, sizes and the sheet', () => {
    expect(commandForKey(key('b'), false)).toBe('tool.brush');
    expect(commandForKey(key('B', { shift: true }), false)).toBeNull();
    expect(commandForKey(key('['), false)).toBe('brush.smaller');
    expect(commandForKey(key('?', { shift: true }), false)).toBe('help.shortcuts');
    expect(commandForKey(key('G', { shift: true }), false)).toBe('mask.revertGroundTruth');
    expect(commandForKey(key('1'), false)).toBe('layer.image');
    expect(commandForKey(key('1', { ctrl: true }), false)).toBe('view.actual');
  });

  it('gives every command one key at most once', () => {
    const seen = new Set<string>();
    for (const s of SHORTCUTS)
      for (const k of s.keys) {
        expect(seen.has(k)).toBe(false);
        seen.add(k);
      }
  });
});
