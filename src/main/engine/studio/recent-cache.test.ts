import { describe, expect, it } from 'vitest';
import { RecentCache } from './recent-cache';

/** A cache of two whose loads count how often each key was loaded. */
function countingCache(): {
  cache: RecentCache<string>;
  get(key: string): Promise<string>;
  loads: string[];
} {
  const cache = new RecentCache<string>(2);
  const loads: string[] = [];
  const get = (key: string) =>
    cache.get(key, async () => {
      loads.push(key);
      return `value of ${key}`;
    });
  return { cache, get, loads };
}

describe('RecentCache', () => {
  it('shares one promise per key and drops the least recently used beyond its capacity', async () => {
    const { get, loads } = countingCache();
    const a = get('a');
    expect(get('a')).toBe(a);
    expect(await a).toBe('value of a');
    await get('b');
    // A hit makes 'a' the most recent, so 'c' pushes out 'b'.
    await get('a');
    await get('c');
    await get('a');
    expect(loads).toEqual(['a', 'b', 'c']);
    await get('b');
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('does not keep a failed load, and forgets everything on clear', async () => {
    const { cache, get, loads } = countingCache();
    const failed = cache.get('a', () => Promise.reject(new Error('unreadable')));
    await expect(failed).rejects.toThrow('unreadable');
    expect(await get('a')).toBe('value of a');
    cache.clear();
    await get('a');
    expect(loads).toEqual(['a', 'a']);
  });
});
