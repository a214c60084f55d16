/**
 * A minimal external store: state outside components that changes through named functions and
 * tells its subscribers. Plain TypeScript, so the scene built on it runs in Node tests; the
 * React binding is `use-store.ts`.
 */

/** Anything components can subscribe to: a current value and change notifications. */
export interface Subscribable<S> {
  get(): S;
  subscribe(listener: () => void): () => void;
}

/** Holds one immutable state object; every `set` replaces it and notifies subscribers. */
export class Store<S extends object> implements Subscribable<S> {
  private value: S;
  private readonly listeners = new Set<() => void>();

  constructor(initial: S) {
    this.value = initial;
  }

  get = (): S => this.value;

  /** Merges `patch` into the state and notifies subscribers. */
  set(patch: Partial<S> | ((state: S) => Partial<S>)): void {
    const next = typeof patch === 'function' ? patch(this.value) : patch;
    this.value = { ...this.value, ...next };
    for (const listener of this.listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
