/**
 * PathChildrenCache — keeps the children of one node (Stat, and data if asked) up to date,
 * and reports each addition, update and removal.
 *
 * Reimplements Curator's `cache.PathChildrenCache`, `PathChildrenCacheEvent`,
 * `PathChildrenCacheListener`, `PathChildrenCacheMode`/StartMode and its `Operation`s
 * (Refresh, GetData, Event). Chapter 10; the seed builds
 * `new PathChildrenCache(client, "/nodeA", true)` — third argument `cacheData` — starts it
 * and prints `event.getType()` and `event.getData().getPath()/getData()` [003 L50–63]
 * (T81). G19: deprecated in Curator 5 in favour of CuratorCache.
 *
 * Node layout: none of its own; `path` is created as a container if missing (EnsureContainers).
 *
 * Algorithm: `getChildren(path)` with a children watch; for each child not cached (or all
 * of them after a reconnect), `getData` with a data watch. A new child → CHILD_ADDED, a
 * child whose mzxid changed → CHILD_UPDATED, a child no longer listed or whose data
 * watch saw NodeDeleted → CHILD_REMOVED. The children watch queues a new listing; a data
 * watch (NodeDataChanged) queues a new read of that child. Operations and events go
 * through one queue, in order; identical pending refreshes are merged (Curator's
 * operationsQuantizer).
 *
 * Connection loss / expiry contract:
 * - SUSPENDED → event CONNECTION_SUSPENDED; the cached children stay as they were.
 * - LOST → event CONNECTION_LOST (the watches are gone with the session).
 * - CONNECTED / RECONNECTED → a full refresh (listing + every child's data, watches set
 *   again), then CONNECTION_RECONNECTED. Whatever changed while away is reported as the
 *   difference: removed children as CHILD_REMOVED, new ones as CHILD_ADDED, changed ones
 *   as CHILD_UPDATED. Intermediate states in between are not seen.
 *
 * Differs from Curator: no executor (the queue is drained on the event loop), no
 * compression; `start()` resolves once the start-up work is queued (BUILD_INITIAL_CACHE:
 * once the initial cache is built).
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { EventType } from "../../jute/Watcher.js";
import type { WatchedEvent, Watcher } from "../../client/WatchedEvent.js";
import { getLogger } from "../../util/Logger.js";
import { ConnectionState, type ConnectionStateListener } from "../framework/ConnectionState.js";
import type { CuratorFramework, WatcherRemoveCuratorFramework } from "../framework/CuratorFramework.js";
import { IllegalStateException } from "../framework/CuratorZookeeperClient.js";
import { EventQueue } from "../framework/EventQueue.js";
import { StandardListenerManager, type Listenable } from "../framework/Listenable.js";
import { newStat } from "../framework/builders.js";
import { compareStrings, getNodeFromPath, makePath } from "../framework/ZKPaths.js";
import { ChildData } from "./ChildData.js";

const LOG = getLogger("PathChildrenCache");

export const PathChildrenCacheEventType = {
  CHILD_ADDED: "CHILD_ADDED",
  CHILD_UPDATED: "CHILD_UPDATED",
  CHILD_REMOVED: "CHILD_REMOVED",
  CONNECTION_SUSPENDED: "CONNECTION_SUSPENDED",
  CONNECTION_RECONNECTED: "CONNECTION_RECONNECTED",
  CONNECTION_LOST: "CONNECTION_LOST",
  INITIALIZED: "INITIALIZED",
} as const;
export type PathChildrenCacheEventType = (typeof PathChildrenCacheEventType)[keyof typeof PathChildrenCacheEventType];

export interface PathChildrenCacheEvent {
  readonly type: PathChildrenCacheEventType;
  /** The child, for CHILD_* events; null otherwise. */
  readonly data: ChildData | null;
  /** For INITIALIZED: every child at that moment. */
  readonly initialData: ChildData[] | null;
}

export type PathChildrenCacheListener = (client: CuratorFramework, event: PathChildrenCacheEvent) => unknown;

export const StartMode = {
  /** Start empty; CHILD_ADDED for each existing child. */
  NORMAL: "NORMAL",
  /** Read every child before start() resolves; no events for them. */
  BUILD_INITIAL_CACHE: "BUILD_INITIAL_CACHE",
  /** Like NORMAL, then INITIALIZED once every initial child has been read. */
  POST_INITIALIZED_EVENT: "POST_INITIALIZED_EVENT",
} as const;
export type StartMode = (typeof StartMode)[keyof typeof StartMode];

type RefreshMode = "STANDARD" | "FORCE_GET_DATA_AND_STAT" | "POST_INITIALIZED";
type State = "LATENT" | "STARTED" | "CLOSED";

/** "Not read yet" in the initial set. */
const NULL_CHILD_DATA = new ChildData("/", newStat(), null);

export class PathChildrenCache {
  private readonly client: WatcherRemoveCuratorFramework;
  private state: State = "LATENT";
  private readonly currentData = new Map<string, ChildData>();
  private initialSet: Map<string, ChildData> | null = null;
  private readonly listeners = new StandardListenerManager<PathChildrenCacheListener>((e) => LOG.error("PathChildrenCacheListener failed", e));
  private containersEnsured = false;
  private readonly queue = new EventQueue((e) => this.handleException(e));
  private readonly pendingKeys = new Set<string>();

  private readonly childrenWatcher: Watcher = () => this.offerRefresh("STANDARD");
  private readonly dataWatcher: Watcher = (event: WatchedEvent) => {
    if (event.path === null) return;
    if (event.type === EventType.NodeDeleted) this.remove(event.path);
    else if (event.type === EventType.NodeDataChanged) this.offerOperation(`get:${event.path}`, () => this.getDataAndStat(event.path!));
  };
  private readonly connectionStateListener: ConnectionStateListener<CuratorFramework> = (_c, s) => this.handleStateChange(s);

  constructor(
    client: CuratorFramework,
    private readonly path: string,
    private readonly cacheData: boolean,
  ) {
    this.client = client.newWatcherRemoveCuratorFramework();
  }

  async start(mode: StartMode = StartMode.NORMAL): Promise<void> {
    if (this.state !== "LATENT") throw new IllegalStateException("already started");
    this.state = "STARTED";
    this.client.getConnectionStateListenable().addListener(this.connectionStateListener);
    switch (mode) {
      case StartMode.NORMAL:
        this.offerRefresh("STANDARD");
        break;
      case StartMode.BUILD_INITIAL_CACHE:
        await this.rebuild();
        break;
      case StartMode.POST_INITIALIZED_EVENT:
        this.initialSet = new Map();
        this.offerRefresh("POST_INITIALIZED");
        break;
    }
  }

  /** Reads every child now, replacing the cache without events, then refreshes with watches. */
  async rebuild(): Promise<void> {
    if (this.state !== "STARTED") throw new IllegalStateException("cache has been closed");
    await this.ensurePath();
    this.currentData.clear();
    const children = await this.client.getChildren().forPath(this.path);
    for (const child of children) await this.rebuildNode(makePath(this.path, child));
    this.offerRefresh("FORCE_GET_DATA_AND_STAT");
  }

  /** Re-reads one child now, without events. */
  async rebuildNode(fullPath: string): Promise<void> {
    try {
      const stat = newStat();
      const bytes = await this.client.getData().storingStatIn(stat).forPath(fullPath);
      this.currentData.set(fullPath, new ChildData(fullPath, stat, this.cacheData ? bytes : null));
    } catch (e) {
      if (!(e instanceof KeeperException && e.code === Code.NONODE)) throw e;
      this.currentData.delete(fullPath); // deleted meanwhile
    }
  }

  close(): void {
    if (this.state !== "STARTED") return;
    this.state = "CLOSED";
    this.client.getConnectionStateListenable().removeListener(this.connectionStateListener);
    this.listeners.clear();
    this.queue.clear();
    this.client.removeWatchers();
  }

  getListenable(): Listenable<PathChildrenCacheListener> {
    return this.listeners;
  }

  /** Every cached child, sorted by path. */
  getCurrentData(): ChildData[];
  /** One cached child by full path (undefined when not cached). */
  getCurrentData(fullPath: string): ChildData | undefined;
  getCurrentData(fullPath?: string): ChildData[] | ChildData | undefined {
    if (fullPath !== undefined) return this.currentData.get(fullPath);
    return [...this.currentData.values()].sort((a, b) => compareStrings(a.path, b.path));
  }

  /** Drops the cache (no events) and refreshes it from the server (events for everything). */
  clearAndRefresh(): void {
    this.currentData.clear();
    this.offerRefresh("STANDARD");
  }

  // #region refresh
  private offerRefresh(mode: RefreshMode): void {
    this.offerOperation(`refresh:${mode}`, () => {
      this.refresh(mode).catch((e) => this.handleException(e));
    });
  }

  private async refresh(mode: RefreshMode): Promise<void> {
    await this.ensurePath();
    let children: string[];
    try {
      children = await this.client.getChildren().usingWatcher(this.childrenWatcher).forPath(this.path);
    } catch (e) {
      if (e instanceof KeeperException && e.code === Code.NONODE) return; // path deleted; a later create refreshes again
      throw e;
    }
    if (this.state === "CLOSED") return;
    this.processChildren(children, mode);
  }

  private processChildren(children: string[], mode: RefreshMode): void {
    const listed = new Set(children.map((c) => makePath(this.path, c)));
    for (const fullPath of [...this.currentData.keys()]) if (!listed.has(fullPath)) this.remove(fullPath);
    for (const name of children) {
      const fullPath = makePath(this.path, name);
      if (mode === "FORCE_GET_DATA_AND_STAT" || !this.currentData.has(fullPath)) this.getDataAndStat(fullPath);
      this.updateInitialSet(name, NULL_CHILD_DATA);
    }
    this.maybeOfferInitializedEvent();
  }
  // #endregion refresh

  // #region applyNewData
  /** getData with the data watch (always getData: exists would leave a watch on a vanished node). */
  private getDataAndStat(fullPath: string): void {
    const stat = newStat();
    this.client
      .getData()
      .usingWatcher(this.dataWatcher)
      .storingStatIn(stat)
      .forPath(fullPath)
      .then(
        (bytes) => {
          if (this.state === "STARTED") this.applyNewData(fullPath, stat, this.cacheData ? bytes : null);
        },
        (e) => {
          if (this.state !== "STARTED") return;
          if (e instanceof KeeperException && e.code === Code.NONODE) this.remove(fullPath);
          else this.handleException(e);
        },
      );
  }

  private applyNewData(fullPath: string, stat: ChildData["stat"], bytes: Buffer | null): void {
    const data = new ChildData(fullPath, stat, bytes);
    const previous = this.currentData.get(fullPath);
    // Answers may overtake each other after a retry: never go back to an older version.
    if (previous !== undefined && previous.stat.mzxid > stat.mzxid) return;
    this.currentData.set(fullPath, data);
    if (previous === undefined) this.offerEvent(PathChildrenCacheEventType.CHILD_ADDED, data);
    else if (stat.mzxid !== previous.stat.mzxid) this.offerEvent(PathChildrenCacheEventType.CHILD_UPDATED, data);
    this.updateInitialSet(getNodeFromPath(fullPath), data);
  }
  // #endregion applyNewData

  private remove(fullPath: string): void {
    const data = this.currentData.get(fullPath);
    if (data !== undefined) {
      this.currentData.delete(fullPath);
      this.offerEvent(PathChildrenCacheEventType.CHILD_REMOVED, data);
    }
    if (this.initialSet !== null) {
      this.initialSet.delete(getNodeFromPath(fullPath));
      this.maybeOfferInitializedEvent();
    }
  }

  private updateInitialSet(name: string, data: ChildData): void {
    if (this.initialSet === null) return;
    this.initialSet.set(name, data);
    this.maybeOfferInitializedEvent();
  }

  private maybeOfferInitializedEvent(): void {
    const set = this.initialSet;
    if (set === null || [...set.values()].some((d) => d === NULL_CHILD_DATA)) return;
    this.initialSet = null;
    const initialData = [...set.values()].sort((a, b) => compareStrings(a.path, b.path));
    this.offerOperation(null, () => this.callListeners({ type: PathChildrenCacheEventType.INITIALIZED, data: null, initialData }));
  }

  // #region handleStateChange
  private handleStateChange(newState: ConnectionState): void {
    switch (newState) {
      case ConnectionState.SUSPENDED:
        this.offerEvent(PathChildrenCacheEventType.CONNECTION_SUSPENDED, null);
        break;
      case ConnectionState.LOST:
        this.offerEvent(PathChildrenCacheEventType.CONNECTION_LOST, null);
        break;
      case ConnectionState.CONNECTED:
      case ConnectionState.RECONNECTED:
        this.offerRefresh("FORCE_GET_DATA_AND_STAT");
        this.offerEvent(PathChildrenCacheEventType.CONNECTION_RECONNECTED, null);
        break;
      default:
        break;
    }
  }
  // #endregion handleStateChange

  private offerEvent(type: PathChildrenCacheEventType, data: ChildData | null): void {
    this.offerOperation(null, () => this.callListeners({ type, data, initialData: null }));
  }

  private callListeners(event: PathChildrenCacheEvent): void {
    this.listeners.forEach((l) => l(this.client, event));
  }

  /** One queue for operations and events; a keyed operation already pending is not queued twice. */
  private offerOperation(key: string | null, run: () => void): void {
    if (this.state !== "STARTED") return;
    if (key !== null) {
      if (this.pendingKeys.has(key)) return;
      this.pendingKeys.add(key);
    }
    this.queue.push(() => {
      if (key !== null) this.pendingKeys.delete(key);
      if (this.state === "STARTED") run();
    });
  }

  private async ensurePath(): Promise<void> {
    if (this.containersEnsured) return;
    await this.client.createContainers(this.path);
    this.containersEnsured = true;
  }

  private handleException(e: unknown): void {
    if (this.state === "STARTED") this.client.core.reportError(`PathChildrenCache of ${this.path}`, e);
  }
}
