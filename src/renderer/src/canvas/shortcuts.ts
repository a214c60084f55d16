/**
 * Key specs as the command registry writes them (`Mod+Shift+Z`, `Ctrl+Y`, `B`, `[`, `?`):
 * matching a key event against one, and showing one on this platform.
 */

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

/** How a key spec reads on this platform: `Mod+Z` is `Ctrl+Z`, or `⌘Z` on macOS. */
export function displayKey(spec: string, isMac: boolean): string {
  return isMac ? spec.replace('Mod+', '⌘') : spec.replace('Mod+', 'Ctrl+');
}
