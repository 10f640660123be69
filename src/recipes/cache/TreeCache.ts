/**
 * TreeCache — keeps a whole subtree (every node's Stat and data) up to date, and reports
 * each node added, updated and removed.
 *
 * Reimplements Curator's `cache.TreeCache` (with its inner TreeNode), `TreeCacheEvent` and
 * `TreeCacheListener`. Chapter 10; the seed builds `new TreeCache(client, "/nodeA")`, adds
 * a listener printing `getType()` and `getData().getPath()/getData()`, and starts it
 * [003 L81–92] (T83): "TreeCache包括上面两种" — it does both of the other two caches' jobs.
 * G19: deprecated in Curator 5 in favour of CuratorCache.
 *
 * Node layout: none of its own (with `createParentNodes`, the root's parents are created
 * as containers).
 *
 * Algorithm: one TreeNode per znode, PENDING → LIVE → DEAD. Each node reads its data
 * (getData + watch) and, above maxDepth, its children (getChildren + watch); a new child
 * name gets a new TreeNode, which does the same. The watches drive everything after:
 * NodeDataChanged → read data; NodeChildrenChanged → list children; NodeDeleted → the
 * node and its descendants are removed (NODE_REMOVED for each that was LIVE); the root,
 * when deleted, keeps an `exists` watch to see it come back. An answer older (lower
 * mzxid) than what is cached is ignored. INITIALIZED is posted the first time no read
 * is outstanding.
 *
 * Connection loss / expiry contract:
 * - SUSPENDED → CONNECTION_SUSPENDED; LOST → CONNECTION_LOST (the cache keeps its contents).
 * - CONNECTED → the root is (re)read; RECONNECTED → every cached node is re-read (data and
 *   children, watches set again), then CONNECTION_RECONNECTED. Nodes that vanished while
 *   away are found by their NONODE answers and removed; new nodes appear through their
 *   parents' listings.
 *
 * Differs from Curator: no selector, executor or compression; events are delivered on the
 * event loop in the order produced.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import type { Stat } from "../../jute/data.js";
import { EventType } from "../../jute/Watcher.js";
import type { WatchedEvent } from "../../client/WatchedEvent.js";
import { getLogger } from "../../util/Logger.js";
import { ConnectionState, type ConnectionStateListener } from "../framework/ConnectionState.js";
import type { CuratorFramework, WatcherRemoveCuratorFramework } from "../framework/CuratorFramework.js";
import { IllegalStateException } from "../framework/CuratorZookeeperClient.js";
import { EventQueue } from "../framework/EventQueue.js";
import { StandardListenerManager, type Listenable } from "../framework/Listenable.js";
import { newStat } from "../framework/builders.js";
import { compareStrings, getNodeFromPath, makePath } from "../framework/ZKPaths.js";
import { ChildData } from "./ChildData.js";

const LOG = getLogger("TreeCache");

export const TreeCacheEventType = {
  NODE_ADDED: "NODE_ADDED",
  NODE_UPDATED: "NODE_UPDATED",
  NODE_REMOVED: "NODE_REMOVED",
  CONNECTION_SUSPENDED: "CONNECTION_SUSPENDED",
  CONNECTION_RECONNECTED: "CONNECTION_RECONNECTED",
  CONNECTION_LOST: "CONNECTION_LOST",
  INITIALIZED: "INITIALIZED",
} as const;
export type TreeCacheEventType = (typeof TreeCacheEventType)[keyof typeof TreeCacheEventType];

export interface TreeCacheEvent {
  readonly type: TreeCacheEventType;
  readonly data: ChildData | null;
  /** For NODE_UPDATED and NODE_REMOVED: what was cached before. */
  readonly oldData: ChildData | null;
}

export type TreeCacheListener = (client: CuratorFramework, event: TreeCacheEvent) => unknown;

export interface TreeCacheOptions {
  /** Keep node data (default true); otherwise ChildData.data is null. */
  cacheData?: boolean;
  /** Depth below the root to follow (0: the root only; default: unlimited). */
  maxDepth?: number;
  /** Create the root's parents as containers at start. */
  createParentNodes?: boolean;
}

type NodeState = "PENDING" | "LIVE" | "DEAD";
type TreeState = "LATENT" | "STARTED" | "CLOSED";

// #region TreeNode
class TreeNode {
  nodeState: NodeState = "PENDING";
  childData: ChildData | null = null;
  children: Map<string, TreeNode> | null = null;
  readonly depth: number;
  /** One watcher object per node, so the client keeps one watch per node and kind. */
  readonly watcher = (event: WatchedEvent) => this.process(event);

  constructor(
    private readonly cache: TreeCache,
    readonly path: string,
    readonly parent: TreeNode | null,
  ) {
    this.depth = parent === null ? 0 : parent.depth + 1;
  }

  refresh(): void {
    if (this.depth < this.cache.maxDepth) {
      this.refreshData();
      this.refreshChildren();
    } else {
      this.refreshData();
    }
  }

  refreshChildren(): void {
    if (this.depth >= this.cache.maxDepth || !this.cache.isStarted()) return;
    this.cache.run(async (client) => {
      const stat = newStat();
      try {
        const children = await client.getChildren().usingWatcher(this.watcher).storingStatIn(stat).forPath(this.path);
        this.onChildren(children, stat);
      } catch (e) {
        if (!(e instanceof KeeperException && e.code === Code.NONODE)) throw e;
        this.wasDeleted();
      }
    });
  }

  refreshData(): void {
    if (!this.cache.isStarted()) return;
    this.cache.run(async (client) => {
      const stat = newStat();
      try {
        const bytes = await client.getData().usingWatcher(this.watcher).storingStatIn(stat).forPath(this.path);
        this.onData(stat, bytes);
      } catch (e) {
        if (!(e instanceof KeeperException && e.code === Code.NONODE)) throw e;
        this.wasDeleted();
      }
    });
  }

  wasReconnected(): void {
    this.refresh();
    for (const child of this.children?.values() ?? []) child.wasReconnected();
  }

  wasCreated(): void {
    this.refresh();
  }

  wasDeleted(): void {
    const oldChildData = this.childData;
    this.childData = null;
    const childMap = this.children;
    this.children = null;
    for (const child of [...(childMap?.values() ?? [])]) child.wasDeleted();
    if (!this.cache.isStarted()) return;
    const oldState = this.nodeState;
    this.nodeState = "DEAD";
    if (oldState === "LIVE") this.cache.publishEvent(TreeCacheEventType.NODE_REMOVED, oldChildData, oldChildData);
    if (this.parent === null) {
      // The root: watch for it to be created again.
      this.cache.run(async (client) => {
        if ((await client.checkExists().usingWatcher(this.watcher).forPath(this.path)) !== null) {
          if (this.nodeState === "DEAD") this.nodeState = "PENDING";
          this.wasCreated();
        }
      });
    } else if (this.parent.children?.get(getNodeFromPath(this.path)) === this) {
      this.parent.children.delete(getNodeFromPath(this.path));
    }
  }

  // #region TreeNode-process
  private process(event: WatchedEvent): void {
    switch (event.type) {
      case EventType.NodeCreated:
        if (this.parent === null) this.wasCreated();
        break;
      case EventType.NodeChildrenChanged:
        this.refreshChildren();
        break;
      case EventType.NodeDataChanged:
        this.refreshData();
        break;
      case EventType.NodeDeleted:
        this.wasDeleted();
        break;
      default:
        break;
    }
  }
  // #endregion TreeNode-process

  private onChildren(names: string[], stat: Stat): void {
    const old = this.childData;
    // Only the Stat may move on here; data changes arrive through getData.
    if (old !== null && old.stat.mzxid === stat.mzxid) this.childData = new ChildData(old.path, stat, old.data);
    if (names.length === 0) return;
    const childMap = (this.children ??= new Map());
    for (const name of [...names].sort(compareStrings)) {
      if (childMap.has(name)) continue;
      const node = new TreeNode(this.cache, makePath(this.path, name), this);
      childMap.set(name, node);
      node.wasCreated();
    }
  }

  private onData(stat: Stat, bytes: Buffer): void {
    const toPublish = new ChildData(this.path, stat, bytes);
    const toUpdate = this.cache.cacheData ? toPublish : new ChildData(this.path, stat, null);
    const old = this.childData;
    if (this.nodeState === "DEAD" && this.parent !== null) return; // deleted meanwhile
    if (old !== null && old.stat.mzxid > stat.mzxid) return; // an older answer
    this.childData = toUpdate;
    if (old === null || old.stat.mzxid !== stat.mzxid) {
      this.cache.publishEvent(old === null ? TreeCacheEventType.NODE_ADDED : TreeCacheEventType.NODE_UPDATED, toPublish, old);
    }
    if (this.nodeState === "PENDING" || this.nodeState === "DEAD") this.nodeState = "LIVE";
  }
}
// #endregion TreeNode

export class TreeCache {
  private readonly client: WatcherRemoveCuratorFramework;
  private treeState: TreeState = "LATENT";
  private readonly root: TreeNode;
  readonly cacheData: boolean;
  readonly maxDepth: number;
  private readonly createParentNodes: boolean;
  private outstandingOps = 0;
  private isInitialized = false;
  private readonly listeners = new StandardListenerManager<TreeCacheListener>((e) => LOG.error("TreeCacheListener failed", e));
  private readonly events = new EventQueue((e) => LOG.error("TreeCacheListener failed", e));
  private readonly connectionStateListener: ConnectionStateListener<CuratorFramework> = (_c, s) => this.handleStateChange(s);

  constructor(client: CuratorFramework, path: string, options: TreeCacheOptions = {}) {
    this.client = client.newWatcherRemoveCuratorFramework();
    this.cacheData = options.cacheData ?? true;
    this.maxDepth = options.maxDepth ?? Number.MAX_SAFE_INTEGER;
    this.createParentNodes = options.createParentNodes ?? false;
    this.root = new TreeNode(this, path, null);
  }

  async start(): Promise<this> {
    if (this.treeState !== "LATENT") throw new IllegalStateException("already started");
    this.treeState = "STARTED";
    if (this.createParentNodes) await this.client.createContainers(this.root.path);
    this.client.getConnectionStateListenable().addListener(this.connectionStateListener);
    if (this.client.getZookeeperClient().isConnected()) this.root.wasCreated();
    return this;
  }

  close(): void {
    if (this.treeState !== "STARTED") return;
    this.treeState = "CLOSED";
    this.client.getConnectionStateListenable().removeListener(this.connectionStateListener);
    this.client.removeWatchers();
    this.listeners.clear();
    this.events.clear();
  }

  getListenable(): Listenable<TreeCacheListener> {
    return this.listeners;
  }

  /** The cached node at `fullPath` (undefined when not in the tree or not yet read). */
  getCurrentData(fullPath: string): ChildData | undefined {
    const node = this.find(fullPath);
    return node?.nodeState === "LIVE" ? (node.childData ?? undefined) : undefined;
  }

  /** The cached children of `fullPath` by name (undefined when the node is not in the tree). */
  getCurrentChildren(fullPath: string): Map<string, ChildData> | undefined {
    const node = this.find(fullPath);
    if (node === undefined || node.nodeState !== "LIVE") return undefined;
    const result = new Map<string, ChildData>();
    for (const [name, child] of node.children ?? []) {
      if (child.nodeState === "LIVE" && child.childData !== null) result.set(name, child.childData);
    }
    return result;
  }

  /** Every LIVE node, depth first, sorted by name at each level (the root first). */
  getAll(): ChildData[] {
    const out: ChildData[] = [];
    const walk = (n: TreeNode) => {
      if (n.nodeState === "LIVE" && n.childData !== null) out.push(n.childData);
      for (const name of [...(n.children?.keys() ?? [])].sort(compareStrings)) walk(n.children!.get(name)!);
    };
    walk(this.root);
    return out;
  }

  /** @internal */
  isStarted(): boolean {
    return this.treeState === "STARTED";
  }

  /** @internal A background read: counted for INITIALIZED, errors reported. */
  run(op: (client: CuratorFramework) => Promise<void>): void {
    this.outstandingOps++;
    op(this.client)
      .catch((e) => {
        if (this.isStarted()) this.client.core.reportError(`TreeCache of ${this.root.path}`, e);
      })
      .finally(() => {
        if (--this.outstandingOps === 0 && !this.isInitialized && this.isStarted()) {
          this.isInitialized = true;
          this.publishEvent(TreeCacheEventType.INITIALIZED, null, null);
        }
      });
  }

  /** @internal */
  publishEvent(type: TreeCacheEventType, data: ChildData | null, oldData: ChildData | null): void {
    if (!this.isStarted()) return;
    const event: TreeCacheEvent = { type, data, oldData };
    this.events.push(() => {
      if (this.isStarted()) this.listeners.forEach((l) => l(this.client, event));
    });
  }

  private find(fullPath: string): TreeNode | undefined {
    if (fullPath === this.root.path) return this.root;
    const prefix = this.root.path === "/" ? "/" : this.root.path + "/";
    if (!fullPath.startsWith(prefix)) return undefined;
    let node: TreeNode | undefined = this.root;
    for (const name of fullPath.substring(prefix.length).split("/")) {
      node = node?.children?.get(name);
      if (node === undefined) return undefined;
    }
    return node;
  }

  // #region handleStateChange
  private handleStateChange(newState: ConnectionState): void {
    switch (newState) {
      case ConnectionState.SUSPENDED:
        this.publishEvent(TreeCacheEventType.CONNECTION_SUSPENDED, null, null);
        break;
      case ConnectionState.LOST:
        this.isInitialized = false;
        this.publishEvent(TreeCacheEventType.CONNECTION_LOST, null, null);
        break;
      case ConnectionState.CONNECTED:
        this.root.wasCreated();
        break;
      case ConnectionState.RECONNECTED:
        this.root.wasReconnected();
        this.publishEvent(TreeCacheEventType.CONNECTION_RECONNECTED, null, null);
        break;
      default:
        break;
    }
  }
  // #endregion handleStateChange
}
