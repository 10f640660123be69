/**
 * CuratorCache — Curator 5's one cache for a node or a whole subtree, built on a single
 * persistent recursive watch instead of one watch per node.
 *
 * Reimplements Curator's `cache.CuratorCache` / `CuratorCacheImpl`, `CuratorCacheListener`
 * (and its builder), `CuratorCacheStorage` (the standard map), `CuratorCacheBridge` (the
 * TreeCache fallback) and `watch.PersistentWatcher`. Chapter 10; G19 — the seed's three
 * caches [003 L42–92] are deprecated in Curator 5 in favour of this one (U).
 *
 * Node layout: none of its own.
 *
 * Algorithm: `addWatch(path, PERSISTENT_RECURSIVE)` (PERSISTENT for SINGLE_NODE_CACHE),
 * then a rebuild: read the root; when a node's cversion changed, list its children and
 * read each. Events of the one watch drive the rest: NodeCreated / NodeDataChanged → read
 * that node (NODE_CREATED, or NODE_CHANGED when its version moved); NodeDeleted → drop it
 * (NODE_DELETED). A persistent recursive watch never sends NodeChildrenChanged, and a
 * node's creation is reported by its own NodeCreated, so no listing is needed after the
 * rebuild. `initialized()` is called once, when no read is outstanding for the first time.
 *
 * When the server has no persistent watches (ZooKeeper 3.5 answers addWatch with
 * UNIMPLEMENTED) — or `bridgeBuilder(...).withPersistentWatches(false)` — the cache runs a
 * TreeCache underneath and translates its events (Curator: CuratorCacheBridge).
 *
 * Connection loss / expiry contract:
 * - SUSPENDED: nothing happens; the stored nodes stay as they were.
 * - CONNECTED / RECONNECTED / READ_ONLY (PersistentWatcher's reset): the watch is added
 *   again (needed after LOST; harmless after a plain reconnect, where the client re-sent
 *   it itself) and the cache is rebuilt: the root and every stored node are re-read, so
 *   deletions while away become NODE_DELETED and new nodes NODE_CREATED.
 * - LOST: nothing by itself; the RECONNECTED of the new session rebuilds.
 *
 * Pitfall on 3.8 servers (ZOOKEEPER-4466, fixed in 3.9): a session has one watch mode per
 * path, so a standard watch (getData/exists/getChildren with a watcher) set by the *same
 * session* on the cache's root replaces the persistent recursive watch by a one-shot one,
 * and the cache silently stops following the tree. Apache 3.8.0 and our server both do
 * this (test/recipes/caches.test.ts shows it); keep TreeCache/NodeCache watches on that
 * path on another session.
 *
 * Differs from Curator: no compression, storage is a Map (no custom CuratorCacheStorage),
 * listeners run on the event loop in order; a node deleted and re-created (new czxid) is
 * reported as NODE_CHANGED and has its children listed even when version and cversion
 * happen to match the old ones.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { EventType } from "../../jute/Watcher.js";
import type { Stat } from "../../jute/data.js";
import type { WatchedEvent, Watcher } from "../../client/WatchedEvent.js";
import { AddWatchMode } from "../../client/ZooKeeper.js";
import { getLogger } from "../../util/Logger.js";
import { isConnectedState, type ConnectionStateListener } from "../framework/ConnectionState.js";
import type { CuratorFramework, WatcherRemoveCuratorFramework } from "../framework/CuratorFramework.js";
import { IllegalStateException } from "../framework/CuratorZookeeperClient.js";
import { EventQueue } from "../framework/EventQueue.js";
import { StandardListenerManager, type Listenable } from "../framework/Listenable.js";
import { newStat } from "../framework/builders.js";
import { compareStrings, makePath } from "../framework/ZKPaths.js";
import { ChildData } from "./ChildData.js";
import { TreeCache, TreeCacheEventType } from "./TreeCache.js";

const LOG = getLogger("CuratorCache");

export const CuratorCacheOptions = {
  /** Cache only the node itself (a persistent, non-recursive watch). */
  SINGLE_NODE_CACHE: "SINGLE_NODE_CACHE",
  /** Keep the stored nodes after close(). */
  DO_NOT_CLEAR_ON_CLOSE: "DO_NOT_CLEAR_ON_CLOSE",
} as const;
export type CuratorCacheOption = (typeof CuratorCacheOptions)[keyof typeof CuratorCacheOptions];

export const CuratorCacheEventType = { NODE_CREATED: "NODE_CREATED", NODE_CHANGED: "NODE_CHANGED", NODE_DELETED: "NODE_DELETED" } as const;
export type CuratorCacheEventType = (typeof CuratorCacheEventType)[keyof typeof CuratorCacheEventType];

export interface CuratorCacheListener {
  event(type: CuratorCacheEventType, oldData: ChildData | null, data: ChildData | null): unknown;
  initialized?(): unknown;
}

// #region CuratorCacheListenerBuilder
/** `CuratorCacheListener.builder().forCreates(…).forDeletes(…).build()`. */
export class CuratorCacheListenerBuilder {
  private readonly parts: CuratorCacheListener[] = [];
  private afterInit = false;

  forCreates(fn: (node: ChildData) => unknown): this {
    return this.add((t, _o, n) => t === CuratorCacheEventType.NODE_CREATED && fn(n!));
  }
  forChanges(fn: (oldNode: ChildData, node: ChildData) => unknown): this {
    return this.add((t, o, n) => t === CuratorCacheEventType.NODE_CHANGED && fn(o!, n!));
  }
  forCreatesAndChanges(fn: (oldNode: ChildData | null, node: ChildData) => unknown): this {
    return this.add((t, o, n) => t !== CuratorCacheEventType.NODE_DELETED && fn(o, n!));
  }
  forDeletes(fn: (oldNode: ChildData) => unknown): this {
    return this.add((t, o) => t === CuratorCacheEventType.NODE_DELETED && fn(o!));
  }
  forAll(fn: (type: CuratorCacheEventType, oldData: ChildData | null, data: ChildData | null) => unknown): this {
    return this.add(fn);
  }
  forInitialized(fn: () => unknown): this {
    this.parts.push({ event: () => undefined, initialized: fn });
    return this;
  }
  /** Events before initialized() are not passed on. */
  afterInitialized(): this {
    this.afterInit = true;
    return this;
  }
  build(): CuratorCacheListener {
    const parts = [...this.parts];
    let initialized = !this.afterInit;
    return {
      event: (t, o, n) => {
        if (initialized) for (const p of parts) p.event(t, o, n);
      },
      initialized: () => {
        initialized = true;
        for (const p of parts) p.initialized?.();
      },
    };
  }
  private add(fn: CuratorCacheListener["event"]): this {
    this.parts.push({ event: fn });
    return this;
  }
}
// #endregion CuratorCacheListenerBuilder

// #region PersistentWatcher
/** A persistent (recursive) watch kept in place across reconnects and new sessions. */
export class PersistentWatcher {
  private readonly client: WatcherRemoveCuratorFramework;
  private started = false;
  readonly listeners = new StandardListenerManager<(event: WatchedEvent) => unknown>((e) => LOG.error("PersistentWatcher listener failed", e));
  /** Called after each successful (re)set: the cache rebuilds then. */
  readonly resetListeners = new StandardListenerManager<() => unknown>((e) => LOG.error("PersistentWatcher reset listener failed", e));
  /** Called when the server does not support persistent watches. */
  onUnimplemented: (() => void) | null = null;
  private readonly watcher: Watcher = (event) => this.listeners.forEach((l) => l(event));
  private readonly connectionStateListener: ConnectionStateListener<CuratorFramework> = (_c, s) => {
    if (isConnectedState(s)) this.reset();
  };

  constructor(
    client: CuratorFramework,
    private readonly basePath: string,
    private readonly recursive: boolean,
  ) {
    this.client = client.newWatcherRemoveCuratorFramework();
  }

  start(): void {
    if (this.started) throw new IllegalStateException("Already started");
    this.started = true;
    this.client.getConnectionStateListenable().addListener(this.connectionStateListener);
    this.reset();
  }

  close(): void {
    if (!this.started) return;
    this.started = false;
    this.client.getConnectionStateListenable().removeListener(this.connectionStateListener);
    this.client.watchers().remove(this.watcher).quietly().forPath(this.basePath).catch(() => this.client.removeWatchers());
  }

  private reset(): void {
    if (!this.started) return;
    this.client
      .watchers()
      .add()
      .withMode(this.recursive ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT)
      .usingWatcher(this.watcher)
      .forPath(this.basePath)
      .then(
        () => {
          if (this.started) this.resetListeners.forEach((l) => l());
        },
        (e) => {
          if (e instanceof KeeperException && e.code === Code.UNIMPLEMENTED && this.onUnimplemented !== null) this.onUnimplemented();
          else if (this.started) this.client.core.reportError(`Could not set the persistent watch on ${this.basePath}`, e);
        },
      );
  }
}
// #endregion PersistentWatcher

type State = "LATENT" | "STARTED" | "CLOSED";

export class CuratorCache {
  private readonly client: CuratorFramework;
  private state: State = "LATENT";
  private readonly storage = new Map<string, ChildData>();
  private readonly recursive: boolean;
  private readonly clearOnClose: boolean;
  private readonly listeners = new StandardListenerManager<CuratorCacheListener>((e) => LOG.error("CuratorCacheListener failed", e));
  private persistentWatcher: PersistentWatcher | null = null;
  private treeCache: TreeCache | null = null;
  private outstandingOps = 0;
  private isInitialized = false;
  private readonly events = new EventQueue((e) => LOG.error("CuratorCacheListener failed", e));

  /** `CuratorCache.build(client, path, ...options)`. */
  static build(client: CuratorFramework, path: string, ...options: CuratorCacheOption[]): CuratorCache {
    return new CuratorCache(client, path, options, true);
  }

  /** `CuratorCache.bridgeBuilder(client, path).withOptions(…).build()`. */
  static bridgeBuilder(client: CuratorFramework, path: string): CuratorCacheBridgeBuilder {
    return new CuratorCacheBridgeBuilder(client, path);
  }

  constructor(
    client: CuratorFramework,
    private readonly path: string,
    options: CuratorCacheOption[],
    private readonly usePersistentWatches: boolean,
  ) {
    this.client = client;
    this.recursive = !options.includes(CuratorCacheOptions.SINGLE_NODE_CACHE);
    this.clearOnClose = !options.includes(CuratorCacheOptions.DO_NOT_CLEAR_ON_CLOSE);
  }

  start(): void {
    if (this.state !== "LATENT") throw new IllegalStateException("Already started");
    this.state = "STARTED";
    if (!this.usePersistentWatches) {
      this.startTreeCache();
      return;
    }
    const pw = new PersistentWatcher(this.client, this.path, this.recursive);
    pw.listeners.addListener((e) => this.processEvent(e));
    pw.resetListeners.addListener(() => this.rebuild());
    pw.onUnimplemented = () => {
      LOG.warn(`The server has no persistent watches; ${this.path} is cached with a TreeCache`);
      pw.close();
      this.persistentWatcher = null;
      this.startTreeCache();
    };
    this.persistentWatcher = pw;
    pw.start();
  }

  close(): void {
    if (this.state !== "STARTED") return;
    this.state = "CLOSED";
    this.persistentWatcher?.close();
    this.treeCache?.close();
    if (this.clearOnClose) this.storage.clear();
    this.events.clear();
  }

  listenable(): Listenable<CuratorCacheListener> {
    return this.listeners;
  }

  get(path: string): ChildData | undefined {
    return this.storage.get(path);
  }

  size(): number {
    return this.storage.size;
  }

  /** Every stored node, sorted by path. */
  stream(): ChildData[] {
    return [...this.storage.values()].sort((a, b) => compareStrings(a.path, b.path));
  }

  /** Whether the persistent-watch implementation (not the TreeCache bridge) is running. */
  isCuratorCache(): boolean {
    return this.treeCache === null;
  }

  // #region rebuild
  private rebuild(): void {
    if (this.state !== "STARTED") return;
    this.nodeChanged(this.path);
    for (const p of [...this.storage.keys()]) if (p !== this.path) this.nodeChanged(p);
  }

  private processEvent(event: WatchedEvent): void {
    if (this.state !== "STARTED" || event.path === null) return;
    switch (event.type) {
      case EventType.NodeDataChanged:
      case EventType.NodeCreated:
        this.nodeChanged(event.path);
        break;
      case EventType.NodeDeleted:
        this.removeStorage(event.path);
        break;
      default:
        break;
    }
  }

  private nodeChanged(fromPath: string): void {
    this.runOp(async () => {
      const stat = newStat();
      let bytes: Buffer;
      try {
        bytes = await this.client.getData().storingStatIn(stat).forPath(fromPath);
      } catch (e) {
        if (e instanceof KeeperException && e.code === Code.NONODE) return this.removeStorage(fromPath);
        throw e;
      }
      const previous = this.putStorage(new ChildData(fromPath, stat, bytes));
      this.checkChildrenChanged(fromPath, previous?.stat ?? null, stat);
    });
  }

  private checkChildrenChanged(fromPath: string, oldStat: Stat | null, newStat: Stat): void {
    if (this.state !== "STARTED" || !this.recursive) return;
    // No child came or went (a node deleted and re-created may have the same cversion: czxid tells).
    if (oldStat !== null && oldStat.cversion === newStat.cversion && oldStat.czxid === newStat.czxid) return;
    this.runOp(async () => {
      let children: string[];
      try {
        children = await this.client.getChildren().forPath(fromPath);
      } catch (e) {
        if (e instanceof KeeperException && e.code === Code.NONODE) return this.removeStorage(fromPath);
        throw e;
      }
      for (const child of children) this.nodeChanged(makePath(fromPath, child));
    });
  }
  // #endregion rebuild

  private putStorage(data: ChildData): ChildData | undefined {
    const previous = this.storage.get(data.path);
    // A read overtaken by a newer one (after a retry) must not roll the node back.
    if (previous !== undefined && previous.stat.mzxid > data.stat.mzxid) return previous;
    this.storage.set(data.path, data);
    if (previous === undefined) this.callListeners((l) => l.event(CuratorCacheEventType.NODE_CREATED, null, data));
    else if (previous.stat.version !== data.stat.version || previous.stat.czxid !== data.stat.czxid) this.callListeners((l) => l.event(CuratorCacheEventType.NODE_CHANGED, previous, data));
    return previous;
  }

  private removeStorage(path: string): void {
    const previous = this.storage.get(path);
    if (previous === undefined) return;
    this.storage.delete(path);
    this.callListeners((l) => l.event(CuratorCacheEventType.NODE_DELETED, previous, null));
  }

  private runOp(op: () => Promise<void>): void {
    this.outstandingOps++;
    op()
      .catch((e) => {
        if (this.state === "STARTED") this.client.core.reportError(`CuratorCache of ${this.path}`, e);
      })
      .finally(() => {
        if (--this.outstandingOps === 0 && !this.isInitialized && this.state === "STARTED") {
          this.isInitialized = true;
          this.callListeners((l) => l.initialized?.());
        }
      });
  }

  private callListeners(fn: (l: CuratorCacheListener) => unknown): void {
    if (this.state !== "STARTED") return;
    this.events.push(() => {
      if (this.state === "STARTED") this.listeners.forEach(fn);
    });
  }

  // #region bridge
  /** CuratorCacheBridge: the same storage and events, fed by a TreeCache. */
  private startTreeCache(): void {
    const tc = new TreeCache(this.client, this.path, { maxDepth: this.recursive ? undefined : 0 });
    tc.getListenable().addListener((_c, e) => {
      if (e.type === TreeCacheEventType.NODE_ADDED || e.type === TreeCacheEventType.NODE_UPDATED) this.putStorage(e.data!);
      else if (e.type === TreeCacheEventType.NODE_REMOVED) this.removeStorage(e.oldData!.path);
      else if (e.type === TreeCacheEventType.INITIALIZED && !this.isInitialized) {
        this.isInitialized = true;
        this.callListeners((l) => l.initialized?.());
      }
    });
    this.treeCache = tc;
    tc.start().catch((err) => this.client.core.reportError(`TreeCache bridge of ${this.path}`, err));
  }
  // #endregion bridge
}

export class CuratorCacheBridgeBuilder {
  private options: CuratorCacheOption[] = [];
  private persistent = true;

  constructor(
    private readonly client: CuratorFramework,
    private readonly path: string,
  ) {}

  withOptions(...options: CuratorCacheOption[]): this {
    this.options = options;
    return this;
  }

  /** false: use the TreeCache bridge even if the server has persistent watches. */
  withPersistentWatches(use: boolean): this {
    this.persistent = use;
    return this;
  }

  build(): CuratorCache {
    return new CuratorCache(this.client, this.path, this.options, this.persistent);
  }
}

/** `CuratorCacheListener.builder()`. */
export const CuratorCacheListenerFactory = {
  builder(): CuratorCacheListenerBuilder {
    return new CuratorCacheListenerBuilder();
  },
};
