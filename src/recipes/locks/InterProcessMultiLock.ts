/**
 * InterProcessMultiLock — several locks taken as one: all of them, in order, or none.
 *
 * Reimplements Curator's `locks.InterProcessMultiLock`. Chapter 10; the seed's example
 * [003 L96–112] (T84) builds one over `["/lock"]` and lets ten threads go through it with
 * a `tryLock(client, lock)` helper it never shows (G20) — here `withLock` below is that
 * helper: acquire, run, release in a finally.
 *
 * Node layout: that of each lock (an InterProcessMutex per path:
 * `<path>/_c_<uuid>-lock-<sequence>`).
 *
 * Connection loss / expiry contract: each lock's own (see InterProcessMutex). If any lock
 * cannot be acquired (timeout or error), the ones already acquired are released in
 * reverse order, so a failed acquire holds nothing.
 *
 * "Threads": the owner token is passed to every InterProcessMutex (see InterProcessMutex):
 * ten concurrent tasks sharing one multi-lock must each pass their own owner.
 *
 * Differs from Curator: after a lock's acquire throws, the remaining locks are not tried
 * (Curator keeps looping, then releases everything anyway).
 */
import type { CuratorFramework } from "../framework/CuratorFramework.js";
import { InterProcessMutex, type AcquireOptions, type InterProcessLock, type LockOwner } from "./InterProcessMutex.js";

export class InterProcessMultiLock implements InterProcessLock {
  private readonly locks: InterProcessLock[];

  /** One InterProcessMutex per path, or the given locks. */
  constructor(client: CuratorFramework, paths: string[]);
  constructor(locks: InterProcessLock[]);
  constructor(a: CuratorFramework | InterProcessLock[], paths?: string[]) {
    this.locks = Array.isArray(a) ? [...a] : paths!.map((p) => new InterProcessMutex(a, p));
  }

  acquire(): Promise<void>;
  acquire(timeoutMs: number, opts?: AcquireOptions): Promise<boolean>;
  acquire(timeoutMs: null, opts?: AcquireOptions): Promise<void>;
  async acquire(timeoutMs: number | null = null, opts: AcquireOptions = {}): Promise<boolean | void> {
    const acquired: InterProcessLock[] = [];
    let success = true;
    let error: unknown = null;
    for (const lock of this.locks) {
      try {
        if (timeoutMs === null) {
          await acquireOne(lock, null, opts);
          acquired.push(lock);
        } else if (await acquireOne(lock, timeoutMs, opts)) {
          acquired.push(lock);
        } else {
          success = false;
          break;
        }
      } catch (e) {
        success = false;
        error = e;
        break;
      }
    }
    if (!success) {
      for (const lock of acquired.reverse()) await releaseOne(lock, opts.owner).catch(() => undefined);
    }
    if (error !== null) throw error;
    if (timeoutMs !== null) return success;
  }

  /** Releases every lock, last first; the first failure is rethrown after all were tried. */
  async release(owner?: LockOwner): Promise<void> {
    let first: unknown = null;
    for (const lock of [...this.locks].reverse()) {
      try {
        await releaseOne(lock, owner);
      } catch (e) {
        first ??= e;
      }
    }
    if (first !== null) throw first;
  }

  /** True only when every lock is held by this process. */
  isAcquiredInThisProcess(): boolean {
    return this.locks.every((l) => l.isAcquiredInThisProcess());
  }
}

function acquireOne(lock: InterProcessLock, timeoutMs: number | null, opts: AcquireOptions): Promise<boolean | void> {
  if (lock instanceof InterProcessMutex || lock instanceof InterProcessMultiLock) return timeoutMs === null ? lock.acquire(null, opts) : lock.acquire(timeoutMs, opts);
  return timeoutMs === null ? lock.acquire() : lock.acquire(timeoutMs);
}

function releaseOne(lock: InterProcessLock, owner: LockOwner | undefined): Promise<void> {
  if (lock instanceof InterProcessMutex || lock instanceof InterProcessMultiLock) return owner === undefined ? lock.release() : lock.release(owner);
  return lock.release();
}

// #region withLock
/** The seed's unshown `tryLock(client, lock)` helper (G20): hold the lock while `fn` runs. */
export async function withLock<T>(lock: InterProcessLock, fn: () => Promise<T> | T, opts: AcquireOptions = {}): Promise<T> {
  await acquireOne(lock, null, opts);
  try {
    return await fn();
  } finally {
    await releaseOne(lock, opts.owner);
  }
}
// #endregion withLock
