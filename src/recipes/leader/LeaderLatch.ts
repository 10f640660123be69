/**
 * LeaderLatch — "am I the leader?" as a flag that stays up until close() or a
 * connection problem, among all latches on one path.
 *
 * Reimplements Curator's `leader.LeaderLatch` (with `LeaderLatchListener`, CloseMode and
 * `AfterConnectionEstablished`). Chapter 10; the seed starts ten latches on "/latch", one
 * second later finds the one with `hasLeadership()`, and closes it so that another takes
 * over [003 L209–224] (T87). Its loop is buggy (G21): it calls `temp.close()` on every
 * non-leader before `temp` was ever assigned (a NullPointerException); the intent — close
 * the current leader and watch the next one win — is what test T87 does.
 *
 * Node layout:
 *
 *     <latchPath>/_c_<uuid>-latch-<10-digit sequence>     EPHEMERAL_SEQUENTIAL, protected
 *     data: the latch's id, UTF-8 ("test3" in the seed)
 *
 * The lowest sequence is the leader. Every other latch watches its predecessor only (the
 * lock recipe's trick, T85), and looks again when that node is deleted. Before raising the
 * flag the leader re-reads its own node and checks that its ephemeralOwner is the current
 * session: after a session change an old node may still sort first.
 *
 * Connection loss / expiry contract:
 * - SUSPENDED: leadership is dropped at once (notLeader) under the default
 *   ConnectionStateErrorPolicy (Standard); under SessionConnectionStateErrorPolicy it is
 *   kept until LOST.
 * - RECONNECTED: the children are read again; if our node is still there and first we are
 *   leader again (isLeader), otherwise we keep waiting; if it is gone (the session
 *   changed), a new node is created (reset).
 * - LOST: leadership is dropped; the node went with the session (or goes when the server
 *   expires it); the next RECONNECTED creates a new one.
 *
 * Differs from Curator: `await(timeoutMs?)` resolves a boolean (without a timeout it
 * rejects with EOFException when the latch is closed); listeners are objects with
 * isLeader/notLeader; close() returns a promise (the node deletion is awaited).
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { CreateMode } from "../../jute/CreateMode.js";
import { EventType } from "../../jute/Watcher.js";
import type { WatchedEvent } from "../../client/WatchedEvent.js";
import { getLogger } from "../../util/Logger.js";
import { ConnectionState, type ConnectionStateListener } from "../framework/ConnectionState.js";
import type { CuratorFramework, WatcherRemoveCuratorFramework } from "../framework/CuratorFramework.js";
import { IllegalStateException } from "../framework/CuratorZookeeperClient.js";
import { StandardListenerManager } from "../framework/Listenable.js";
import { Monitor } from "../framework/Monitor.js";
import { RecipeEvent, traceRecipe } from "../framework/RecipeTrace.js";
import { getNodeFromPath, makePath, standardFixForSorting } from "../framework/ZKPaths.js";
import { getParticipantNodes, sortChildren, type LockInternalsSorter } from "../locks/LockInternals.js";
import { getLeader, getParticipants, type Participant } from "./Participant.js";

const LOG = getLogger("LeaderLatch");

export const LATCH_LOCK_NAME = "latch-";

export interface LeaderLatchListener {
  isLeader(): unknown;
  notLeader(): unknown;
}

export const CloseMode = { SILENT: "SILENT", NOTIFY_LEADER: "NOTIFY_LEADER" } as const;
export type CloseMode = (typeof CloseMode)[keyof typeof CloseMode];

export type LeaderLatchState = "LATENT" | "STARTED" | "CLOSED";

/** Thrown by await() on a closed latch (Java's EOFException). */
export class EOFException extends Error {
  override name = "EOFException";
}

const sorter: LockInternalsSorter = { fixForSorting: standardFixForSorting };

export class LeaderLatch {
  private readonly client: WatcherRemoveCuratorFramework;
  private state: LeaderLatchState = "LATENT";
  private leadership = false;
  private ourPath: string | null = null;
  private lastPathIsLeader: string | null = null;
  private readonly listeners = new StandardListenerManager<LeaderLatchListener>((e) => LOG.error("LeaderLatchListener failed", e));
  private readonly monitor = new Monitor();
  private startCancelled = false;
  private readonly connectionListener: ConnectionStateListener<CuratorFramework> = (_c, s) => this.handleStateChange(s);

  constructor(
    client: CuratorFramework,
    private readonly latchPath: string,
    private readonly id = "",
    private readonly closeMode: CloseMode = CloseMode.SILENT,
  ) {
    this.client = client.newWatcherRemoveCuratorFramework();
  }

  /** Joins the election once the client is connected (returns at once). */
  start(): void {
    if (this.state !== "LATENT") throw new IllegalStateException("Cannot be started more than once");
    this.state = "STARTED";
    // AfterConnectionEstablished: wait for the connection off the caller's path.
    void this.client.blockUntilConnected().then(() => {
      if (!this.startCancelled) this.internalStart();
    });
  }

  /** Leaves the election: deletes our node; SILENT does not call notLeader, NOTIFY_LEADER does. */
  async close(closeMode: CloseMode = this.closeMode): Promise<void> {
    if (this.state !== "STARTED") throw new IllegalStateException("Already closed or has not been started");
    this.state = "CLOSED";
    this.startCancelled = true;
    traceRecipe(this.client, RecipeEvent.LATCH_CLOSED, { node: this.ourPath === null ? null : getNodeFromPath(this.ourPath) });
    try {
      // Guaranteed: if the connection is down the node is deleted once it is back.
      await this.setNode(null).catch((e) => LOG.warn(`[id=${this.id}] node not deleted yet`, e));
      this.client.removeWatchers();
    } finally {
      this.client.getConnectionStateListenable().removeListener(this.connectionListener);
      if (closeMode === CloseMode.NOTIFY_LEADER) {
        this.setLeadership(false);
        this.listeners.clear();
      } else {
        this.listeners.clear();
        this.setLeadership(false);
      }
    }
  }

  addListener(l: LeaderLatchListener): void {
    this.listeners.addListener(l);
  }
  removeListener(l: LeaderLatchListener): void {
    this.listeners.removeListener(l);
  }

  /**
   * Waits for leadership. Without a timeout: resolves true once leader, rejects with
   * EOFException if the latch is (or gets) closed. With one: resolves false on timeout or close.
   */
  async await(timeoutMs?: number): Promise<boolean> {
    const deadline = timeoutMs === undefined ? null : Date.now() + timeoutMs;
    for (;;) {
      if (this.state !== "STARTED") {
        if (deadline === null) throw new EOFException();
        return false;
      }
      if (this.leadership) return true;
      const left = deadline === null ? null : deadline - Date.now();
      if (left !== null && left <= 0) return false;
      await this.monitor.wait(left);
    }
  }

  getId(): string {
    return this.id;
  }
  getState(): LeaderLatchState {
    return this.state;
  }
  hasLeadership(): boolean {
    return this.state === "STARTED" && this.leadership;
  }
  getOurPath(): string | null {
    return this.ourPath;
  }
  getLastPathIsLeader(): string | null {
    return this.lastPathIsLeader;
  }

  async getParticipants(): Promise<Participant[]> {
    return getParticipants(this.client, await getParticipantNodes(this.client, this.latchPath, LATCH_LOCK_NAME, sorter));
  }

  async getLeader(): Promise<Participant> {
    return getLeader(this.client, await getParticipantNodes(this.client, this.latchPath, LATCH_LOCK_NAME, sorter));
  }

  private internalStart(): void {
    if (this.state !== "STARTED") return;
    this.client.getConnectionStateListenable().addListener(this.connectionListener);
    this.reset();
  }

  // #region reset
  /** Drop leadership and our node, and join again with a new node. */
  private reset(): void {
    this.setLeadership(false);
    void this.setNode(null).catch((e) => LOG.warn(`[id=${this.id}] could not delete the old node`, e));
    void this.client
      .create()
      .creatingParentContainersIfNeeded()
      .withProtection()
      .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
      .forPath(makePath(this.latchPath, LATCH_LOCK_NAME), Buffer.from(this.id, "utf8"))
      .then(
        async (path) => {
          traceRecipe(this.client, RecipeEvent.LATCH_CREATED, { node: getNodeFromPath(path) });
          await this.setNode(path);
          if (this.state === "CLOSED") await this.setNode(null); // closed while we were creating
          else this.getChildren();
        },
        (e) => LOG.error(`[id=${this.id}] creatingParentContainersIfNeeded() failed`, e),
      )
      .catch((e) => LOG.warn(`[id=${this.id}] could not delete the node of a closed latch (the session's end will)`, e));
  }
  // #endregion reset

  // #region checkLeadership
  private checkLeadership(children: string[]): void {
    const localOurPath = this.ourPath;
    const sorted = sortChildren(children, LATCH_LOCK_NAME, sorter);
    const ourIndex = localOurPath === null ? -1 : sorted.indexOf(getNodeFromPath(localOurPath));
    if (ourIndex < 0) {
      LOG.error(`[id=${this.id}] failed to find our node; resetting (index: ${ourIndex})`);
      this.reset();
      return;
    }
    if (ourIndex === 0) {
      // First — but is the node ours, i.e. owned by the session we have now?
      void this.confirmLeadership(localOurPath!);
      return;
    }
    this.setLeadership(false);
    const watcher = (event: WatchedEvent) => {
      if (this.state === "STARTED" && event.type === EventType.NodeDeleted) this.getChildren();
    };
    // getData, not exists: on a vanished node it leaves no watch behind.
    void this.client
      .getData()
      .usingWatcher(watcher)
      .forPath(makePath(this.latchPath, sorted[ourIndex - 1]!))
      .then(() => traceRecipe(this.client, RecipeEvent.LATCH_WAITING, { node: sorted[ourIndex]!, watching: sorted[ourIndex - 1]! }))
      .catch((e) => {
        if (e instanceof KeeperException && e.code === Code.NONODE) this.getChildren(); // predecessor gone: look again
        else LOG.error(`[id=${this.id}] could not watch the predecessor`, e);
      });
  }

  private async confirmLeadership(localOurPath: string): Promise<void> {
    try {
      const stat = await this.client.checkExists().forPath(localOurPath);
      const sessionId = this.client.getZookeeperClient().getZooKeeper().getSessionId();
      if (stat === null || stat.ephemeralOwner !== sessionId) {
        this.reset(); // an older session's node
      } else {
        this.lastPathIsLeader = localOurPath;
        this.setLeadership(true);
      }
    } catch (e) {
      LOG.error(`[id=${this.id}] could not read our node`, e);
    }
  }
  // #endregion checkLeadership

  private getChildren(): void {
    void this.client
      .getChildren()
      .forPath(makePath(this.latchPath, null))
      .then(
        (children) => this.checkLeadership(children),
        (e) => {
          if (e instanceof KeeperException && e.code === Code.NONODE) this.reset(); // the latch path itself is gone
          else LOG.error(`[id=${this.id}] getChildren() failed`, e);
        },
      );
  }

  // #region handleStateChange
  private handleStateChange(newState: ConnectionState): void {
    switch (newState) {
      case ConnectionState.RECONNECTED:
        if (this.state === "STARTED") this.getChildren();
        break;
      case ConnectionState.SUSPENDED:
        if (this.client.getConnectionStateErrorPolicy().isErrorState(ConnectionState.SUSPENDED)) this.setLeadership(false);
        break;
      case ConnectionState.LOST:
        this.setLeadership(false);
        break;
      default:
        break;
    }
  }
  // #endregion handleStateChange

  private setLeadership(newValue: boolean): void {
    const oldValue = this.leadership;
    this.leadership = newValue;
    if (oldValue !== newValue) traceRecipe(this.client, newValue ? RecipeEvent.IS_LEADER : RecipeEvent.NOT_LEADER, { id: this.id });
    if (oldValue && !newValue) this.listeners.forEach((l) => l.notLeader());
    else if (!oldValue && newValue) this.listeners.forEach((l) => l.isLeader());
    this.monitor.notifyAll();
  }

  /** Replaces our node's path; the previous node is deleted (guaranteed). */
  private async setNode(newValue: string | null): Promise<void> {
    const oldPath = this.ourPath;
    this.ourPath = newValue;
    if (oldPath !== null) await this.client.delete().guaranteed().quietly().forPath(oldPath);
  }
}
