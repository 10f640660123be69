/**
 * ZooKeeper — the client handle: one session, every operation of the 3.8 protocol as a
 * promise, and the watches set through it.
 *
 * Reimplements `org.apache.zookeeper.ZooKeeper` (and `AddWatchMode`). Chapter 09
 * (client); the constructor is walked through in [001 L8811–8892] and the socket choice
 * in [001 L9054–9108] (T78).
 *
 * Every method follows Java's shape: validate the path on the client, prepend the
 * chroot, queue a request through ClientCnxn with a watch registration if a watch was
 * asked for, and turn a non-zero reply code into a KeeperException carrying the CLIENT
 * path. Paths in results and events never show the chroot.
 *
 * Differs from Java, and why:
 * - Promises replace both the blocking and the callback API. Results are delivered by the
 *   EventThread, in the order the server answered, interleaved correctly with events.
 * - `create` always asks for the Stat (create2 / createContainer / createTTL) and returns
 *   `{ path, stat }`.
 * - getEphemerals applies the chroot and strips it from the answer (Java 3.8 does neither),
 *   and multi results have it stripped too: the chroot stays invisible everywhere.
 * - whoAmI rejects on an error code (Java returns null).
 * - Data may be given as a string (UTF-8) or bytes; it always comes back as a Buffer.
 */
import { CreateMode, type CreateModeInfo } from "../jute/CreateMode.js";
import type { ACL, ClientInfo, Stat } from "../jute/data.js";
import { Code, KeeperException } from "../jute/KeeperException.js";
import type { RecordCodec } from "../jute/Record.js";
import {
  AddWatchRequest,
  CheckWatchesRequest,
  Create2Response,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  ExistsRequest,
  GetACLRequest,
  GetACLResponse,
  GetAllChildrenNumberRequest,
  GetAllChildrenNumberResponse,
  GetChildren2Request,
  GetChildren2Response,
  GetChildrenRequest,
  GetChildrenResponse,
  GetDataRequest,
  GetDataResponse,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  RemoveWatchesRequest,
  SetACLRequest,
  SetACLResponse,
  SetDataRequest,
  SetDataResponse,
  SyncRequest,
  SyncResponse,
  WhoAmIResponse,
} from "../jute/proto.js";
import type { WatcherType } from "../jute/Watcher.js";
import { AddWatchModes, OPEN_ACL_UNSAFE, OpCode } from "../jute/ZooDefs.js";
import { systemClock, type Clock } from "../util/Clock.js";
import { getLogger } from "../util/Logger.js";
import { ClientCnxn, type RequestResult } from "./ClientCnxn.js";
import type { ClientCnxnSocket } from "./ClientCnxnSocket.js";
import { ClientCnxnSocketNIO } from "./ClientCnxnSocketNIO.js";
import { ConnectStringParser, type ServerAddress } from "./ConnectStringParser.js";
import { firstError, readMultiResponse, type OpResult } from "./OpResult.js";
import { opKindOf, validateTTL, writeMulti, type Op } from "./Op.js";
import type { RequestBody, ResponseReader } from "./Packet.js";
import { IllegalArgumentException, validatePath } from "./PathUtils.js";
import { StaticHostProvider, type HostProvider } from "./StaticHostProvider.js";
import { isAlive, isConnected, type States } from "./States.js";
import { Transaction } from "./Transaction.js";
import type { Watcher } from "./WatchedEvent.js";
import { ZKClientConfig } from "./ZKClientConfig.js";
import { WatchDeregistration, WatchRegistration, type WatchKind } from "./ZKWatchManager.js";

const LOG = getLogger("ZooKeeper");

/** The znode holding the ensemble's dynamic configuration (ZooDefs.CONFIG_NODE). */
export const CONFIG_NODE = "/zookeeper/config";

/** Modes of addWatch (Java's AddWatchMode enum). */
export const AddWatchMode = {
  /** Fires for data and child changes of the node itself; stays until removed. */
  PERSISTENT: AddWatchModes.persistent,
  /** Fires for every node in the subtree, except NodeChildrenChanged; stays until removed. */
  PERSISTENT_RECURSIVE: AddWatchModes.persistentRecursive,
} as const;
export type AddWatchMode = (typeof AddWatchMode)[keyof typeof AddWatchMode];

/** An I/O failure while setting up the handle (Java's IOException). */
export class IOException extends Error {
  override name = "IOException";
}

export type Data = Uint8Array | string | null;

export interface ZooKeeperOptions {
  /** Accept a read-only server when no majority can be reached. */
  canBeReadOnly?: boolean;
  /** Re-attach to an existing session (with its password) instead of creating one. */
  sessionId?: bigint;
  sessionPasswd?: Buffer;
  clientConfig?: ZKClientConfig;
  /** Replaces the StaticHostProvider built from the connect string. */
  hostProvider?: HostProvider;
  /** Time source for timeouts and pings (tests and the simulator pass a virtual one). */
  clock?: Clock;
  /** [0, 1): host shuffling and reconnect jitter. */
  random?: () => number;
  /** How this client is named in trace events (src/trace); "client" by default. */
  traceName?: string;
}

// #region getClientCnxnSocket
export type ClientCnxnSocketClass = new (config: ZKClientConfig, clock: Clock) => ClientCnxnSocket;

/** Java instantiates the socket class by name through reflection; here names map to classes. */
const socketClasses = new Map<string, ClientCnxnSocketClass>([["org.apache.zookeeper.ClientCnxnSocketNIO", ClientCnxnSocketNIO]]);

/** Makes a socket implementation selectable by `zookeeper.clientCnxnSocket` (tests register fakes). */
export function registerClientCnxnSocket(name: string, cls: ClientCnxnSocketClass): void {
  socketClasses.set(name, cls);
}

/**
 * The socket implementation `zookeeper.clientCnxnSocket` names: unset or
 * "ClientCnxnSocketNIO" is the default. "ClientCnxnSocketNetty" is recognised as a name
 * but has no implementation here (Java uses it for TLS, which this client lacks).
 */
export function getClientCnxnSocket(config: ZKClientConfig, clock: Clock): ClientCnxnSocket {
  let name = config.getProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET);
  if (name === undefined || name === "ClientCnxnSocketNIO") name = "org.apache.zookeeper.ClientCnxnSocketNIO";
  else if (name === "ClientCnxnSocketNetty") name = "org.apache.zookeeper.ClientCnxnSocketNetty";
  const cls = socketClasses.get(name);
  if (cls === undefined) throw new IOException(`Couldn't instantiate ${name}`, { cause: new Error(`no socket implementation named ${name}`) });
  try {
    return new cls(config, clock);
  } catch (e) {
    throw new IOException(`Couldn't instantiate ${name}`, { cause: e });
  }
}
// #endregion getClientCnxnSocket

function toBytes(data: Data): Buffer | null {
  if (data === null) return null;
  return typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A request record as a body ClientCnxn can write. */
function body<T>(codec: RecordCodec<T>, value: T): RequestBody {
  return { write: (oa) => codec.write(oa, value) };
}

function validateACL(acl: ACL[] | null | undefined): void {
  if (!acl || acl.length === 0) throw new KeeperException(Code.INVALIDACL);
}

export class ZooKeeper {
  protected readonly cnxn: ClientCnxn;
  readonly clientConfig: ZKClientConfig;
  private closePromise: Promise<void> | null = null;

  // #region constructor
  constructor(connectString: string, sessionTimeout: number, watcher: Watcher | null = null, options: ZooKeeperOptions = {}) {
    LOG.info(`Initiating client connection, connectString=${connectString} sessionTimeout=${sessionTimeout} watcher=${watcher ? "set" : "null"}`);
    this.clientConfig = options.clientConfig ?? new ZKClientConfig();
    const clock = options.clock ?? systemClock;
    const random = options.random ?? Math.random;
    const parser = new ConnectStringParser(connectString);
    const hostProvider = options.hostProvider ?? new StaticHostProvider(parser.serverAddresses, random);
    this.cnxn = new ClientCnxn({
      chrootPath: parser.chrootPath,
      hostProvider,
      sessionTimeout,
      clientConfig: this.clientConfig,
      defaultWatcher: watcher,
      clientCnxnSocket: getClientCnxnSocket(this.clientConfig, clock),
      sessionId: options.sessionId,
      sessionPasswd: options.sessionPasswd,
      canBeReadOnly: options.canBeReadOnly ?? false,
      clock,
      random,
      traceName: options.traceName,
    });
    // A caller that brings a session id has seen a read-write server already.
    if (options.sessionId !== undefined) this.cnxn.seenRwServerBefore = true;
    this.cnxn.start();
  }
  // #endregion constructor

  getSessionId(): bigint {
    return this.cnxn.sessionId;
  }
  getSessionPasswd(): Buffer {
    return this.cnxn.sessionPasswd;
  }
  /** The negotiated session timeout (0 until connected). */
  getSessionTimeout(): number {
    return this.cnxn.negotiatedSessionTimeout;
  }
  getState(): States {
    return this.cnxn.state;
  }
  /** The server this handle is connected (or connecting) to, if any. */
  getRemoteSocketAddress(): ServerAddress | null {
    return this.cnxn.sendThread.getClientCnxnSocket().getRemoteSocketAddress();
  }
  /** Replaces the default watcher (the one `watch = true` and connection events use). */
  register(watcher: Watcher | null): void {
    this.cnxn.watchManager.defaultWatcher = watcher;
  }
  /** Adds credentials for this session; they are replayed on every reconnect. */
  addAuthInfo(scheme: string, auth: Data): void {
    this.cnxn.addAuthInfo(scheme, toBytes(auth));
  }

  // #region close
  /**
   * Ends the session and waits until every event (the last being Closed) is delivered.
   * Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    this.closePromise ??= this.doClose();
    return this.closePromise;
  }

  private async doClose(): Promise<void> {
    if (!isAlive(this.cnxn.state)) {
      LOG.debug("Close called on already closed client");
      await this.cnxn.terminated();
      return;
    }
    const id = this.cnxn.sessionId;
    await this.cnxn.close();
    LOG.info(`Session: 0x${id.toString(16)} closed`);
  }
  // #endregion close

  // ---- paths ------------------------------------------------------------------------------

  private prependChroot(clientPath: string): string {
    const chroot = this.cnxn.chrootPath;
    if (chroot === null) return clientPath;
    return clientPath.length === 1 ? chroot : chroot + clientPath;
  }

  private stripChroot(serverPath: string): string {
    const chroot = this.cnxn.chrootPath;
    return chroot === null ? serverPath : serverPath.substring(chroot.length);
  }

  /** `watch`: false, true (the default watcher) or a Watcher. */
  private resolveWatcher(watch: boolean | Watcher): Watcher | null {
    if (watch === false) return null;
    if (watch !== true) return watch;
    const dflt = this.cnxn.watchManager.defaultWatcher;
    if (dflt === null) throw new Error("Default watcher is required, but it is null.");
    return dflt;
  }

  /** Submits and throws KeeperException(code, clientPath) on a non-zero reply. */
  private async call<R>(type: number, req: RequestBody | null, read: ResponseReader<R> | null, clientPath: string | null, serverPath: string | null, wcb: WatchRegistration | null = null, wdcb: WatchDeregistration | null = null): Promise<RequestResult<R>> {
    const r = await this.cnxn.submitRequest(type, req, read, clientPath, serverPath, wcb, wdcb);
    if (r.err !== Code.OK) throw new KeeperException(r.err, clientPath ?? undefined);
    return r;
  }

  private registration(kind: WatchKind, watcher: Watcher | null, clientPath: string): WatchRegistration | null {
    return watcher === null ? null : new WatchRegistration(kind, watcher, clientPath);
  }

  // ---- operations -------------------------------------------------------------------------

  // #region create
  /**
   * Creates a znode and returns its actual path (sequential modes append a counter) and
   * Stat. CONTAINER and the TTL modes use their own op codes; everything else create2.
   */
  async create(path: string, data: Data = null, acl: ACL[] = OPEN_ACL_UNSAFE, createMode: CreateModeInfo = CreateMode.PERSISTENT, ttl: bigint | number = -1n): Promise<{ path: string; stat: Stat }> {
    validatePath(path, createMode.sequential);
    validateTTL(createMode, ttl);
    validateACL(acl);
    const serverPath = this.prependChroot(path);
    const bytes = toBytes(data);
    const req = createMode.ttl
      ? body(CreateTTLRequest, { path: serverPath, data: bytes, acl, flags: createMode.flag, ttl: BigInt(ttl) })
      : body(CreateRequest, { path: serverPath, data: bytes, acl, flags: createMode.flag });
    const type = createMode.ttl ? OpCode.createTTL : createMode.container ? OpCode.createContainer : OpCode.create2;
    const r = await this.call(type, req, (ia) => Create2Response.read(ia), path, serverPath);
    return { path: this.stripChroot(r.response!.path), stat: r.response!.stat };
  }
  // #endregion create

  /** Deletes a znode if its version matches (-1: any version). */
  async delete(path: string, version = -1): Promise<void> {
    validatePath(path);
    // Java leaves "/" alone even under a chroot, so deleting the root is refused by the server.
    const serverPath = path === "/" ? path : this.prependChroot(path);
    await this.call(OpCode.delete, body(DeleteRequest, { path: serverPath, version }), null, path, serverPath);
  }

  // #region exists
  /** The node's Stat, or null if it does not exist. A watch is set either way. */
  async exists(path: string, watch: boolean | Watcher = false): Promise<Stat | null> {
    validatePath(path);
    const watcher = this.resolveWatcher(watch);
    const serverPath = this.prependChroot(path);
    const r = await this.cnxn.submitRequest(OpCode.exists, body(ExistsRequest, { path: serverPath, watch: watcher !== null }), (ia) => SetDataResponse.read(ia).stat, path, serverPath, this.registration("exists", watcher, path));
    if (r.err === Code.NONODE) return null;
    if (r.err !== Code.OK) throw new KeeperException(r.err, path);
    return r.response!.czxid === -1n ? null : r.response!;
  }
  // #endregion exists

  async getData(path: string, watch: boolean | Watcher = false): Promise<{ data: Buffer | null; stat: Stat }> {
    validatePath(path);
    const watcher = this.resolveWatcher(watch);
    const serverPath = this.prependChroot(path);
    const r = await this.call(OpCode.getData, body(GetDataRequest, { path: serverPath, watch: watcher !== null }), (ia) => GetDataResponse.read(ia), path, serverPath, this.registration("data", watcher, path));
    return r.response!;
  }

  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    validatePath(path);
    const serverPath = this.prependChroot(path);
    const r = await this.call(OpCode.setData, body(SetDataRequest, { path: serverPath, data: toBytes(data), version }), (ia) => SetDataResponse.read(ia).stat, path, serverPath);
    return r.response!;
  }

  async getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    validatePath(path);
    const serverPath = this.prependChroot(path);
    const r = await this.call(OpCode.getACL, body(GetACLRequest, { path: serverPath }), (ia) => GetACLResponse.read(ia), path, serverPath);
    return r.response!;
  }

  async setACL(path: string, acl: ACL[], aclVersion = -1): Promise<Stat> {
    validatePath(path);
    validateACL(acl);
    const serverPath = this.prependChroot(path);
    const r = await this.call(OpCode.setACL, body(SetACLRequest, { path: serverPath, acl, version: aclVersion }), (ia) => SetACLResponse.read(ia).stat, path, serverPath);
    return r.response!;
  }

  /** The children's names (unsorted, as the server keeps them). */
  async getChildren(path: string, watch: boolean | Watcher = false): Promise<string[]> {
    validatePath(path);
    const watcher = this.resolveWatcher(watch);
    const serverPath = this.prependChroot(path);
    const r = await this.call(OpCode.getChildren, body(GetChildrenRequest, { path: serverPath, watch: watcher !== null }), (ia) => GetChildrenResponse.read(ia).children, path, serverPath, this.registration("child", watcher, path));
    return r.response!;
  }

  /** The children and the parent's Stat (Java's getChildren(path, watch, stat)). */
  async getChildren2(path: string, watch: boolean | Watcher = false): Promise<{ children: string[]; stat: Stat }> {
    validatePath(path);
    const watcher = this.resolveWatcher(watch);
    const serverPath = this.prependChroot(path);
    const r = await this.call(OpCode.getChildren2, body(GetChildren2Request, { path: serverPath, watch: watcher !== null }), (ia) => GetChildren2Response.read(ia), path, serverPath, this.registration("child", watcher, path));
    return r.response!;
  }

  /** The number of nodes in the subtree below `path` (the node itself not counted). */
  async getAllChildrenNumber(path: string): Promise<number> {
    validatePath(path);
    const serverPath = this.prependChroot(path);
    const r = await this.call(OpCode.getAllChildrenNumber, body(GetAllChildrenNumberRequest, { path: serverPath }), (ia) => GetAllChildrenNumberResponse.read(ia).totalNumber, path, serverPath);
    return r.response!;
  }

  /** This session's ephemeral nodes whose path starts with `prefixPath`. */
  async getEphemerals(prefixPath = "/"): Promise<string[]> {
    validatePath(prefixPath);
    const serverPath = this.prependChroot(prefixPath);
    const r = await this.call(OpCode.getEphemerals, body(GetEphemeralsRequest, { prefixPath: serverPath }), (ia) => GetEphemeralsResponse.read(ia).ephemerals, null, serverPath);
    return r.response!.map((p) => this.stripChroot(p));
  }

  // #region multi
  /**
   * Runs write ops as one transaction (all or nothing) or read ops as one multiRead. A
   * failed transaction throws a KeeperException with the failing op's code and, in
   * `results`, every op's ErrorResult.
   */
  async multi(ops: readonly Op[]): Promise<OpResult[]> {
    for (const op of ops) op.validate();
    const kind = opKindOf(ops);
    if (ops.length === 0) return new Promise((resolve) => this.cnxn.queueCallback(() => resolve([])));
    const type = kind === "READ" ? OpCode.multiRead : OpCode.multi;
    const req: RequestBody = { write: (oa) => writeMulti(oa, ops, (p) => this.prependChroot(p)) };
    const r = await this.cnxn.submitRequest(type, req, (ia) => readMultiResponse(ia, (p) => this.stripChroot(p)), null, null);
    if (r.err !== Code.OK) throw new KeeperException(r.err);
    const results = r.response!;
    if (kind === "READ") return results;
    const fatal = firstError(results);
    if (fatal !== undefined) throw new KeeperException(fatal.err, undefined, results);
    return results;
  }
  // #endregion multi

  /** multi() for read ops only: each result is a GetDataResult, GetChildrenResult or ErrorResult. */
  async multiRead(ops: readonly Op[]): Promise<OpResult[]> {
    if (ops.some((o) => o.kind !== "READ")) throw new IllegalArgumentException("multiRead takes only getData and getChildren ops");
    return this.multi(ops);
  }

  /** A builder for multi(): `zk.transaction().create(...).setData(...).commit()`. */
  transaction(): Transaction {
    return new Transaction(this);
  }

  /** Waits until the server this client is on has caught up with the leader. */
  async sync(path: string): Promise<void> {
    validatePath(path);
    const serverPath = this.prependChroot(path);
    await this.call(OpCode.sync, body(SyncRequest, { path: serverPath }), (ia) => SyncResponse.read(ia), path, serverPath);
  }

  // #region watches
  /** Sets a persistent (or persistent recursive) watch; `watcher` defaults to the default watcher. */
  async addWatch(basePath: string, mode: AddWatchMode, watcher?: Watcher | null): Promise<void> {
    validatePath(basePath);
    const w = watcher ?? this.cnxn.watchManager.defaultWatcher;
    if (w === null) throw new IllegalArgumentException("Invalid Watcher, shouldn't be null!");
    const serverPath = this.prependChroot(basePath);
    const kind: WatchKind = mode === AddWatchMode.PERSISTENT ? "persistent" : "persistentRecursive";
    await this.call(OpCode.addWatch, body(AddWatchRequest, { path: serverPath, mode }), null, basePath, serverPath, new WatchRegistration(kind, w, basePath));
  }

  /** Removes one watcher of the given type (checkWatches on the wire). */
  removeWatches(path: string, watcher: Watcher, watcherType: WatcherType, local = false): Promise<void> {
    if (!watcher) return Promise.reject(new IllegalArgumentException("Invalid Watcher, shouldn't be null!"));
    return this.removeWatchesInternal(OpCode.checkWatches, path, watcher, watcherType, local);
  }

  /** Removes every watcher of the given type on the path (removeWatches on the wire). */
  removeAllWatches(path: string, watcherType: WatcherType, local = false): Promise<void> {
    return this.removeWatchesInternal(OpCode.removeWatches, path, null, watcherType, local);
  }

  private async removeWatchesInternal(opCode: number, path: string, watcher: Watcher | null, watcherType: WatcherType, local: boolean): Promise<void> {
    validatePath(path);
    const serverPath = this.prependChroot(path);
    const wdcb = new WatchDeregistration(path, watcher, watcherType, local, this.cnxn.watchManager);
    const codec = opCode === OpCode.checkWatches ? CheckWatchesRequest : RemoveWatchesRequest;
    await this.call(opCode, body(codec, { path: serverPath, type: watcherType }), null, path, serverPath, null, wdcb);
  }
  // #endregion watches

  /** Who the server thinks this session is: one entry per auth scheme it holds. */
  async whoAmI(): Promise<ClientInfo[]> {
    const r = await this.call(OpCode.whoAmI, null, (ia) => WhoAmIResponse.read(ia).clientInfo, null, null);
    return r.response!;
  }

  /** The ensemble's configuration as stored in /zookeeper/config (never chrooted). */
  async getConfig(watch: boolean | Watcher = false): Promise<{ data: Buffer | null; stat: Stat }> {
    const watcher = this.resolveWatcher(watch);
    const r = await this.call(OpCode.getData, body(GetDataRequest, { path: CONFIG_NODE, watch: watcher !== null }), (ia) => GetDataResponse.read(ia), CONFIG_NODE, CONFIG_NODE, this.registration("data", watcher, CONFIG_NODE));
    return r.response!;
  }

  /** Watches currently registered, by kind, for printwatches-style inspection. */
  getWatches(): { data: string[]; exist: string[]; child: string[]; persistent: string[]; persistentRecursive: string[] } {
    const wm = this.cnxn.watchManager;
    return { data: wm.getDataWatchList(), exist: wm.getExistWatchList(), child: wm.getChildWatchList(), persistent: wm.getPersistentWatchList(), persistentRecursive: wm.getPersistentRecursiveWatchList() };
  }

  toString(): string {
    const state = this.getState();
    return `State:${state}${isConnected(state) ? ` Timeout:${this.getSessionTimeout()} ` : " "}${this.cnxn}`;
  }
}
