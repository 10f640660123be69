/**
 * EventQueue — runs queued tasks in order, one per macrotask.
 *
 * No single Curator class: it stands for the single-thread executors Curator gives its
 * ConnectionStateManager and its caches (PathChildrenCache's executor, TreeCache's
 * publishing executor, CuratorCache's listener calls). Chapter 10.
 *
 * Why one task per macrotask: a listener that awaits something, or a result that settles
 * a promise, gets to run its continuation before the next event is delivered — the order
 * guarantee Curator's one thread gives, on an event loop (our EventThread does the same
 * for watch events).
 *
 * Not in the seed (U). Node layout: none.
 *
 * Connection loss / expiry: not involved.
 *
 * Differs from Curator: no threads; `clear()` drops what is queued (Curator's close()
 * shuts the executor down).
 */
export class EventQueue {
  private readonly tasks: Array<() => void> = [];
  private scheduled = false;

  constructor(private readonly onError: (e: unknown) => void) {}

  push(task: () => void): void {
    this.tasks.push(task);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.runOne());
  }

  /** Drops every task not yet run. */
  clear(): void {
    this.tasks.length = 0;
  }

  size(): number {
    return this.tasks.length;
  }

  private runOne(): void {
    const task = this.tasks.shift();
    if (task !== undefined) {
      try {
        task();
      } catch (e) {
        this.onError(e);
      }
    }
    if (this.tasks.length > 0) setImmediate(() => this.runOne());
    else this.scheduled = false;
  }
}
