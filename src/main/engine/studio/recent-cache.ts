/**
 * A small least-recently-used cache of promises, for the studio's per-image work (decoding,
 * PNG encoding, reading cached predictions): a second request for an image shares the first
 * one's promise, and only the few images around the one on screen stay in memory.
 */

/** Promises by key, the least recently used dropped beyond `capacity`; failed loads are dropped, not cached. */
export class RecentCache<T> {
  private readonly entries = new Map<string, Promise<T>>();
  constructor(private readonly capacity: number) {}

  /** The promise cached under `key`, else the one `load` starts (kept unless it rejects). */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      // Re-inserted: a Map iterates in insertion order, so the first key is the least recent.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const promise = load();
    promise.catch(() => this.entries.delete(key));
    this.entries.set(key, promise);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return promise;
  }

  /** Forgets every entry (a load still running finishes for whoever awaits it). */
  clear(): void {
    this.entries.clear();
  }
}
