import { describe, expect, it } from 'vitest';
import { Store } from './store';
import { fieldsSelector } from './use-store';

describe('fieldsSelector', () => {
  it('picks the fields and keeps the same object until one of them changes', () => {
    const store = new Store({ a: 1, b: [2], c: 'x' });
    const select = fieldsSelector<{ a: number; b: number[]; c: string }, 'a' | 'b'>(['a', 'b']);
    const first = select(store.get());
    expect(first).toEqual({ a: 1, b: [2] });

    store.set({ c: 'y' });
    expect(select(store.get())).toBe(first);

    store.set({ b: [2] });
    const second = select(store.get());
    expect(second).not.toBe(first);
    expect(second).toEqual({ a: 1, b: [2] });

    store.set({ a: 3 });
    expect(select(store.get())).toEqual({ a: 3, b: [2] });
  });
});
