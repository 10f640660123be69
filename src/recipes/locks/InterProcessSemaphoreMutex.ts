/**
 * InterProcessSemaphoreMutex — a NON-re-entrant mutex: a semaphore with one lease.
 *
 * Reimplements Curator's `locks.InterProcessSemaphoreMutex`. Chapter 10; not in the seed (U).
 *
 * Node layout: that of InterProcessSemaphoreV2 with maxLeases = 1:
 *
 *     <path>/locks/_c_<uuid>-lock-<sequence>
 *     <path>/leases/_c_<uuid>-lease-<sequence>
 *
 * Unlike InterProcessMutex, a second acquire() by the same holder waits (it would wait
 * for ever — a self-deadlock — without a timeout), and release() may come from any task:
 * the lock belongs to the instance, not to a thread.
 *
 * Connection loss / expiry contract: InterProcessSemaphoreV2's. While held, LOST means the
 * lease node is gone and someone else may hold the lock; watch the connection state.
 *
 * Differs from Curator: nothing beyond the promise API.
 */
import type { CuratorFramework } from "../framework/CuratorFramework.js";
import type { InterProcessLock } from "./InterProcessMutex.js";
import { InterProcessSemaphoreV2, type Lease } from "./InterProcessSemaphoreV2.js";

export class InterProcessSemaphoreMutex implements InterProcessLock {
  private readonly semaphore: InterProcessSemaphoreV2;
  private readonly watcherRemoveClient;
  private lease: Lease | null = null;

  constructor(client: CuratorFramework, path: string) {
    this.watcherRemoveClient = client.newWatcherRemoveCuratorFramework();
    this.semaphore = new InterProcessSemaphoreV2(this.watcherRemoveClient, path, 1);
  }

  acquire(): Promise<void>;
  acquire(timeoutMs: number): Promise<boolean>;
  async acquire(timeoutMs?: number): Promise<boolean | void> {
    if (timeoutMs === undefined) {
      this.lease = await this.semaphore.acquire();
      return;
    }
    const acquired = await this.semaphore.acquire(timeoutMs);
    if (acquired === null) return false; // keep any lease we already had
    this.lease = acquired;
    return true;
  }

  async release(): Promise<void> {
    const lease = this.lease;
    if (lease === null) throw new Error("Not acquired");
    this.lease = null;
    try {
      await lease.close();
    } finally {
      this.watcherRemoveClient.removeWatchers();
    }
  }

  isAcquiredInThisProcess(): boolean {
    return this.lease !== null;
  }
}
