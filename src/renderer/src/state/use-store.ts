/** The React side of the external stores: components read a slice and re-render on its change. */
import { useSyncExternalStore } from 'react';
import type { Subscribable } from './store';

/** Reads a slice of a store; the component re-renders when that slice changes (by ===). */
export function useStore<S, T>(store: Subscribable<S>, select: (state: S) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}
