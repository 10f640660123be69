/**
 * InterProcessSemaphoreV2 — at most N leases held at once, across processes.
 *
 * Reimplements Curator's `locks.InterProcessSemaphoreV2` and `locks.Lease`. Chapter 10;
 * not in the seed (U). It reuses the seed's mutex [003 L117–202] as a short critical
 * section around "create my lease node, then count".
 *
 * Node layout:
 *
 *     <path>/locks/_c_<uuid>-lock-<sequence>     the InterProcessMutex that serialises acquirers
 *     <path>/leases/_c_<uuid>-lease-<sequence>   one per held lease (EPHEMERAL_SEQUENTIAL)
 *                                                data: setNodeData(...) or the default data
 *
 * Algorithm (one lease): take the mutex; create a lease node; list `leases` with a watch;
 * while there are more than maxLeases children, wait for a change (any lease released)
 * and list again; release the mutex. Holding the mutex while waiting keeps acquirers in
 * order: the one at the head waits for a lease, the others wait for the mutex.
 *
 * Connection loss / expiry contract:
 * - Acquiring: the mutex's contract (see InterProcessMutex); while counting, a
 *   Disconnected event wakes the loop, whose children read waits for the connection per
 *   the RetryPolicy. If our lease node is missing (LOST: it went with the session) or
 *   belongs to an earlier session, it is returned (deleted) and the attempt repeated if the
 *   RetryPolicy allows, else acquire rejects with NONODE.
 * - Holding a lease: nothing is watched. After LOST the lease node is gone and another
 *   process may take the lease: watch the connection state.
 * - Lease.close(): guaranteed delete (retried in the background while disconnected).
 *
 * "Threads": none needed — leases are objects; any task may return any lease. Each
 * acquire attempt takes the inner mutex with its own owner token.
 *
 * Differs from Curator: the session check (as in LockInternals); acquire resolves to Lease
 * objects / null on timeout; no
 * `SharedCountReader` listener executor; close() of a lease rejects instead of throwing
 * IOException.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import type { Watcher } from "../../client/WatchedEvent.js";
import { CreateMode } from "../../jute/CreateMode.js";
import type { CuratorFramework, WatcherRemoveCuratorFramework } from "../framework/CuratorFramework.js";
import { CuratorFrameworkState } from "../framework/CuratorFramework.js";
import type { Data } from "../framework/builders.js";
import { Monitor } from "../framework/Monitor.js";
import { DEFAULT_RETRY_SLEEPER } from "../framework/RetryPolicy.js";
import { getNodeFromPath, makePath } from "../framework/ZKPaths.js";
import { InterProcessMutex } from "./InterProcessMutex.js";

export const LOCK_PARENT = "locks";
export const LEASE_PARENT = "leases";
export const LEASE_BASE_NAME = "lease-";

/** A held lease: close() gives it back. */
export interface Lease {
  close(): Promise<void>;
  getData(): Promise<Buffer>;
  getNodeName(): string;
}

/** What a semaphore needs from a SharedCount to follow its value. */
export interface SharedCountReader {
  getCount(): number;
  addListener(listener: { countHasChanged(reader: SharedCountReader, newCount: number): unknown; stateChanged?(client: CuratorFramework, state: string): unknown }): void;
}

type Attempt = { kind: "CONTINUE"; lease: Lease } | { kind: "RETURN_NULL" } | { kind: "RETRY_DUE_TO_MISSING_NODE" };

export class InterProcessSemaphoreV2 {
  private readonly client: WatcherRemoveCuratorFramework;
  private readonly lock: InterProcessMutex;
  private readonly leasesPath: string;
  private readonly monitor = new Monitor();
  private readonly watcher: Watcher = () => this.monitor.notifyAll();
  private nodeData: Data | undefined = undefined;
  private maxLeases: number;

  constructor(client: CuratorFramework, path: string, maxLeasesOrCount: number | SharedCountReader) {
    this.client = client.newWatcherRemoveCuratorFramework();
    this.lock = new InterProcessMutex(client, makePath(path, LOCK_PARENT));
    this.leasesPath = makePath(path, LEASE_PARENT);
    if (typeof maxLeasesOrCount === "number") {
      this.maxLeases = maxLeasesOrCount;
    } else {
      this.maxLeases = maxLeasesOrCount.getCount();
      maxLeasesOrCount.addListener({
        countHasChanged: (_r, newCount) => {
          this.maxLeases = newCount;
          this.monitor.notifyAll();
        },
      });
    }
  }

  /** Data for the lease nodes this instance creates (default: the client's default data). */
  setNodeData(data: Data | undefined): void {
    this.nodeData = data;
  }

  /** Names of the lease nodes held right now (by anyone). */
  getParticipantNodes(): Promise<string[]> {
    return this.client.getChildren().forPath(this.leasesPath);
  }

  async returnAll(leases: Iterable<Lease>): Promise<void> {
    for (const l of leases) await l.close().catch(() => undefined);
  }

  async returnLease(lease: Lease): Promise<void> {
    await lease.close().catch(() => undefined);
  }

  /** One lease, waiting as long as it takes. */
  acquire(): Promise<Lease>;
  /** One lease, waiting at most `timeoutMs` (null on timeout). */
  acquire(timeoutMs: number): Promise<Lease | null>;
  async acquire(timeoutMs?: number): Promise<Lease | null> {
    const leases = await this.acquireMany(1, timeoutMs ?? null);
    return leases === null ? null : leases[0]!;
  }

  // #region acquireMany
  /** `qty` leases, all or none; null when `timeoutMs` passed first. */
  async acquireMany(qty: number, timeoutMs: number | null = null): Promise<Lease[] | null> {
    if (qty <= 0) throw new RangeError("qty cannot be 0");
    const startMs = Date.now();
    const leases: Lease[] = [];
    let success = false;
    try {
      while (qty-- > 0) {
        let retryCount = 0;
        const startMillis = Date.now();
        for (;;) {
          const r = await this.internalAcquire1Lease(startMs, timeoutMs);
          if (r.kind === "CONTINUE") {
            leases.push(r.lease);
            break;
          }
          if (r.kind === "RETURN_NULL") return null;
          // Our lease node vanished (session lost): start this lease over if allowed.
          const policy = this.client.getZookeeperClient().getRetryPolicy();
          if (!(await policy.allowRetry(retryCount++, Date.now() - startMillis, DEFAULT_RETRY_SLEEPER))) {
            throw new KeeperException(Code.NONODE, "Sequential path not found - possible session loss");
          }
        }
      }
      success = true;
      return leases;
    } finally {
      if (!success) await this.returnAll(leases);
    }
  }
  // #endregion acquireMany

  private thisWaitMs(startMs: number, waitMs: number): number {
    return waitMs - (Date.now() - startMs);
  }

  // #region internalAcquire1Lease
  private async internalAcquire1Lease(startMs: number, waitMs: number | null): Promise<Attempt> {
    if (this.client.getState() !== CuratorFrameworkState.STARTED) return { kind: "RETURN_NULL" };
    // Each attempt is its own "thread": concurrent acquires on one instance must exclude each other.
    const owner = {};
    if (waitMs !== null) {
      if (!(await this.lock.acquire(this.thisWaitMs(startMs, waitMs), { owner }))) return { kind: "RETURN_NULL" };
    } else {
      await this.lock.acquire(null, { owner });
    }
    try {
      const create = this.client.create().creatingParentContainersIfNeeded().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL);
      const leasePath = makePath(this.leasesPath, LEASE_BASE_NAME);
      const path = this.nodeData === undefined ? await create.forPath(leasePath) : await create.forPath(leasePath, this.nodeData);
      const nodeName = getNodeFromPath(path);
      const ourSession = this.client.getZookeeperClient().getZooKeeper().getSessionId();
      const lease = this.makeLease(path);
      let success = false;
      try {
        for (;;) {
          const generation = this.monitor.generation;
          const children = await this.client.getChildren().usingWatcher(this.watcher).forPath(this.leasesPath);
          // Missing, or doomed: it belongs to a session that is gone (see LockInternals).
          if (!children.includes(nodeName) || this.client.getZookeeperClient().getZooKeeper().getSessionId() !== ourSession) return { kind: "RETRY_DUE_TO_MISSING_NODE" };
          if (children.length <= this.maxLeases) break;
          if (waitMs !== null) {
            const left = this.thisWaitMs(startMs, waitMs);
            if (left <= 0) return { kind: "RETURN_NULL" };
            await this.monitor.waitSince(generation, left);
          } else {
            await this.monitor.waitSince(generation);
          }
        }
        success = true;
      } finally {
        if (!success) await this.returnLease(lease);
        this.client.removeWatchers();
      }
      return { kind: "CONTINUE", lease };
    } finally {
      await this.lock.release(owner);
    }
  }
  // #endregion internalAcquire1Lease

  private makeLease(path: string): Lease {
    const client = this.client;
    return {
      async close() {
        try {
          await client.delete().guaranteed().forPath(path);
        } catch (e) {
          if (!(e instanceof KeeperException && e.code === Code.NONODE)) throw e; // "Lease already released"
        }
      },
      getData: () => client.getData().forPath(path),
      getNodeName: () => getNodeFromPath(path),
    };
  }
}
