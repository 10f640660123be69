/**
 * InterProcessMutex — a re-entrant lock across processes, on LockInternals.
 *
 * Reimplements Curator's `locks.InterProcessMutex` and `locks.InterProcessLock`.
 * Chapter 10; `release()` is the seed's [003 L189–202] (T86): look up the owner's lock
 * data, release the node, and — in a `finally` — forget the owner, so a failed delete
 * can never leave the owner believing it still holds the lock.
 *
 * Node layout: `<path>/_c_<uuid>-lock-<10-digit sequence>` (EPHEMERAL_SEQUENTIAL); data:
 * `getLockNodeBytes()` (default: the client's default data). Interoperates with Curator's
 * InterProcessMutex on the same path.
 *
 * "Threads": Java keys re-entrancy by Thread. Node has one thread, so here the key is an
 * *owner token*: any value passed as `owner` (default: the mutex itself — or, for the two
 * halves of a read/write lock, the pair — i.e. re-entrancy per instance, which is what a single-threaded user of one instance gets in Java). Two
 * tasks that must exclude each other while sharing one instance pass different owners
 * (T84 does: ten "threads" share one InterProcessMultiLock).
 *
 * Connection loss / expiry contract:
 * - While acquiring: see LockInternals (waits through SUSPENDED, starts over after LOST
 *   if the RetryPolicy allows; `acquire()` rejects when it cannot get the lock).
 * - While holding: SUSPENDED means the lock *may* be lost, LOST means it *is* lost (the
 *   ephemeral node went with the session); the mutex does not notice by itself — watch
 *   the connection state (as Curator's documentation asks). `isAcquiredInThisProcess()`
 *   stays true until release().
 * - release(): the delete is guaranteed (retried in the background while disconnected);
 *   the owner's entry is removed even when the delete fails (T86).
 *
 * Differs from Curator: `acquire(timeoutMs)` returns a promise of boolean, `acquire()` a
 * promise that rejects if the lock could not be had; an AbortSignal can interrupt a
 * waiting acquire (Thread.interrupt); no revocation.
 */
import type { CuratorFramework } from "../framework/CuratorFramework.js";
import type { Data } from "../framework/builders.js";
import { getParticipantNodes, LockInternals, StandardLockInternalsDriver, type LockInternalsDriver } from "./LockInternals.js";

/** Whatever identifies a "thread" for re-entrancy: compared by identity (Map key). */
export type LockOwner = unknown;

/** Java's IllegalMonitorStateException: release by an owner that does not hold the lock. */
export class IllegalMonitorStateException extends Error {
  override name = "IllegalMonitorStateException";
}

/** Curator's InterProcessLock. */
export interface InterProcessLock {
  /** Waits as long as it takes; rejects if the lock cannot be acquired (e.g. connection gone). */
  acquire(): Promise<void>;
  /** Waits at most `timeoutMs`; resolves false if that was not enough. */
  acquire(timeoutMs: number): Promise<boolean>;
  release(): Promise<void>;
  isAcquiredInThisProcess(): boolean;
}

export interface AcquireOptions {
  /** The re-entrancy key (Java: the calling thread). */
  owner?: LockOwner;
  /** Interrupts a waiting acquire (Java: Thread.interrupt); it rejects with InterruptedException. */
  signal?: AbortSignal;
}

interface LockData {
  readonly lockPath: string;
  lockCount: number;
}

export const LOCK_NAME = "lock-";

export class InterProcessMutex implements InterProcessLock {
  readonly internals: LockInternals;
  readonly basePath: string;
  private readonly threadData = new Map<LockOwner, LockData>();
  /** The owner when none is given: this instance, or a token shared with a sibling lock. */
  protected readonly defaultOwner: LockOwner;

  constructor(client: CuratorFramework, path: string, driver: LockInternalsDriver = new StandardLockInternalsDriver(), lockName = LOCK_NAME, maxLeases = 1, defaultOwner?: LockOwner) {
    this.basePath = path;
    this.defaultOwner = defaultOwner ?? this;
    this.internals = new LockInternals(client, driver, path, lockName, maxLeases);
  }

  acquire(): Promise<void>;
  acquire(timeoutMs: number, opts?: AcquireOptions): Promise<boolean>;
  acquire(timeoutMs: null, opts?: AcquireOptions): Promise<void>;
  async acquire(timeoutMs: number | null = null, opts: AcquireOptions = {}): Promise<boolean | void> {
    const got = await this.internalLock(timeoutMs, opts.owner ?? this.defaultOwner, opts.signal);
    if (timeoutMs !== null) return got;
    if (!got) throw new Error(`Lost connection while trying to acquire lock: ${this.basePath}`);
  }

  // #region internalLock
  private async internalLock(timeoutMs: number | null, owner: LockOwner, signal?: AbortSignal): Promise<boolean> {
    const lockData = this.threadData.get(owner);
    if (lockData !== undefined) {
      lockData.lockCount++; // re-entering
      return true;
    }
    const lockPath = await this.internals.attemptLock(timeoutMs, this.getLockNodeBytes(), signal, owner);
    if (lockPath === null) return false;
    this.threadData.set(owner, { lockPath, lockCount: 1 });
    return true;
  }
  // #endregion internalLock

  // #region release
  /** Releases one level of the owner's hold; the last one deletes the node. */
  async release(owner: LockOwner = this.defaultOwner): Promise<void> {
    const lockData = this.threadData.get(owner);
    if (lockData === undefined) throw new IllegalMonitorStateException(`You do not own the lock: ${this.basePath}`);
    const newLockCount = --lockData.lockCount;
    if (newLockCount > 0) return;
    if (newLockCount < 0) throw new IllegalMonitorStateException(`Lock count has gone negative for lock: ${this.basePath}`);
    try {
      await this.internals.releaseLock(lockData.lockPath);
    } finally {
      this.threadData.delete(owner); // whatever happened to the node, this owner no longer holds it
    }
  }
  // #endregion release

  isAcquiredInThisProcess(): boolean {
    return this.threadData.size > 0;
  }

  isOwnedBy(owner: LockOwner = this.defaultOwner): boolean {
    return this.threadData.has(owner);
  }

  /** The node the owner holds the lock with (null when it does not). */
  getLockPath(owner: LockOwner = this.defaultOwner): string | null {
    return this.threadData.get(owner)?.lockPath ?? null;
  }

  /** Every contender's node, the holder first. */
  getParticipantNodes(): Promise<string[]> {
    return getParticipantNodes(this.internals.client, this.internals.basePath, this.internals.lockName, this.internals.driver);
  }

  /** The data written into our lock node (undefined: the client's default data). */
  protected getLockNodeBytes(): Data | undefined {
    return undefined;
  }
}
