/**
 * ZooKeeperServer — a standalone server: the database, the session tracker and the
 * request processor chain Prep → Sync → Final, and the entry points a connection calls.
 *
 * Reimplements `org.apache.zookeeper.server.ZooKeeperServer` (3.8). Chapter 03 (startup:
 * `startdata` loads the database, `startup` starts sessions and processors
 * [001 L1182–1290]) and chapter 07 (`setupRequestProcessors` builds the chain shown in
 * [001 L7992–8006]; Q1: standalone has no election and no quorum, so this is the whole
 * pipeline, and an ensemble's roles subclass it with longer chains).
 *
 * Lifecycle (undici style): `startup()` once; `shutdown()` idempotent, returns a promise,
 * stops the chain, the tracker and the storage in that order.
 */
import type { ACL, Id } from "../jute/data.js";
import { Code, KeeperException } from "../jute/KeeperException.js";
import * as proto from "../jute/proto.js";
import { OpCode, Xid } from "../jute/ZooDefs.js";
import { trace } from "../trace/index.js";
import { getLogger, hex } from "../util/Logger.js";
import { JavaRandom } from "../util/JavaRandom.js";
import { systemClock, type Clock } from "../util/Clock.js";
import type { ProcessTxnResult } from "../data/DataTree.js";
import { Quotas, StatsTrack } from "../jute/Quotas.js";
import { ZKDatabase, type TxnSnapLog } from "../data/ZKDatabase.js";
import { ProviderRegistry, type AuthenticationProvider } from "../data/auth/AuthenticationProvider.js";
import { DigestAuthenticationProvider } from "../data/auth/DigestAuthenticationProvider.js";
import { IPAuthenticationProvider } from "../data/auth/IPAuthenticationProvider.js";
import type { ChangeRecord } from "./ChangeRecord.js";
import { FinalRequestProcessor } from "./FinalRequestProcessor.js";
import { PrepRequestProcessor } from "./PrepRequestProcessor.js";
import { Request } from "./Request.js";
import { traceHandOff, type RequestProcessor } from "./RequestProcessor.js";
import { CNXN_OWNER, type ServerCnxn } from "./ServerCnxn.js";
import { ServerStats } from "./ServerStats.js";
import { SessionTracker, type Session, type SessionExpirer } from "./SessionTracker.js";
import { SyncRequestProcessor } from "./SyncRequestProcessor.js";
import { AuthenticationHelper, type EnforceAuthConfig } from "./AuthenticationHelper.js";

const LOG = getLogger("ZooKeeperServer");

/** A snapshot could not be written: Java exits at once with TXNLOG_ERROR_TAKING_SNAPSHOT (10). */
export class SnapshotFailure extends Error {
  override name = "SnapshotFailure";
}

/** `superSecret` of ZooKeeperServer: mixed into the seed of every session password. */
const SUPER_SECRET = 0xb3415c00n;

/** Server settings, already parsed and defaulted (QuorumPeerConfig builds this). */
export interface ServerConfig {
  tickTime: number;
  minSessionTimeout: number;
  maxSessionTimeout: number;
  /** Server id; 0 standalone. The top byte of every session id. */
  serverId: bigint;
  snapCount: number;
  /** zookeeper.snapshot.size.limitInKb in bytes; 0 or less disables the size trigger. */
  snapSizeLimitBytes: number;
  /** zookeeper.maxBatchSize: commit at the latest after this many queued requests. */
  maxBatchSize: number;
  /** zookeeper.globalOutstandingLimit. */
  globalOutstandingLimit: number;
  /** jute.maxbuffer. */
  maxBuffer: number;
  closeSessionTxnEnabled: boolean;
  enforceQuota: boolean;
  /** zookeeper.skipACL. */
  skipACL: boolean;
  /** zookeeper.DigestAuthenticationProvider.superDigest. */
  superDigest: string | null;
  digestEnabled: boolean;
  extendedTypesEnabled: boolean;
  /** zookeeper.enforce.auth.* and zookeeper.sessionRequireClientSASLAuth (AuthenticationHelper). */
  enforceAuth: EnforceAuthConfig;
}

export const defaultServerConfig: ServerConfig = {
  tickTime: 2000,
  minSessionTimeout: 4000,
  maxSessionTimeout: 40000,
  serverId: 0n,
  snapCount: 100000,
  snapSizeLimitBytes: 4194304 * 1024,
  maxBatchSize: 1000,
  globalOutstandingLimit: 1000,
  maxBuffer: 0xfffff,
  closeSessionTxnEnabled: true,
  enforceQuota: false,
  skipACL: false,
  superDigest: null,
  digestEnabled: true,
  extendedTypesEnabled: false,
  enforceAuth: { enforceAuthEnabled: false, enforceAuthSchemes: [], sessionRequireClientSASLAuth: false },
};

export type ServerState = "INITIAL" | "RUNNING" | "SHUTDOWN" | "ERROR";

/** What the server needs from the connection factory. */
export interface CnxnRegistry {
  /** Closes the connection carrying this session, if any; true if one was closed. */
  closeSession(sessionId: bigint, reason: "CLIENT_RECONNECT" | "SESSION_EXPIRED" | "CLIENT_CLOSED_SESSION"): boolean;
  /** A connection now carries this session (after the connect handshake). */
  registerSession(cnxn: ServerCnxn): void;
}

export class ZooKeeperServer implements SessionExpirer {
  readonly config: ServerConfig;
  readonly zkDb: ZKDatabase;
  readonly clock: Clock;
  readonly authProviders: ProviderRegistry;
  private readonly authHelper: AuthenticationHelper;
  readonly serverStats = new ServerStats();
  sessionTracker!: SessionTracker;
  state: ServerState = "INITIAL";
  cnxns: CnxnRegistry | null = null;

  /** Writes prepared but not yet applied: see ChangeRecord. In zxid order. */
  readonly outstandingChanges: ChangeRecord[] = [];
  readonly outstandingChangesForPath = new Map<string, ChangeRecord>();

  private firstProcessor: RequestProcessor | null = null;
  private syncProcessor: SyncRequestProcessor | null = null;
  /** The highest zxid handed out. */
  private hzxid = 0n;
  private inProcess = 0;
  private shutdownPromise: Promise<void> | null = null;
  /** Called when the server cannot go on (the log cannot be written). */
  onFatal: (err: unknown) => void = () => {};
  /** What stopped the server, once something has (fatal). */
  fatalError: unknown = null;

  constructor(snapLog: TxnSnapLog, config: Partial<ServerConfig> = {}, clock: Clock = systemClock) {
    this.config = { ...defaultServerConfig, ...config };
    this.clock = clock;
    this.zkDb = new ZKDatabase(snapLog, { digestEnabled: this.config.digestEnabled, extendedTypesEnabled: this.config.extendedTypesEnabled });
    const providers: AuthenticationProvider[] = [new IPAuthenticationProvider(), new DigestAuthenticationProvider(this.config.superDigest)];
    this.authProviders = new ProviderRegistry(providers);
    this.authHelper = new AuthenticationHelper(this.config.enforceAuth, (scheme) => this.authProviders.get(scheme) !== undefined);
  }

  // ---------------------------------------------------------------- lifecycle

  // #region startup
  /** ZooKeeperServer.startdata + startup: load the database, then start serving. */
  async startup(): Promise<void> {
    await this.loadData();
    // A failed clean snapshot has stopped the server already: do not start serving.
    if (this.state === "ERROR" || this.state === "SHUTDOWN") throw this.fatalError ?? new Error("the server was shut down while it started");
    this.sessionTracker = new SessionTracker(this, this.zkDb.sessionsWithTimeouts, this.config.tickTime, this.config.serverId, this.clock);
    trace.message("ZooKeeperServer", "SessionTracker", "start", { sessions: this.zkDb.sessionsWithTimeouts.size, tickTime: this.config.tickTime });
    this.sessionTracker.start();
    this.setupRequestProcessors();
    this.state = "RUNNING";
  }

  /** Restores the tree, drops the ephemerals of sessions that died while we were down, snapshots. */
  async loadData(): Promise<void> {
    if (this.zkDb.initialized) this.hzxid = this.zkDb.lastProcessedZxid;
    else {
      const start = this.clock.now();
      trace.message("ZooKeeperServer", "ZKDatabase", "loadDataBase");
      this.hzxid = await this.zkDb.loadDataBase();
      this.serverStats.metrics.DB_INIT_TIME.add(Math.round(this.clock.now() - start));
    }
    for (const session of this.zkDb.sessionsWithEphemerals()) {
      if (!this.zkDb.sessionsWithTimeouts.has(session)) {
        trace.state("ZooKeeperServer", "kill dead session", { sessionId: session, ephemerals: this.zkDb.dataTree.allEphemerals().get(session)?.size ?? 0 });
        this.zkDb.killSession(session, this.zkDb.lastProcessedZxid);
      }
    }
    await this.takeSnapshot(true);
    trace.state("ZooKeeperServer", "clean snapshot", { zxid: this.zkDb.lastProcessedZxid });
  }

  protected setupRequestProcessors(): void {
    const finalProcessor = new FinalRequestProcessor(this);
    this.syncProcessor = new SyncRequestProcessor(this, finalProcessor);
    this.firstProcessor = new PrepRequestProcessor(this, this.syncProcessor);
    trace.state("ZooKeeperServer", "setupRequestProcessors", { chain: "Prep → Sync → Final" });
  }
  // #endregion startup

  isRunning(): boolean {
    return this.state === "RUNNING";
  }

  async takeSnapshot(syncSnap = false): Promise<void> {
    const start = this.clock.now();
    try {
      await this.zkDb.snapLog.save(this.zkDb.dataTree, this.zkDb.sessionsWithTimeouts, syncSnap);
    } catch (e) {
      LOG.error("Severe unrecoverable error, exiting: could not take a snapshot", e);
      this.fatal(new SnapshotFailure(`could not take a snapshot: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
      return;
    }
    const elapsed = Math.round(this.clock.now() - start);
    LOG.info(`Snapshot taken in ${elapsed} ms`);
    this.serverStats.metrics.SNAPSHOT_TIME.add(elapsed);
  }

  /** Waits until every write handed to the log so far is on disk and applied. */
  async quiesce(): Promise<void> {
    await this.syncProcessor?.idle();
  }

  fatal(err: unknown): void {
    if (this.state === "ERROR" || this.state === "SHUTDOWN") return;
    this.state = "ERROR";
    this.fatalError = err;
    this.serverStats.metrics.UNRECOVERABLE_ERROR_COUNT.add(1);
    this.onFatal(err);
  }

  shutdown(): Promise<void> {
    if (this.shutdownPromise === null) {
      this.shutdownPromise = (async () => {
        LOG.info("shutting down");
        this.state = "SHUTDOWN";
        this.sessionTracker?.shutdown();
        await this.syncProcessor?.idle().catch(() => {});
        this.firstProcessor?.shutdown();
        await this.zkDb.close();
      })();
    }
    return this.shutdownPromise;
  }

  // ---------------------------------------------------------------- zxids and stats

  getNextZxid(): bigint {
    return ++this.hzxid;
  }

  getZxid(): bigint {
    return this.hzxid;
  }

  get inProcessCount(): number {
    return this.inProcess;
  }

  shouldThrottle(outstanding: number): boolean {
    return this.config.globalOutstandingLimit < this.inProcess && outstanding > 0;
  }

  requestFinished(request: Request): void {
    this.inProcess--;
    this.serverStats.updateLatency(request.createTime, this.clock.now(), request.hdr !== null);
  }

  // ---------------------------------------------------------------- sessions

  // #region connect
  /**
   * The connect handshake [001 L9576, U]: negotiate the timeout into
   * [minSessionTimeout, maxSessionTimeout], then either create a session (answered when
   * its createSession txn commits) or re-attach an existing one if the password matches.
   */
  processConnectRequest(cnxn: ServerCnxn, req: proto.ConnectRequest, _readOnly: boolean | null): void {
    if (req.lastZxidSeen > this.zkDb.lastProcessedZxid) {
      LOG.info(
        `Refusing session request for client ${cnxn.remoteSocketAddress} as it has seen zxid ${hex(req.lastZxidSeen)} our last zxid is ${hex(this.zkDb.lastProcessedZxid)} client must try another server`,
      );
      cnxn.close("CLIENT_ZXID_AHEAD");
      return;
    }
    let sessionTimeout = req.timeOut;
    if (sessionTimeout < this.config.minSessionTimeout) sessionTimeout = this.config.minSessionTimeout;
    if (sessionTimeout > this.config.maxSessionTimeout) sessionTimeout = this.config.maxSessionTimeout;
    cnxn.sessionTimeout = sessionTimeout;
    trace.state("ZooKeeperServer", req.sessionId === 0n ? "new session" : "renew session", { ...(req.sessionId === 0n ? {} : { sessionId: req.sessionId }), requested: req.timeOut, negotiated: sessionTimeout });
    // No further frames are read until the session is set up.
    cnxn.disableRecv();
    if (req.sessionId === 0n) {
      const id = this.createSession(cnxn, sessionTimeout);
      LOG.debug(`Client attempting to establish new session: session = ${hex(id)}, zxid = ${hex(req.lastZxidSeen)}, timeout = ${req.timeOut}, address = ${cnxn.remoteSocketAddress}`);
    } else {
      LOG.debug(`Client attempting to renew session: session = ${hex(req.sessionId)}, zxid = ${hex(req.lastZxidSeen)}, timeout = ${req.timeOut}, address = ${cnxn.remoteSocketAddress}`);
      this.cnxns?.closeSession(req.sessionId, "CLIENT_RECONNECT");
      cnxn.sessionId = req.sessionId;
      this.reopenSession(cnxn, req.sessionId, req.passwd, sessionTimeout);
    }
  }
  // #endregion connect

  // #region session-init
  generatePasswd(sessionId: bigint): Buffer {
    const p = Buffer.alloc(16);
    new JavaRandom(sessionId ^ SUPER_SECRET).nextBytes(p);
    return p;
  }

  private checkPasswd(sessionId: bigint, passwd: Buffer | null): boolean {
    return sessionId !== 0n && passwd !== null && passwd.equals(this.generatePasswd(sessionId));
  }

  private createSession(cnxn: ServerCnxn, timeout: number): bigint {
    const sessionId = this.sessionTracker.createSession(timeout);
    trace.message("ZooKeeperServer", "SessionTracker", "createSession", { sessionId, timeOut: timeout });
    cnxn.sessionId = sessionId;
    const to = Buffer.alloc(4);
    to.writeInt32BE(timeout, 0);
    this.submitRequest(new Request(cnxn, sessionId, 0, OpCode.createSession, to, [], this.clock.now()));
    return sessionId;
  }

  private reopenSession(cnxn: ServerCnxn, sessionId: bigint, passwd: Buffer | null, timeout: number): void {
    if (this.checkPasswd(sessionId, passwd)) {
      this.finishSessionInit(cnxn, this.sessionTracker.touchSession(sessionId, timeout));
    } else {
      LOG.warn(`Incorrect password from ${cnxn.remoteSocketAddress} for session ${hex(sessionId)}`);
      this.finishSessionInit(cnxn, false);
    }
  }

  /** Answers the connect request: the session, or all zeros for an expired one (then close). */
  finishSessionInit(cnxn: ServerCnxn, valid: boolean): void {
    cnxn.sendConnectResponse(
      {
        protocolVersion: 0,
        timeOut: valid ? cnxn.sessionTimeout : 0,
        sessionId: valid ? cnxn.sessionId : 0n,
        passwd: valid ? this.generatePasswd(cnxn.sessionId) : Buffer.alloc(16),
      },
      false,
    );
    if (valid) {
      LOG.debug(`Established session ${hex(cnxn.sessionId)} with negotiated timeout ${cnxn.sessionTimeout} for client ${cnxn.remoteSocketAddress}`);
      this.cnxns?.registerSession(cnxn);
      cnxn.enableRecv();
    } else {
      LOG.info(`Invalid session ${hex(cnxn.sessionId)} for client ${cnxn.remoteSocketAddress}, probably expired`);
      cnxn.sendCloseSession();
    }
  }
  // #endregion session-init

  expire(session: Session): void {
    LOG.info(`Expiring session ${hex(session.sessionId)}, timeout of ${session.timeout}ms exceeded`);
    this.serverStats.metrics.STALE_SESSIONS_EXPIRED.add(1);
    this.close(session.sessionId);
  }

  /** Closes a session from the server side (expiry, admin): a closeSession write with no reply. */
  close(sessionId: bigint): void {
    this.submitRequest(new Request(null, sessionId, 0, OpCode.closeSession, null, [], this.clock.now()));
  }

  closeSessionConnection(sessionId: bigint): void {
    this.cnxns?.closeSession(sessionId, "SESSION_EXPIRED");
  }

  // ---------------------------------------------------------------- requests

  // #region processPacket
  /** A frame after the handshake: auth is answered here, everything else enters the chain. */
  processPacket(cnxn: ServerCnxn, h: proto.RequestHeader, body: Buffer): void {
    if (h.type === OpCode.auth) {
      const authPacket = proto.AuthPacket.decode(body);
      LOG.info(`got auth packet ${cnxn.remoteSocketAddress}`);
      const ap = this.authProviders.get(authPacket.scheme);
      const rc = ap === undefined ? Code.AUTHFAILED : ap.handleAuthentication({ remoteAddress: cnxn.remoteAddress, addAuthInfo: (id) => cnxn.addAuthInfo(id) }, authPacket.auth ?? Buffer.alloc(0));
      if (rc === Code.OK) {
        LOG.info(`Session ${hex(cnxn.sessionId)}: auth success for scheme ${authPacket.scheme} and address ${cnxn.remoteSocketAddress}`);
        cnxn.sendResponse({ xid: h.xid, zxid: 0n, err: Code.OK }, null);
      } else {
        if (ap === undefined) LOG.warn(`No authentication provider for scheme: ${authPacket.scheme} has ${this.authProviders.list()}`);
        else LOG.warn(`Authentication failed for scheme: ${authPacket.scheme}`);
        cnxn.sendResponse({ xid: h.xid, zxid: 0n, err: Code.AUTHFAILED }, null);
        cnxn.sendCloseSession();
      }
      return;
    }
    if (h.type === OpCode.sasl) {
      // SASL needs a JAAS configuration; like a 3.8 server without one, fail the token.
      cnxn.sendResponse({ xid: h.xid, zxid: 0n, err: Code.AUTHFAILED }, { codec: proto.SetSASLResponse, value: { token: null } });
      cnxn.sendCloseSession();
      return;
    }
    if (!this.authHelper.isAuthenticated(cnxn.authInfo)) {
      // zookeeper.enforce.auth.enabled: say why, then close the connection (not the session).
      this.authHelper.logRefused(cnxn.authInfo);
      cnxn.sendResponse({ xid: h.xid, zxid: 0n, err: Code.SESSIONCLOSEDREQUIRESASLAUTH }, null);
      cnxn.sendCloseSession();
      return;
    }
    // The ids as they are now: an auth packet after this request must not change its checks.
    const si = new Request(cnxn, cnxn.sessionId, h.xid, h.type, body, cnxn.authInfo, this.clock.now());
    si.owner = CNXN_OWNER;
    this.submitRequest(si);
  }
  // #endregion processPacket

  // #region submitRequest
  submitRequest(si: Request): void {
    if (this.firstProcessor === null || this.state !== "RUNNING") {
      LOG.debug(`Dropping request ${si}: server not running`);
      return;
    }
    if (si.cnxn !== null && !this.sessionTracker.touchSession(si.cnxn.sessionId, si.cnxn.sessionTimeout)) {
      LOG.debug(`Dropping request ${si}: no session with sessionid ${hex(si.cnxn.sessionId)} exists, probably expired and removed`);
      return;
    }
    if (Request.isValid(si.type)) {
      if (si.cnxn !== null) this.inProcess++;
      traceHandOff("ZooKeeperServer", this.firstProcessor, si);
      this.firstProcessor.processRequest(si);
    } else {
      LOG.warn(`Received packet at server of unknown type ${si.type}`);
      si.cnxn?.sendResponse({ xid: si.cxid, zxid: 0n, err: Code.UNIMPLEMENTED }, null);
    }
  }
  // #endregion submitRequest

  // #region processTxn
  /** Applies a request's txn (FinalRequestProcessor's first step) and retires its change records. */
  processTxn(request: Request): ProcessTxnResult | null {
    const hdr = request.hdr;
    if (request.type === OpCode.createSession) {
      if (hdr !== null && request.txn?.type === OpCode.createSession) this.sessionTracker.commitSession(request.sessionId, request.txn.txn.timeOut);
    } else if (request.type === OpCode.closeSession) {
      this.sessionTracker.removeSession(request.sessionId);
    }
    if (hdr === null || request.txn === null) return null;
    if (trace.enabled) trace.message("ZooKeeperServer", "DataTree", "processTxn", { zxid: hdr.zxid, op: hdr.type });
    const rc = this.zkDb.processTxn(hdr, request.txn, request.txnDigest);
    const zxid = hdr.zxid;
    while (this.outstandingChanges.length > 0 && this.outstandingChanges[0]!.zxid <= zxid) {
      const cr = this.outstandingChanges.shift()!;
      this.serverStats.metrics.OUTSTANDING_CHANGES_REMOVED.add(1);
      if (cr.zxid < zxid) LOG.warn(`Zxid outstanding ${hex(cr.zxid)} is less than current ${hex(zxid)}`);
      if (this.outstandingChangesForPath.get(cr.path) === cr) this.outstandingChangesForPath.delete(cr.path);
    }
    return rc;
  }
  // #endregion processTxn

  // ---------------------------------------------------------------- ACLs and quotas

  // #region checkACL
  /** Throws NOAUTH unless one of the caller's ids has `perm` by one of the node's ACL entries. */
  checkACL(acl: ACL[] | null, perm: number, ids: readonly Id[], path: string, setAcls: ACL[] | null): void {
    void path;
    void setAcls;
    if (this.config.skipACL) return;
    if (acl === null || acl.length === 0) return;
    for (const authId of ids) if (authId.scheme === "super") return;
    for (const a of acl) {
      if ((a.perms & perm) === 0) continue;
      if (a.id.scheme === "world" && a.id.id === "anyone") return;
      const ap = this.authProviders.get(a.id.scheme);
      if (ap === undefined) continue;
      for (const authId of ids) {
        if (authId.scheme === a.id.scheme && ap.matches(authId.id, a.id.id)) return;
      }
    }
    throw new KeeperException(Code.NOAUTH);
  }
  // #endregion checkACL

  /** Hard quota limits, when `zookeeper.enforceQuota` is on (3.7+). */
  checkQuota(path: string, lastData: Buffer | null, data: Buffer | null, type: number): void {
    if (!this.config.enforceQuota) return;
    const tree = this.zkDb.dataTree;
    const lastPrefix = tree.getMaxPrefixWithQuota(path);
    if (lastPrefix === null) return;
    const dataBytes = BigInt(data?.length ?? 0);
    if (type === OpCode.create) this.checkQuotaFor(lastPrefix, dataBytes, 1n);
    else this.checkQuotaFor(lastPrefix, dataBytes - BigInt(lastData?.length ?? 0), 0n);
  }

  private checkQuotaFor(lastPrefix: string, bytesDiff: bigint, countDiff: bigint): void {
    const tree = this.zkDb.dataTree;
    const limitNode = tree.getNode(Quotas.limitPath(lastPrefix));
    if (limitNode === undefined) {
      LOG.error(`Missing limit node for quota ${Quotas.limitPath(lastPrefix)}`);
      return;
    }
    const limits = new StatsTrack(limitNode.data);
    const checkCount = countDiff !== 0n && (limits.getCount() > -1n || limits.getCountHardLimit() > -1n);
    const checkBytes = bytesDiff !== 0n && (limits.getBytes() > -1n || limits.getByteHardLimit() > -1n);
    if (!checkCount && !checkBytes) return;
    const statNode = tree.getNode(Quotas.statPath(lastPrefix));
    if (statNode === undefined) {
      LOG.error(`Missing node for stat ${Quotas.statPath(lastPrefix)}`);
      return;
    }
    const current = new StatsTrack(statNode.data);
    if (checkCount) {
      const newCount = current.getCount() + countDiff;
      const hard = limits.getCountHardLimit() > -1n;
      const limit = hard ? limits.getCountHardLimit() : limits.getCount();
      if (newCount > limit) {
        LOG.warn(`Quota exceeded: ${lastPrefix} [current count=${newCount}, ${hard ? "hard" : "soft"}CountLimit=${limit}]`);
        if (hard) throw new KeeperException(Code.QUOTAEXCEEDED, lastPrefix);
      }
    }
    if (checkBytes) {
      const newBytes = current.getBytes() + bytesDiff;
      const hard = limits.getByteHardLimit() > -1n;
      const limit = hard ? limits.getByteHardLimit() : limits.getBytes();
      if (newBytes > limit) {
        LOG.warn(`Quota exceeded: ${lastPrefix} [current bytes=${newBytes}, ${hard ? "hard" : "soft"}ByteLimit=${limit}]`);
        if (hard) throw new KeeperException(Code.QUOTAEXCEEDED, lastPrefix);
      }
    }
  }

  /** The user part of an auth id, for whoAmI. */
  userName(id: Id): string {
    return this.authProviders.get(id.scheme)?.getUserName(id.id) ?? "";
  }

  /** For tests and the admin server: the ping reply xid. */
  static readonly PING_XID = Xid.ping;
}
