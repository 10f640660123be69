/**
 * CuratorFramework — the retrying, namespaced handle every recipe is built on.
 *
 * Reimplements Curator's `CuratorFrameworkFactory` (and its Builder), `CuratorFramework` /
 * `CuratorFrameworkImpl`, `NamespaceImpl`, `NamespaceWatcher`, `WatcherRemovalManager`,
 * `WatcherRemoveCuratorFramework` and `FailedDeleteManager`. Chapter 10; the seed builds one exactly like this
 * [003 L10–18]:
 *
 *     const client = CuratorFrameworkFactory.builder()
 *       .connectString("localhost:2181").sessionTimeoutMs(5000).connectionTimeoutMs(5000)
 *       .retryPolicy(new ExponentialBackoffRetry(1000, 3)).namespace("base").build();
 *     client.start();
 *     await client.create().creatingParentContainersIfNeeded()
 *       .withMode(CreateMode.PERSISTENT).forPath("/nodeA", "init");     // T79
 *
 * The API is Curator's fluent builders (builders.ts), each ending in a promise-returning
 * `forPath`. A namespace ("base") is put in front of every path sent and taken off every
 * path returned or delivered to a watcher; the namespace node itself is created, as a
 * container, before the first operation (NamespaceImpl.fixForNamespace).
 *
 * Node layout: the namespace node `/<namespace>` (CONTAINER, empty data) before the first
 * operation; parents from `creatingParentContainersIfNeeded` are CONTAINERs with empty
 * data (`creatingParentsIfNeeded`: PERSISTENT); everything else as each builder says.
 *
 * Connection loss / expiry contract (see also ConnectionState.ts):
 * - Every operation runs in the retry loop: CONNECTIONLOSS, SESSIONEXPIRED, … are retried
 *   per the RetryPolicy, each attempt waiting up to connectionTimeoutMs for a connection.
 * - Connection events become CONNECTED / SUSPENDED / RECONNECTED / LOST / READ_ONLY for the
 *   connection-state listeners. After LOST a new session is started at once.
 * - `delete().guaranteed()` that fails for a connection reason keeps being retried in the
 *   background (FailedDeleteManager) until the node is gone, across reconnects.
 *
 * Differs from Curator, and why:
 * - Promises instead of blocking calls and `inBackground(callback)`; a background
 *   operation is simply a promise nobody awaits (recipes catch and report its errors).
 * - getData returns an empty Buffer for a node whose data is null (Curator returns null).
 * - No compression, no ACLProvider beyond a fixed ACL list, no ensemble tracker, no
 *   schema validation, no `inBackground` executors, no `runSafe` thread.
 * - Data given as a string is UTF-8; `forPath(p)` without data stores the client's
 *   default data, this host's IPv4 address as text (Curator: InetAddress.getLocalHost()).
 */
import { networkInterfaces } from "node:os";
import type { ACL } from "../../jute/data.js";
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { WatcherType } from "../../jute/Watcher.js";
import { OPEN_ACL_UNSAFE } from "../../jute/ZooDefs.js";
import { deliver, WatchedEvent, type Watcher } from "../../client/WatchedEvent.js";
import type { ZooKeeper, ZooKeeperOptions } from "../../client/ZooKeeper.js";
import { validatePath } from "../../client/PathUtils.js";
import { getLogger } from "../../util/Logger.js";
import {
  toBuffer,
  type Data,
  CheckExistsBuilder,
  CreateBuilder,
  DeleteBuilder,
  GetACLBuilder,
  GetChildrenBuilder,
  GetDataBuilder,
  SetACLBuilder,
  SetDataBuilder,
  SyncBuilder,
  WatchesBuilder,
} from "./builders.js";
import {
  ConnectionState,
  ConnectionStateManager,
  StandardConnectionStateErrorPolicy,
  type ConnectionStateErrorPolicy,
  type ConnectionStateListener,
} from "./ConnectionState.js";
import { CuratorZookeeperClient, IllegalStateException, type CuratorZookeeperClientOptions } from "./CuratorZookeeperClient.js";
import { StandardListenerManager, type Listenable } from "./Listenable.js";
import { Monitor } from "./Monitor.js";
import { isRetryException, type RetryPolicy } from "./RetryPolicy.js";
import { TransactionBuilder, TransactionOpBuilder } from "./Transaction.js";
import { fixForNamespace, makePath, mkdirs, unfixForNamespace } from "./ZKPaths.js";
import { EventType, KeeperState } from "../../jute/Watcher.js";

const LOG = getLogger("CuratorFramework");

export const CuratorFrameworkState = { LATENT: "LATENT", STARTED: "STARTED", STOPPED: "STOPPED" } as const;
export type CuratorFrameworkState = (typeof CuratorFrameworkState)[keyof typeof CuratorFrameworkState];

/** What `getCuratorListenable()` listeners receive: watch events of `watched()` calls. */
export interface CuratorEvent {
  type: "WATCHED";
  path: string | null;
  watchedEvent: WatchedEvent;
}
export type CuratorListener = (client: CuratorFramework, event: CuratorEvent) => unknown;
export type UnhandledErrorListener = (message: string, e: unknown) => unknown;

/** Curator's LOCAL_ADDRESS default data: this host's first external IPv4 address. */
function localAddress(): Buffer {
  for (const infos of Object.values(networkInterfaces())) {
    for (const i of infos ?? []) if (i.family === "IPv4" && !i.internal) return Buffer.from(i.address);
  }
  return Buffer.from("127.0.0.1");
}

// #region NamespaceWatcher
/**
 * A user's watcher seen through a namespace: the event's path loses the namespace. One
 * wrapper per (watcher, path), so registering the same watcher twice on a path is still
 * one watch (Curator: NamespaceWatcher.equals), and fired watches drop out of every
 * removal manager that tracked them (WatcherRemovalManager.noteTriggeredWatcher).
 */
export class NamespaceWatcher {
  readonly trackers = new Set<WatcherRemovalManager>();
  constructor(
    private readonly namespace: string | null,
    readonly actual: Watcher,
    readonly unfixedPath: string,
    readonly fixedPath: string,
  ) {}

  process(event: WatchedEvent): void {
    if (event.type !== EventType.None) for (const t of this.trackers) t.noteTriggeredWatcher(this);
    const path = event.path === null ? null : unfixForNamespace(this.namespace, event.path);
    deliver(this.actual, new WatchedEvent(event.type, event.state, path));
  }
}
// #endregion NamespaceWatcher

/** Remembers the watchers a recipe set, so that `removeWatchers()` can take them all back. */
export class WatcherRemovalManager {
  private readonly entries = new Set<NamespaceWatcher>();
  constructor(private readonly core: CuratorCore) {}

  add(w: NamespaceWatcher): void {
    this.entries.add(w);
    w.trackers.add(this);
  }

  noteTriggeredWatcher(w: NamespaceWatcher): void {
    this.entries.delete(w);
    w.trackers.delete(this);
  }

  /** Removes every tracked watcher, in the background, ignoring "no such watcher". */
  removeWatchers(): void {
    const all = [...this.entries];
    this.entries.clear();
    for (const w of all) {
      w.trackers.delete(this);
      let zk: ZooKeeper;
      try {
        zk = this.core.zkClient.getZooKeeper();
      } catch {
        return;
      }
      zk.removeWatches(w.fixedPath, w, WatcherType.Any, !this.core.zkClient.isConnected()).catch(() => undefined);
    }
  }

  size(): number {
    return this.entries.size;
  }
}

// #region FailedDeleteManager
/**
 * Guaranteed deletes that failed for a connection reason: each is retried in the
 * background, waiting for the connection between attempts, until the node is deleted or
 * is found gone (NONODE), or the client closes.
 */
export class FailedDeleteManager {
  private readonly pending = new Map<string, Promise<void>>();
  /** Test hook: called with each path once its background delete has finished. */
  debugListener: ((path: string, outcome: "deleted" | "gone" | "failed") => void) | null = null;

  constructor(private readonly core: CuratorCore) {}

  addFailedOperation(fixedPath: string, version = -1): void {
    if (this.pending.has(fixedPath)) return;
    LOG.debug(`Path being added to guaranteed delete set: ${fixedPath}`);
    const run = this.retryDelete(fixedPath, version).finally(() => this.pending.delete(fixedPath));
    this.pending.set(fixedPath, run);
  }

  pendingPaths(): string[] {
    return [...this.pending.keys()];
  }

  private async retryDelete(path: string, version: number): Promise<void> {
    const client = this.core.zkClient;
    while (this.core.state === CuratorFrameworkState.STARTED) {
      try {
        if (!(await client.waitUntilConnected(null))) continue;
        await client.getZooKeeper().delete(path, version);
        this.debugListener?.(path, "deleted");
        return;
      } catch (e) {
        if (e instanceof KeeperException && e.code === Code.NONODE) {
          this.debugListener?.(path, "gone");
          return;
        }
        if (!isRetryException(e)) {
          if (this.core.state === CuratorFrameworkState.STARTED) this.core.reportError(`Guaranteed delete of ${path} failed`, e);
          this.debugListener?.(path, "failed");
          return;
        }
        await new Monitor().wait(100);
      }
    }
  }
}
// #endregion FailedDeleteManager

export interface CuratorCoreOptions extends Omit<CuratorZookeeperClientOptions, "watcher"> {
  defaultData: Buffer;
  acl: ACL[];
  connectionStateErrorPolicy: ConnectionStateErrorPolicy;
  sessionExpirationPercent: number;
}

/** What all facades over one connection share (CuratorFrameworkImpl's fields). */
export class CuratorCore {
  state: CuratorFrameworkState = CuratorFrameworkState.LATENT;
  readonly zkClient: CuratorZookeeperClient;
  readonly unhandledErrorListeners = new StandardListenerManager<UnhandledErrorListener>((e) => LOG.error("unhandled-error listener failed", e));
  readonly connectionStateListeners: StandardListenerManager<ConnectionStateListener<CuratorFramework>>;
  readonly curatorListeners: StandardListenerManager<CuratorListener>;
  readonly connectionStateManager: ConnectionStateManager<CuratorFramework>;
  readonly failedDeleteManager = new FailedDeleteManager(this);
  /** Namespaces whose node has been created (or found) already. */
  readonly ensuredNamespaces = new Set<string>();
  /** One NamespaceWatcher per user watcher and path. */
  readonly watcherCache = new WeakMap<object, Map<string, NamespaceWatcher>>();

  constructor(
    readonly options: CuratorCoreOptions,
    root: () => CuratorFramework,
  ) {
    this.connectionStateListeners = new StandardListenerManager((e) => this.reportError("connection-state listener failed", e));
    this.curatorListeners = new StandardListenerManager((e) => this.reportError("curator listener failed", e));
    this.zkClient = new CuratorZookeeperClient({ ...options, watcher: (event) => this.processWatchedEvent(root(), event) });
    this.connectionStateManager = new ConnectionStateManager(
      root,
      this.connectionStateListeners,
      {
        sessionTimeoutMs: () => this.zkClient.getUseSessionTimeoutMs(),
        isConnected: () => this.zkClient.isConnected(),
        injectSessionExpiration: () => this.zkClient.injectSessionExpiration(),
        traceName: () => this.traceName,
      },
      options.sessionExpirationPercent,
    );
  }

  /** This connection's name in trace events: its handles' `traceName` ("client" by default). */
  get traceName(): string {
    return this.options.zkOptions?.traceName ?? "client";
  }

  reportError(message: string, e: unknown): void {
    if (this.unhandledErrorListeners.size() === 0) {
      LOG.error(message, e);
      return;
    }
    this.unhandledErrorListeners.forEach((l) => l(message, e));
  }

  // #region validateConnection
  /** CuratorFrameworkImpl.validateConnection: ZooKeeper's KeeperState → a ConnectionState. */
  private processWatchedEvent(root: CuratorFramework, event: WatchedEvent): void {
    switch (event.state) {
      case KeeperState.Disconnected:
        this.connectionStateManager.setToSuspended();
        break;
      case KeeperState.Expired:
        this.connectionStateManager.addStateChange(ConnectionState.LOST);
        break;
      case KeeperState.SyncConnected:
        this.connectionStateManager.addStateChange(ConnectionState.RECONNECTED);
        break;
      case KeeperState.ConnectedReadOnly:
        this.connectionStateManager.addStateChange(ConnectionState.READ_ONLY);
        break;
      default:
        break;
    }
    this.curatorListeners.forEach((l) => l(root, { type: "WATCHED", path: event.path, watchedEvent: event }));
  }
  // #endregion validateConnection
}

export class CuratorFramework {
  /** @internal */
  readonly core: CuratorCore;
  /** Null for no namespace. */
  private readonly namespace: string | null;
  /** @internal Set for a WatcherRemoveCuratorFramework. */
  readonly removalManager: WatcherRemovalManager | null;

  /** @internal Use CuratorFrameworkFactory. */
  constructor(core: CuratorCore, namespace: string | null, removalManager: WatcherRemovalManager | null = null) {
    this.core = core;
    this.namespace = namespace === null || namespace.length === 0 ? null : namespace;
    if (this.namespace !== null) validatePath("/" + this.namespace);
    this.removalManager = removalManager;
  }

  // ---- life cycle -------------------------------------------------------------------------

  /** Starts the connection (returns at once; see blockUntilConnected). */
  start(): void {
    if (this.core.state !== CuratorFrameworkState.LATENT) throw new IllegalStateException("Cannot be started more than once");
    this.core.state = CuratorFrameworkState.STARTED;
    this.core.connectionStateManager.start();
    this.core.zkClient.start();
  }

  /** Ends the session (closeSession) and stops every listener. Idempotent. */
  async close(): Promise<void> {
    if (this.core.state !== CuratorFrameworkState.STARTED) {
      this.core.state = CuratorFrameworkState.STOPPED;
      return;
    }
    this.core.state = CuratorFrameworkState.STOPPED;
    this.core.connectionStateManager.close();
    this.core.connectionStateListeners.clear();
    this.core.curatorListeners.clear();
    await this.core.zkClient.close();
  }

  getState(): CuratorFrameworkState {
    return this.core.state;
  }

  /** Resolves true once connected (false if `maxWaitMs` passes first; null waits for ever). */
  blockUntilConnected(maxWaitMs: number | null = null): Promise<boolean> {
    return this.core.zkClient.waitUntilConnected(maxWaitMs);
  }

  getZookeeperClient(): CuratorZookeeperClient {
    return this.core.zkClient;
  }

  getConnectionStateListenable(): Listenable<ConnectionStateListener<CuratorFramework>> {
    return this.core.connectionStateListeners;
  }

  getCuratorListenable(): Listenable<CuratorListener> {
    return this.core.curatorListeners;
  }

  getUnhandledErrorListenable(): Listenable<UnhandledErrorListener> {
    return this.core.unhandledErrorListeners;
  }

  getConnectionStateErrorPolicy(): ConnectionStateErrorPolicy {
    return this.core.options.connectionStateErrorPolicy;
  }

  /** The last state posted to connection-state listeners (null before the first). */
  getCurrentConnectionState(): ConnectionState | null {
    return this.core.connectionStateManager.getCurrentConnectionState();
  }

  /** The lifeline this client's frames and its recipes' events are drawn on (RecipeTrace.ts). */
  traceName(): string {
    return this.core.traceName;
  }

  getNamespace(): string {
    return this.namespace ?? "";
  }

  /** A facade over the same connection with another namespace (null: none). */
  usingNamespace(namespace: string | null): CuratorFramework {
    return new CuratorFramework(this.core, namespace, this.removalManager);
  }

  /** A facade that remembers the watchers set through it; `removeWatchers()` removes them. */
  newWatcherRemoveCuratorFramework(): WatcherRemoveCuratorFramework {
    return new WatcherRemoveCuratorFramework(this.core, this.namespace);
  }

  // ---- operations -------------------------------------------------------------------------

  create(): CreateBuilder {
    return new CreateBuilder(this);
  }
  delete(): DeleteBuilder {
    return new DeleteBuilder(this);
  }
  getData(): GetDataBuilder {
    return new GetDataBuilder(this);
  }
  setData(): SetDataBuilder {
    return new SetDataBuilder(this);
  }
  checkExists(): CheckExistsBuilder {
    return new CheckExistsBuilder(this);
  }
  getChildren(): GetChildrenBuilder {
    return new GetChildrenBuilder(this);
  }
  getACL(): GetACLBuilder {
    return new GetACLBuilder(this);
  }
  setACL(): SetACLBuilder {
    return new SetACLBuilder(this);
  }
  sync(): SyncBuilder {
    return new SyncBuilder(this);
  }
  /** addWatch / removeWatches (Curator 5's `watchers()`). */
  watchers(): WatchesBuilder {
    return new WatchesBuilder(this);
  }
  /** `transaction().forOperations(ops)`: one multi, all or nothing. */
  transaction(): TransactionBuilder {
    return new TransactionBuilder(this);
  }
  /** Builds the ops for transaction(). */
  transactionOp(): TransactionOpBuilder {
    return new TransactionOpBuilder(this);
  }

  /** Creates `path` and its parents as containers where missing. */
  async createContainers(path: string): Promise<void> {
    const fixed = await this.fixPath(path);
    await this.callWithRetry((zk) => mkdirs(zk, fixed, true, this.core.options.acl, true));
  }

  // ---- internals used by builders and recipes ----------------------------------------------

  // #region fixPath
  /** @internal The namespace's path in front of `path`, creating the namespace node first. */
  async fixPath(path: string, isSequential = false): Promise<string> {
    validatePath(path, isSequential);
    await this.ensureNamespace();
    return fixForNamespace(this.namespace, path);
  }

  /** @internal The namespace taken off a server path. */
  unfixPath(path: string): string {
    return unfixForNamespace(this.namespace, path);
  }
  // #endregion fixPath

  /** @internal */
  callWithRetry<T>(fn: (zk: ZooKeeper) => Promise<T>): Promise<T> {
    if (this.core.state !== CuratorFrameworkState.STARTED) return Promise.reject(new IllegalStateException(`Expected state [STARTED] was [${this.core.state}]`));
    return this.core.zkClient.callWithRetry(fn);
  }

  /** @internal The watcher to register for `watcher` on `unfixedPath` (tracked for removal). */
  wrapWatcher(watcher: Watcher, unfixedPath: string, fixedPath: string): NamespaceWatcher {
    let byPath = this.core.watcherCache.get(watcher);
    if (byPath === undefined) {
      byPath = new Map();
      this.core.watcherCache.set(watcher, byPath);
    }
    const key = `${this.namespace ?? ""}\u0000${fixedPath}`;
    let w = byPath.get(key);
    if (w === undefined) {
      w = new NamespaceWatcher(this.namespace, watcher, unfixedPath, fixedPath);
      byPath.set(key, w);
    }
    this.removalManager?.add(w);
    return w;
  }

  /** @internal Watch events of `watched()` calls go to the CuratorListeners. */
  readonly watchedWatcher: Watcher = (event: WatchedEvent) => {
    this.core.curatorListeners.forEach((l) => l(this, { type: "WATCHED", path: event.path, watchedEvent: event }));
  };

  /** @internal */
  get defaultData(): Buffer {
    return this.core.options.defaultData;
  }

  /** @internal */
  get defaultAcl(): ACL[] {
    return this.core.options.acl;
  }

  private async ensureNamespace(): Promise<void> {
    const ns = this.namespace;
    if (ns === null || this.core.ensuredNamespaces.has(ns)) return;
    await this.callWithRetry((zk) => mkdirs(zk, makePath("/", ns), true, this.core.options.acl, true));
    this.core.ensuredNamespaces.add(ns);
  }
}

/** A CuratorFramework that remembers its watchers (Curator's WatcherRemoveCuratorFramework). */
export class WatcherRemoveCuratorFramework extends CuratorFramework {
  constructor(core: CuratorCore, namespace: string | null) {
    super(core, namespace, new WatcherRemovalManager(core));
  }

  /** Removes every watcher set through this facade that has not fired yet. */
  removeWatchers(): void {
    this.removalManager!.removeWatchers();
  }

  override usingNamespace(namespace: string | null): CuratorFramework {
    return new CuratorFramework(this.core, namespace, this.removalManager);
  }
}

// #region CuratorFrameworkFactory
export class CuratorFrameworkBuilder {
  private opts: Partial<CuratorCoreOptions> & { namespace?: string | null } = {};

  connectString(s: string): this {
    this.opts.connectString = s;
    return this;
  }
  sessionTimeoutMs(ms: number): this {
    this.opts.sessionTimeoutMs = ms;
    return this;
  }
  connectionTimeoutMs(ms: number): this {
    this.opts.connectionTimeoutMs = ms;
    return this;
  }
  retryPolicy(p: RetryPolicy): this {
    this.opts.retryPolicy = p;
    return this;
  }
  namespace(ns: string | null): this {
    this.opts.namespace = ns;
    return this;
  }
  /** Data stored by `forPath(path)` without data (default: this host's IP address). */
  defaultData(data: Data): this {
    this.opts.defaultData = toBuffer(data) ?? Buffer.alloc(0);
    return this;
  }
  /** Credentials added to every session (addAuthInfo), e.g. ("digest", "user:pass"). */
  authorization(scheme: string, auth: Data): this {
    (this.opts.authInfos ??= []).push({ scheme, auth: toBuffer(auth) ?? Buffer.alloc(0) });
    return this;
  }
  /** ACL for every node the framework creates unless withACL says otherwise. */
  aclList(acl: ACL[]): this {
    this.opts.acl = acl;
    return this;
  }
  canBeReadOnly(b: boolean): this {
    this.opts.canBeReadOnly = b;
    return this;
  }
  connectionStateErrorPolicy(p: ConnectionStateErrorPolicy): this {
    this.opts.connectionStateErrorPolicy = p;
    return this;
  }
  /** Percent of the session timeout SUSPENDED may last before LOST is injected (0: never). */
  sessionExpirationPercent(percent: number): this {
    if (percent < 0 || percent > 100) throw new RangeError("sessionExpirationPercent must be between 0 and 100");
    this.opts.sessionExpirationPercent = percent;
    return this;
  }
  /** Options passed to every ZooKeeper handle (client config, host provider, clock). */
  zookeeperOptions(o: ZooKeeperOptions): this {
    this.opts.zkOptions = o;
    return this;
  }

  // #region build
  build(): CuratorFramework {
    const o = this.opts;
    if (o.connectString === undefined) throw new IllegalStateException("connectString is required");
    if (o.retryPolicy === undefined) throw new IllegalStateException("retryPolicy is required");
    const options: CuratorCoreOptions = {
      connectString: o.connectString,
      sessionTimeoutMs: o.sessionTimeoutMs ?? CuratorFrameworkFactory.DEFAULT_SESSION_TIMEOUT_MS,
      connectionTimeoutMs: o.connectionTimeoutMs ?? CuratorFrameworkFactory.DEFAULT_CONNECTION_TIMEOUT_MS,
      retryPolicy: o.retryPolicy,
      canBeReadOnly: o.canBeReadOnly ?? false,
      authInfos: o.authInfos ?? [],
      defaultData: o.defaultData ?? localAddress(),
      acl: o.acl ?? OPEN_ACL_UNSAFE,
      connectionStateErrorPolicy: o.connectionStateErrorPolicy ?? StandardConnectionStateErrorPolicy,
      sessionExpirationPercent: o.sessionExpirationPercent ?? 100,
      zkOptions: o.zkOptions,
    };
    let root: CuratorFramework | null = null;
    const core = new CuratorCore(options, () => root!);
    root = new CuratorFramework(core, o.namespace ?? null);
    return root;
  }
  // #endregion build
}

function newClient(connectString: string, retryPolicy: RetryPolicy): CuratorFramework;
function newClient(connectString: string, sessionTimeoutMs: number, connectionTimeoutMs: number, retryPolicy: RetryPolicy): CuratorFramework;
function newClient(connectString: string, a: RetryPolicy | number, b?: number, c?: RetryPolicy): CuratorFramework {
  const builder = new CuratorFrameworkBuilder().connectString(connectString);
  if (typeof a === "number") return builder.sessionTimeoutMs(a).connectionTimeoutMs(b!).retryPolicy(c!).build();
  return builder.retryPolicy(a).build();
}

export const CuratorFrameworkFactory = {
  DEFAULT_SESSION_TIMEOUT_MS: 60_000,
  DEFAULT_CONNECTION_TIMEOUT_MS: 15_000,
  builder(): CuratorFrameworkBuilder {
    return new CuratorFrameworkBuilder();
  },
  newClient,
};
// #endregion CuratorFrameworkFactory
