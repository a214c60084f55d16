import { describe, expect, it } from 'vitest';
import { keyEvent as key } from '../state/test-fixtures';
import { displayKey, matchesKey } from './shortcuts';

describe('key specs', () => {
  it('reads Mod as Ctrl, or Cmd on macOS', () => {
    expect(matchesKey('Mod+Z', key('z', { ctrl: true }), false)).toBe(true);
    expect(matchesKey('Mod+Z', key('z', { meta: true }), true)).toBe(true);
    expect(matchesKey('Mod+Z', key('z', { ctrl: true }), true)).toBe(false);
    expect(matchesKey('Mod+Shift+Z', key('Z', { ctrl: true, shift: true }), false)).toBe(true);
  });

  it('matches letters exactly on Shift and punctuation by the character typed', () => {
    expect(matchesKey('B', key('b'), false)).toBe(true);
    expect(matchesKey('B', key('B', { shift: true }), false)).toBe(false);
    expect(matchesKey('?', key('?', { shift: true }), false)).toBe(true);
    expect(matchesKey('+', key('+', { shift: true }), false)).toBe(true);
    expect(matchesKey('B', key('b', { alt: true }), false)).toBe(false);
  });

  it('shows Mod per platform', () => {
    expect(displayKey('Mod+Z', false)).toBe('Ctrl+Z');
    expect(displayKey('Mod+Z', true)).toBe('⌘Z');
  });
});
