/** The React side of the external stores: components read a slice and re-render on its change. */
import { useState, useSyncExternalStore } from 'react';
import type { Subscribable } from './store';

/** Reads a slice of a store; the component re-renders when that slice changes (by ===). */
export function useStore<S, T>(store: Subscribable<S>, select: (state: S) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}

/**
 * Selects `keys` of a state as one object, and returns the same object again while each of
 * those fields stays the same (by ===), so a store reader sees a change only when one of them
 * changes.
 */
export function fieldsSelector<S extends object, K extends keyof S>(
  keys: readonly K[],
): (state: S) => Pick<S, K> {
  let last: Pick<S, K> | null = null;
  return (state) => {
    const previous = last;
    if (previous && keys.every((key) => previous[key] === state[key])) return previous;
    const next = {} as Pick<S, K>;
    for (const key of keys) next[key] = state[key];
    last = next;
    return next;
  };
}

/**
 * Reads several fields of a store at once (`keys` are read on the first render); the component
 * re-renders when one of them changes (by ===), as it would with one `useStore` per field.
 */
export function useStoreFields<S extends object, K extends keyof S>(
  store: Subscribable<S>,
  keys: readonly K[],
): Pick<S, K> {
  const [select] = useState(() => fieldsSelector<S, K>(keys));
  return useStore(store, select);
}
