/**
 * Listenable — a set of listeners that recipes and the framework call in order.
 *
 * Reimplements Curator's `org.apache.curator.framework.listen.Listenable` and
 * `StandardListenerManager`. Chapter 10; the seed adds listeners through
 * `getListenable().addListener(...)` on every cache [003 L50–92].
 *
 * Node layout: none.
 *
 * Connection loss / expiry: not involved; callers decide what to tell their listeners.
 *
 * Differs from Curator: no per-listener Executor (everything runs on the one event loop).
 * A listener that throws, or returns a promise that rejects, does not stop the others:
 * the error goes to `onError` (the framework's unhandled-error listeners, or the log).
 */

export interface Listenable<T> {
  addListener(listener: T): void;
  removeListener(listener: T): void;
}

export class StandardListenerManager<T> implements Listenable<T> {
  private readonly listeners: T[] = [];

  constructor(private readonly onError: (e: unknown) => void = (e) => console.error("listener failed", e)) {}

  addListener(listener: T): void {
    if (!this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeListener(listener: T): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  clear(): void {
    this.listeners.length = 0;
  }

  size(): number {
    return this.listeners.length;
  }

  /** Calls `fn` for every listener, in the order they were added, isolating failures. */
  forEach(fn: (listener: T) => unknown): void {
    for (const l of [...this.listeners]) {
      try {
        const r = fn(l);
        if (r instanceof Promise) r.catch(this.onError);
      } catch (e) {
        this.onError(e);
      }
    }
  }
}
