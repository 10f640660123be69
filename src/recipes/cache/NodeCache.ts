/**
 * NodeCache — keeps one node's Stat and data (or "does not exist") up to date.
 *
 * Reimplements Curator's `cache.NodeCache` and `NodeCacheListener` (deprecated in
 * Curator 5 in favour of CuratorCache with SINGLE_NODE_CACHE, G19). Chapter 10; the seed
 * builds `new NodeCache(client, "/nodeA", true)`, adds a listener that prints
 * `getCurrentData()` (or "node deleted" when it is null) and starts it [003 L65–79] (T82).
 * G19: that third argument is `dataIsCompressed`, not `cacheData` as for PathChildrenCache;
 * the seed's `true` asks for decompression. This implementation has no compression and
 * rejects `true` rather than silently misreading it.
 *
 * Node layout: none of its own; it reads `path`, whose parents it creates as containers
 * (`checkExists().creatingParentContainersIfNeeded()`), as Curator does.
 *
 * Algorithm: every event on the node (any type) → `exists` with a watch; if the node
 * exists → `getData` with the same watch → new ChildData; NONODE → null. A change
 * (ChildData.equals) calls the listeners, which read `getCurrentData()`.
 *
 * Connection loss / expiry contract:
 * - SUSPENDED / LOST: the cache stops refreshing (its last value stays readable).
 * - CONNECTED / RECONNECTED: it re-reads the node (and sets its watch again, which after
 *   LOST is needed: the old session's watch is gone), so changes made while away are
 *   reported once, as the difference between the old and the new value.
 *
 * Differs from Curator: listeners are plain functions `() => void`; start() resolves once
 * the first read is issued (buildInitial waits for it to finish).
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import type { Watcher } from "../../client/WatchedEvent.js";
import { getLogger } from "../../util/Logger.js";
import { ConnectionState, type ConnectionStateListener } from "../framework/ConnectionState.js";
import type { CuratorFramework, WatcherRemoveCuratorFramework } from "../framework/CuratorFramework.js";
import { IllegalStateException } from "../framework/CuratorZookeeperClient.js";
import { StandardListenerManager, type Listenable } from "../framework/Listenable.js";
import { newStat } from "../framework/builders.js";
import { ChildData } from "./ChildData.js";

const LOG = getLogger("NodeCache");

export type NodeCacheListener = () => unknown;

type State = "LATENT" | "STARTED" | "CLOSED";

export class NodeCache {
  private readonly client: WatcherRemoveCuratorFramework;
  private state: State = "LATENT";
  private data: ChildData | null = null;
  private isConnected = true;
  private readonly listeners = new StandardListenerManager<NodeCacheListener>((e) => LOG.error("NodeCacheListener failed", e));
  private readonly watcher: Watcher = () => this.reset();
  private readonly connectionStateListener: ConnectionStateListener<CuratorFramework> = (_c, newState) => {
    if (newState === ConnectionState.CONNECTED || newState === ConnectionState.RECONNECTED) {
      if (!this.isConnected) {
        this.isConnected = true;
        this.reset();
      }
    } else {
      this.isConnected = false;
    }
  };

  // #region dataIsCompressed
  constructor(
    client: CuratorFramework,
    private readonly path: string,
    dataIsCompressed = false,
  ) {
    if (dataIsCompressed) throw new IllegalStateException("compressed data is not supported (G19: NodeCache's third argument is dataIsCompressed)");
    this.client = client.newWatcherRemoveCuratorFramework();
  }
  // #endregion dataIsCompressed

  /** Starts watching; with buildInitial the current value is read before this resolves. */
  async start(buildInitial = false): Promise<void> {
    if (this.state !== "LATENT") throw new IllegalStateException("Cannot be started more than once");
    this.state = "STARTED";
    this.client.getConnectionStateListenable().addListener(this.connectionStateListener);
    if (buildInitial) {
      await this.client.checkExists().creatingParentContainersIfNeeded().forPath(this.path);
      await this.internalRebuild();
    }
    this.reset();
  }

  close(): void {
    if (this.state !== "STARTED") return;
    this.state = "CLOSED";
    this.client.removeWatchers();
    this.listeners.clear();
    this.client.getConnectionStateListenable().removeListener(this.connectionStateListener);
  }

  getListenable(): Listenable<NodeCacheListener> {
    return this.listeners;
  }

  /** The node as last read, or null if it does not exist (or nothing was read yet). */
  getCurrentData(): ChildData | null {
    return this.data;
  }

  getPath(): string {
    return this.path;
  }

  /** Re-reads the node now and waits for the answer (Curator: rebuild()). */
  async rebuild(): Promise<void> {
    if (this.state !== "STARTED") throw new IllegalStateException("not started");
    await this.internalRebuild();
    this.reset();
  }

  // #region reset
  /** exists (with the watch) → getData (with the watch) → setNewData, in the background. */
  private reset(): void {
    if (this.state !== "STARTED" || !this.isConnected) return;
    void (async () => {
      const stat = await this.client.checkExists().creatingParentContainersIfNeeded().usingWatcher(this.watcher).forPath(this.path);
      if (stat === null) {
        this.setNewData(null);
        return;
      }
      const s = newStat();
      try {
        const bytes = await this.client.getData().usingWatcher(this.watcher).storingStatIn(s).forPath(this.path);
        this.setNewData(new ChildData(this.path, s, bytes));
      } catch (e) {
        // Deleted between exists and getData: the exists watch fires NodeDeleted and we come back.
        if (!(e instanceof KeeperException && e.code === Code.NONODE)) throw e;
      }
    })().catch((e) => {
      if (this.state === "STARTED") this.client.core.reportError(`NodeCache of ${this.path} could not refresh`, e);
    });
  }
  // #endregion reset

  private async internalRebuild(): Promise<void> {
    try {
      const s = newStat();
      const bytes = await this.client.getData().storingStatIn(s).forPath(this.path);
      this.data = new ChildData(this.path, s, bytes);
    } catch (e) {
      if (!(e instanceof KeeperException && e.code === Code.NONODE)) throw e;
      this.data = null;
    }
  }

  private setNewData(newData: ChildData | null): void {
    const previous = this.data;
    this.data = newData;
    const changed = previous === null ? newData !== null : !previous.equals(newData);
    if (changed && this.state === "STARTED") this.listeners.forEach((l) => l());
  }
}
