/**
 * Monitor — Java's `synchronized (this) { … wait(ms) }` / `notifyAll()` pair, for an
 * event loop.
 *
 * No single Curator class: every blocking recipe (LockInternals, the semaphore, the
 * barriers, LeaderLatch.await) waits on its own monitor, and its watcher calls
 * `notifyAll` through `client.postSafeNotify(this)`. Chapter 10; the seed's lock loop
 * shows the pattern [003 L117–183] ("等待和synchronized配合使用": wait works together
 * with synchronized).
 *
 * Why a generation counter: in Java the watcher cannot notify between the recipe's
 * `getData(watcher)` and its `wait()`, because both happen while holding the monitor
 * and `notifyAll` needs it too. Here there is no lock, so a recipe reads `generation`
 * *before* it sets the watch and then calls `waitSince(generation)`, which returns at
 * once if a notification came in between. Nothing can be lost, whatever the event
 * loop's order of delivery.
 *
 * Node layout: none.
 *
 * Connection loss / expiry: a watcher also receives Disconnected/Expired/Closed events,
 * so a waiting recipe wakes up and re-checks (and its retrying reads then wait for the
 * connection, or fail).
 *
 * Differs from Java: an AbortSignal stands in for Thread.interrupt(); an aborted wait
 * rejects with InterruptedException.
 */

/** What an interrupted (aborted) wait rejects with: Java's InterruptedException. */
export class InterruptedException extends Error {
  override name = "InterruptedException";
}

/** Throws InterruptedException if the signal has been aborted. */
export function checkInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedException("interrupted");
}

// #region Monitor
export class Monitor {
  /** Counts notifyAll calls; a waiter compares it with the value it read before its check. */
  generation = 0;
  private waiters = new Set<() => void>();

  notifyAll(): void {
    this.generation++;
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }

  /**
   * Waits until notifyAll is called after `generation` was read (at once if it already
   * was), `timeoutMs` passes (null: no timeout), or `signal` aborts (rejects).
   */
  waitSince(generation: number, timeoutMs: number | null = null, signal?: AbortSignal): Promise<void> {
    checkInterrupted(signal);
    if (this.generation !== generation) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const done = () => {
        if (timer !== null) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(done);
        resolve();
      };
      const onAbort = () => {
        if (timer !== null) clearTimeout(timer);
        this.waiters.delete(done);
        reject(new InterruptedException("interrupted"));
      };
      this.waiters.add(done);
      if (timeoutMs !== null) timer = setTimeout(done, Math.max(0, timeoutMs));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Waits for the next notifyAll (or the timeout, or the abort). */
  wait(timeoutMs: number | null = null, signal?: AbortSignal): Promise<void> {
    return this.waitSince(this.generation, timeoutMs, signal);
  }
}
// #endregion Monitor

/** A promise that resolves after `ms` (or rejects when `signal` aborts). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Monitor().wait(ms, signal);
}
