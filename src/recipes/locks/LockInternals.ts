/**
 * LockInternals — the lock algorithm shared by InterProcessMutex, the read/write lock and
 * (through its participant listing) LeaderLatch and LeaderSelector: create an
 * ephemeral-sequential node, and wait, watching only the node just before ours.
 *
 * Reimplements Curator's `locks.LockInternals`, `LockInternalsDriver`,
 * `StandardLockInternalsDriver`, `LockInternalsSorter` and `PredicateResults`.
 * Chapter 10; `internalLockLoop` is the seed's walkthrough [003 L117–183] (T85), line for
 * line: the lowest sequence number holds the lock, every other contender sets a watch on
 * its predecessor only (so one release wakes one contender — no herd), a timeout or an
 * error deletes our own node (`doDelete`, "防止死锁": so no dead node blocks the others).
 *
 * Node layout (basePath = the lock's path, lockName = "lock-" for a mutex):
 *
 *     <basePath>/_c_<uuid>-<lockName><10-digit sequence>      EPHEMERAL_SEQUENTIAL, protected
 *     data: the lock node bytes (the client's default data — its IP address — unless given)
 *
 * Order: children are sorted by what follows `lockName` (the sequence), so the protection
 * prefix does not matter; with maxLeases = 1 the first child holds the lock, and
 * contender i watches child i − 1 (with maxLeases = n, child i − n).
 *
 * Connection loss / expiry contract (of a waiting contender):
 * - SUSPENDED: the predecessor watch also receives Disconnected, the loop wakes and asks
 *   for the children again; that read waits for the connection and is retried per the
 *   RetryPolicy. If the policy gives up, the error propagates, our node is deleted
 *   (guaranteed delete, so it goes once the connection is back) and acquire rejects.
 * - RECONNECTED (same session): the loop simply continues; our node is still there.
 * - LOST: our ephemeral node dies with the session. As soon as the loop sees a session
 *   other than the one that created our node, it deletes that node (guaranteed) and
 *   attemptLock starts over with a new node on the new session — if the RetryPolicy
 *   allows another try. (Curator 5.4 only notices when the node is missing from a
 *   listing; until the server expires the old session it keeps waiting with the old node,
 *   and may even be granted the lock on it — a lock the server is about to take away.)
 * - Of a holder: nothing here. A holder learns of SUSPENDED/LOST from its own
 *   connection-state listener and must treat the lock as possibly lost (Curator's rule).
 *
 * Differs from Curator: `wait()`/`notifyAll()` is a Monitor with a generation counter; an
 * AbortSignal plays Thread.interrupt (LeaderSelector uses it); no revocation support; the
 * session check above.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import type { Watcher } from "../../client/WatchedEvent.js";
import type { CuratorFramework, WatcherRemoveCuratorFramework } from "../framework/CuratorFramework.js";
import { CuratorFrameworkState } from "../framework/CuratorFramework.js";
import { CreateMode } from "../../jute/CreateMode.js";
import type { Data } from "../framework/builders.js";
import { Monitor } from "../framework/Monitor.js";
import { RecipeEvent, traceRecipe } from "../framework/RecipeTrace.js";
import { DEFAULT_RETRY_SLEEPER } from "../framework/RetryPolicy.js";
import { compareStrings, getNodeFromPath, makePath, standardFixForSorting } from "../framework/ZKPaths.js";

/** Whether the contender gets the lock, and if not, which sibling to watch. */
export interface PredicateResults {
  getsTheLock: boolean;
  /** A child name (no path) when getsTheLock is false. */
  pathToWatch: string | null;
}

export interface LockInternalsSorter {
  fixForSorting(name: string, lockName: string): string;
}

/** The parts of the algorithm a lock flavour may change (read/write locks do). */
export interface LockInternalsDriver extends LockInternalsSorter {
  /** `owner` is the re-entrancy token of the acquiring "thread" (the read lock asks about it). */
  getsTheLock(children: string[], sequenceNodeName: string, maxLeases: number, owner?: unknown): PredicateResults;
  createsTheLock(client: CuratorFramework, path: string, lockNodeBytes: Data | undefined): Promise<string>;
}

/** NONODE for "our node is not among the children" (session lost, node deleted). */
export function validateOurIndex(sequenceNodeName: string, ourIndex: number): void {
  if (ourIndex < 0) throw new KeeperException(Code.NONODE, `Sequential path not found: ${sequenceNodeName}`);
}

// #region StandardLockInternalsDriver
export class StandardLockInternalsDriver implements LockInternalsDriver {
  getsTheLock(children: string[], sequenceNodeName: string, maxLeases: number): PredicateResults {
    const ourIndex = children.indexOf(sequenceNodeName);
    validateOurIndex(sequenceNodeName, ourIndex);
    const getsTheLock = ourIndex < maxLeases;
    return { getsTheLock, pathToWatch: getsTheLock ? null : children[ourIndex - maxLeases]! };
  }

  async createsTheLock(client: CuratorFramework, path: string, lockNodeBytes: Data | undefined): Promise<string> {
    const b = client.create().creatingParentContainersIfNeeded().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL);
    return lockNodeBytes === undefined ? b.forPath(path) : b.forPath(path, lockNodeBytes);
  }

  fixForSorting(name: string, lockName: string): string {
    return standardFixForSorting(name, lockName);
  }
}
// #endregion StandardLockInternalsDriver

/** Children of `basePath` sorted by their sequence (NONODE: no children). */
export async function getSortedChildren(client: CuratorFramework, basePath: string, lockName: string, sorter: LockInternalsSorter): Promise<string[]> {
  let children: string[];
  try {
    children = await client.getChildren().forPath(basePath);
  } catch (e) {
    if (e instanceof KeeperException && e.code === Code.NONODE) return [];
    throw e;
  }
  return sortChildren(children, lockName, sorter);
}

export function sortChildren(children: readonly string[], lockName: string, sorter: LockInternalsSorter): string[] {
  return [...children].sort((a, b) => compareStrings(sorter.fixForSorting(a, lockName), sorter.fixForSorting(b, lockName)));
}

/** The full paths of a lock's contenders, in order (the holder first). */
export async function getParticipantNodes(client: CuratorFramework, basePath: string, lockName: string, sorter: LockInternalsSorter): Promise<string[]> {
  return (await getSortedChildren(client, basePath, lockName, sorter)).map((n) => makePath(basePath, n));
}

export class LockInternals {
  readonly client: WatcherRemoveCuratorFramework;
  /** basePath/lockName: what the sequential create is given. */
  readonly path: string;
  private readonly monitor = new Monitor();
  /** One watcher for every wait on this lock: any event wakes every waiter to re-check. */
  private readonly watcher: Watcher = () => this.monitor.notifyAll();

  constructor(
    client: CuratorFramework,
    readonly driver: LockInternalsDriver,
    readonly basePath: string,
    readonly lockName: string,
    private maxLeases: number,
  ) {
    this.client = client.newWatcherRemoveCuratorFramework();
    this.path = makePath(basePath, lockName);
  }

  setMaxLeases(maxLeases: number): void {
    this.maxLeases = maxLeases;
    this.monitor.notifyAll();
  }

  /** Deletes the lock's node if nobody is using it (NOTEMPTY / BADVERSION are fine). */
  async clean(): Promise<void> {
    try {
      await this.client.delete().forPath(this.basePath);
    } catch (e) {
      if (!(e instanceof KeeperException && (e.code === Code.NOTEMPTY || e.code === Code.BADVERSION || e.code === Code.NONODE))) throw e;
    }
  }

  getSortedChildren(): Promise<string[]> {
    return getSortedChildren(this.client, this.basePath, this.lockName, this.driver);
  }

  // #region attemptLock
  /**
   * Creates our node and runs the lock loop. Resolves to our node's path once we hold the
   * lock, or null if `timeoutMs` passed first (our node is then deleted). A NONODE (our
   * node vanished, e.g. with an expired session) starts over if the RetryPolicy allows.
   */
  async attemptLock(timeoutMs: number | null, lockNodeBytes: Data | undefined, signal?: AbortSignal, owner?: unknown): Promise<string | null> {
    const startMillis = Date.now();
    let retryCount = 0;
    for (;;) {
      try {
        const ourPath = await this.driver.createsTheLock(this.client, this.path, lockNodeBytes);
        const ourSession = this.currentSessionId();
        traceRecipe(this.client, RecipeEvent.LOCK_CREATED, { node: getNodeFromPath(ourPath) });
        return (await this.internalLockLoop(startMillis, timeoutMs, ourPath, ourSession, signal, owner)) ? ourPath : null;
      } catch (e) {
        const policy = this.client.getZookeeperClient().getRetryPolicy();
        if (!(e instanceof KeeperException && e.code === Code.NONODE)) throw e;
        if (!(await policy.allowRetry(retryCount++, Date.now() - startMillis, DEFAULT_RETRY_SLEEPER))) throw e;
      }
    }
  }
  // #endregion attemptLock

  // #region internalLockLoop
  private async internalLockLoop(startMillis: number, millisToWait: number | null, ourPath: string, ourSession: bigint, signal?: AbortSignal, owner?: unknown): Promise<boolean> {
    let haveTheLock = false;
    let doDelete = false;
    try {
      while (this.client.getState() === CuratorFrameworkState.STARTED && !haveTheLock) {
        const children = await this.getSortedChildren();
        // Our node belongs to the session that created it; after a new session it is doomed.
        this.checkSession(ourPath, ourSession);
        const sequenceNodeName = ourPath.substring(this.basePath.length + 1); // +1 for the "/"
        const predicate = this.driver.getsTheLock(children, sequenceNodeName, this.maxLeases, owner);
        if (predicate.getsTheLock) {
          traceRecipe(this.client, RecipeEvent.LOCK_ACQUIRED, { node: sequenceNodeName });
          haveTheLock = true;
          continue;
        }
        const previousSequencePath = makePath(this.basePath, predicate.pathToWatch);
        // Read before setting the watch: a notification from now on ends the wait below.
        const generation = this.monitor.generation;
        try {
          // getData rather than exists: on a vanished node it leaves no watch behind.
          await this.client.getData().usingWatcher(this.watcher).forPath(previousSequencePath);
        } catch (e) {
          if (e instanceof KeeperException && e.code === Code.NONODE) continue; // released meanwhile: look again
          throw e;
        }
        // The session may also have changed while that read was in flight (it is retried on
        // the new session once the old one is lost): waiting now would mean waiting with a
        // node that is about to vanish, on a predecessor that may hold on for a long time.
        this.checkSession(ourPath, ourSession);
        if (millisToWait !== null) {
          millisToWait -= Date.now() - startMillis;
          startMillis = Date.now();
          if (millisToWait <= 0) {
            traceRecipe(this.client, RecipeEvent.LOCK_TIMED_OUT, { node: sequenceNodeName });
            doDelete = true; // timed out: our node must not stay in the queue
            break;
          }
          traceRecipe(this.client, RecipeEvent.LOCK_WAITING, { node: sequenceNodeName, watching: predicate.pathToWatch });
          await this.monitor.waitSince(generation, millisToWait, signal);
        } else {
          traceRecipe(this.client, RecipeEvent.LOCK_WAITING, { node: sequenceNodeName, watching: predicate.pathToWatch });
          await this.monitor.waitSince(generation, null, signal);
        }
      }
    } catch (e) {
      doDelete = true;
      throw e;
    } finally {
      if (doDelete) await this.deleteOurPath(ourPath);
    }
    return haveTheLock;
  }
  // #endregion internalLockLoop

  /** NONODE (so attemptLock starts over) when our node was created by an earlier session. */
  private checkSession(ourPath: string, ourSession: bigint): void {
    if (this.currentSessionId() === ourSession) return;
    traceRecipe(this.client, RecipeEvent.LOCK_SESSION_CHANGED, { node: getNodeFromPath(ourPath) });
    throw new KeeperException(Code.NONODE, `Session changed while waiting: ${ourPath}`);
  }

  private currentSessionId(): bigint {
    return this.client.getZookeeperClient().getZooKeeper().getSessionId();
  }

  // #region releaseLock
  /** Removes our watches and deletes our node (guaranteed: retried in the background if the connection is down). */
  async releaseLock(lockPath: string): Promise<void> {
    traceRecipe(this.client, RecipeEvent.LOCK_RELEASED, { node: getNodeFromPath(lockPath) });
    this.client.removeWatchers();
    await this.deleteOurPath(lockPath);
  }
  // #endregion releaseLock

  private async deleteOurPath(ourPath: string): Promise<void> {
    try {
      await this.client.delete().guaranteed().forPath(ourPath);
    } catch (e) {
      // Already gone (expired session, someone cleaned up): nothing to do.
      if (!(e instanceof KeeperException && e.code === Code.NONODE)) throw e;
    }
  }
}
