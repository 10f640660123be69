/**
 * ClientCnxn — the client's connection manager: the queues a request passes through,
 * xids, the session's identity, and the split between sending (SendThread) and delivering
 * (EventThread).
 *
 * Reimplements `org.apache.zookeeper.ClientCnxn` (minus its nested SendThread, EventThread
 * and Packet, which have their own files). Chapter 09 (client); walked through in
 * [001 L9130–9201] (constructor, timeouts) and [001 L9239–9437] (the send loop). T73.
 *
 * A request's way: ZooKeeper builds a Packet → `queuePacket` appends it to `outgoingQueue`
 * and wakes the send loop → the socket writes it, numbering it (xid) as it goes, and moves
 * it to `pendingQueue` → its reply (replies come in request order) is matched to the head
 * of `pendingQueue` → `finishPacket` registers its watch and hands it to the EventThread →
 * the EventThread settles the caller's promise.
 *
 * Differs from Java: threads become one async send loop and a setImmediate-drained event
 * queue; `submitRequest` returns a promise instead of blocking; session ids and zxids are
 * bigint. A request timeout rejects with REQUESTTIMEOUT (Java's cleanup may overwrite that
 * code with CONNECTIONLOSS before the caller sees it). Every frame written and read, every
 * state change and every delivered event is reported to the tracer (ClientTrace.ts), where
 * Java only logs text; with nobody listening that costs one check.
 */
import { Code } from "../jute/KeeperException.js";
import { AuthPacket } from "../jute/proto.js";
import { EventType, KeeperState } from "../jute/Watcher.js";
import { OpCode, Xid } from "../jute/ZooDefs.js";
import type { Clock, TimerHandle } from "../util/Clock.js";
import { getLogger } from "../util/Logger.js";
import type { ClientCnxnSocket } from "./ClientCnxnSocket.js";
import { EventThread } from "./EventThread.js";
import { newReplyHeader, Packet, type RequestBody, type ResponseReader } from "./Packet.js";
import { SendThread } from "./SendThread.js";
import type { HostProvider } from "./StaticHostProvider.js";
import { isAlive, States } from "./States.js";
import { WatchedEvent, type Watcher } from "./WatchedEvent.js";
import { ZKClientConfig } from "./ZKClientConfig.js";
import { ZKWatchManager, type WatchDeregistration, type WatchRegistration } from "./ZKWatchManager.js";

const LOG = getLogger("ClientCnxn");

export interface ClientCnxnParams {
  chrootPath: string | null;
  hostProvider: HostProvider;
  sessionTimeout: number;
  clientConfig: ZKClientConfig;
  defaultWatcher: Watcher | null;
  clientCnxnSocket: ClientCnxnSocket;
  /** 0 for a new session; a previous session's id (with its password) to re-attach to it. */
  sessionId?: bigint;
  sessionPasswd?: Buffer;
  canBeReadOnly: boolean;
  clock: Clock;
  /** [0, 1), for the reconnect delay; tests pass a seeded one. */
  random: () => number;
  /** How this client is named in trace events (ClientTrace.ts); "client" by default. */
  traceName?: string;
}

/** What a finished request returns to ZooKeeper: the reply's error code and its response. */
export interface RequestResult<R> {
  err: number;
  zxid: bigint;
  response: R | undefined;
}

export class ClientCnxn {
  /** addauth calls, replayed on every new connection. */
  readonly authInfo: Array<{ scheme: string; data: Buffer | null }> = [];
  /** Written, waiting for their replies, in xid order. */
  readonly pendingQueue: Packet[] = [];
  /** Queued, not yet written. The connect handshake is pushed to the front. */
  readonly outgoingQueue: Packet[] = [];

  /** How long a connection attempt may take before the next host is tried. */
  connectTimeout: number;
  /** How long a connection may stay silent before it is given up. */
  readTimeout: number;
  /** What the server granted (0 before the first connection). */
  negotiatedSessionTimeout = 0;
  readonly sessionTimeout: number;
  readonly watchManager: ZKWatchManager;
  sessionId: bigint;
  sessionPasswd: Buffer;
  /** Whether the client accepts a read-only server (sent in every ConnectRequest). */
  readonly readOnly: boolean;
  readonly chrootPath: string | null;
  readonly hostProvider: HostProvider;
  readonly clientConfig: ZKClientConfig;
  readonly clock: Clock;
  readonly sendThread: SendThread;
  readonly eventThread: EventThread;
  /** Set when closeSession is queued: nothing may be queued after it, and no reconnect. */
  closing = false;
  /** Until a read-write server has accepted us, a reconnect asks for a new session. */
  seenRwServerBefore = false;
  /** Highest zxid seen in a reply: a server must be at least this current to take the session. */
  lastZxid = 0n;
  state: States = States.NOT_CONNECTED;
  /** This client's name in trace events. */
  readonly traceName: string;
  private xid = 1;
  private readonly requestTimeout: number;
  /** `jute.maxbuffer`: the largest frame, string or buffer accepted from the server. */
  readonly juteMaxBuffer: number;
  private sendLoop: Promise<void> | null = null;

  constructor(p: ClientCnxnParams) {
    this.chrootPath = p.chrootPath;
    this.hostProvider = p.hostProvider;
    this.sessionTimeout = p.sessionTimeout;
    this.clientConfig = p.clientConfig;
    this.sessionId = p.sessionId ?? 0n;
    this.sessionPasswd = p.sessionPasswd ?? Buffer.alloc(16);
    this.readOnly = p.canBeReadOnly;
    this.clock = p.clock;
    this.traceName = p.traceName ?? "client";
    this.watchManager = new ZKWatchManager(p.clientConfig.getBoolean(ZKClientConfig.DISABLE_AUTO_WATCH_RESET), p.defaultWatcher);
    // #region timeouts
    // Before the server has negotiated the timeout, a connection attempt may take an
    // equal share of the session timeout per server, and a silent connection is given up
    // after two thirds of it, leaving a third to find another server before expiry.
    this.connectTimeout = Math.trunc(p.sessionTimeout / p.hostProvider.size());
    this.readTimeout = Math.trunc((p.sessionTimeout * 2) / 3);
    // #endregion timeouts
    this.sendThread = new SendThread(this, p.clientCnxnSocket, p.random);
    this.eventThread = new EventThread(this.watchManager, this.traceName);
    this.requestTimeout = p.clientConfig.getNumber(ZKClientConfig.ZOOKEEPER_REQUEST_TIMEOUT, 0);
    this.juteMaxBuffer = p.clientConfig.getNumber(ZKClientConfig.JUTE_MAXBUFFER, ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT);
  }

  start(): void {
    this.sendLoop = this.sendThread.run();
  }

  /** Never negative: -1, -2, -4 and -8 mean notification, ping, auth and setWatches. */
  getXid(): number {
    if (this.xid === 0x7fffffff) this.xid = 1;
    return this.xid++;
  }

  // #region finishPacket
  /** A request is done (answered, or failed locally): register its watch, queue its result. */
  finishPacket(p: Packet): void {
    const err = p.replyHeader?.err ?? Code.OK;
    p.watchRegistration?.register(this.watchManager, err);
    if (p.watchDeregistration !== null) this.deregister(p, err);
    p.finished = true;
    if (p.cb !== null) this.eventThread.queuePacket(p);
  }
  // #endregion finishPacket

  /** Removes watches after removeWatches/checkWatches and tells each removed watcher so. */
  private deregister(p: Packet, err: number): void {
    const dereg = p.watchDeregistration!;
    try {
      for (const [type, watchers] of dereg.unregister(err)) {
        if (watchers.size === 0) continue;
        this.queueWatchRemoved(dereg.clientPath, err, watchers, type);
        // Removed locally, so a connection loss does not fail the call.
        p.replyHeader!.err = Code.OK;
      }
    } catch (e) {
      p.replyHeader!.err = (e as { code?: number }).code ?? Code.SYSTEMERROR;
    }
  }

  private queueWatchRemoved(clientPath: string, err: number, watchers: Set<Watcher>, type: EventType): void {
    const lost = err === Code.SESSIONEXPIRED || err === Code.CONNECTIONLOSS;
    const state = lost ? KeeperState.Disconnected : KeeperState.SyncConnected;
    this.eventThread.queueEvent(new WatchedEvent(type, state, clientPath), watchers);
  }

  // #region conLossPacket
  /** Fails a request that will never be answered; the code says why, from the client's state. */
  conLossPacket(p: Packet): void {
    if (p.replyHeader === null) return;
    if (this.state === States.AUTH_FAILED) p.replyHeader.err = Code.AUTHFAILED;
    else if (this.state === States.CLOSED) p.replyHeader.err = Code.SESSIONEXPIRED;
    else p.replyHeader.err = Code.CONNECTIONLOSS;
    this.finishPacket(p);
  }
  // #endregion conLossPacket

  // #region queuePacket
  queuePacket<R>(
    h: { xid: number; type: number },
    replyHeader: ReturnType<typeof newReplyHeader> | null,
    request: RequestBody | null,
    readResponse: ResponseReader<R> | null,
    cb: ((p: Packet<R>) => void) | null,
    clientPath: string | null = null,
    serverPath: string | null = null,
    watchRegistration: WatchRegistration | null = null,
    watchDeregistration: WatchDeregistration | null = null,
  ): Packet<R> {
    // The xid is not chosen here but when the packet is written: xids must follow write
    // order, and the connect handshake jumps the queue on every reconnect.
    const packet = new Packet<R>(h, replyHeader, request, readResponse);
    packet.cb = cb;
    packet.clientPath = clientPath;
    packet.serverPath = serverPath;
    packet.watchRegistration = watchRegistration;
    packet.watchDeregistration = watchDeregistration;
    if (!isAlive(this.state) || this.closing) {
      this.conLossPacket(packet as Packet);
    } else {
      if (h.type === OpCode.closeSession) this.closing = true;
      this.outgoingQueue.push(packet as Packet);
    }
    this.sendThread.getClientCnxnSocket().packetAdded();
    return packet;
  }
  // #endregion queuePacket

  /** Queues a request and resolves with its outcome (never rejects: the code is in `err`). */
  submitRequest<R>(
    type: number,
    request: RequestBody | null,
    readResponse: ResponseReader<R> | null,
    clientPath: string | null = null,
    serverPath: string | null = null,
    watchRegistration: WatchRegistration | null = null,
    watchDeregistration: WatchDeregistration | null = null,
  ): Promise<RequestResult<R>> {
    return new Promise((resolve) => {
      let settled = false;
      let timer: TimerHandle | null = null;
      const settle = (err: number, zxid: bigint, response: R | undefined) => {
        if (settled) return;
        settled = true;
        if (timer !== null) this.clock.clearTimeout(timer);
        resolve({ err, zxid, response });
      };
      const header = { xid: 0, type };
      const p = this.queuePacket<R>(header, newReplyHeader(), request, readResponse, (pk) => settle(pk.replyHeader!.err, pk.replyHeader!.zxid, pk.response), clientPath, serverPath, watchRegistration, watchDeregistration);
      if (this.requestTimeout > 0 && !p.finished) {
        timer = this.clock.setTimeout(() => {
          timer = null;
          if (p.finished) return;
          LOG.error(`Timeout error occurred for the packet '${p}'.`);
          this.eventThread.queueCallback(() => settle(Code.REQUESTTIMEOUT, -1n, undefined));
          // The connection is presumed dead: drop it, failing everything outstanding.
          this.sendThread.cleanAndNotifyState();
        }, this.requestTimeout);
      }
    });
  }

  /** Queues a result that needs no server, in order with everything else. */
  queueCallback(fn: () => void): void {
    this.eventThread.queueCallback(fn);
  }

  addAuthInfo(scheme: string, auth: Buffer | null): void {
    if (!isAlive(this.state)) return;
    this.authInfo.push({ scheme, data: auth });
    this.queuePacket({ xid: Xid.auth, type: OpCode.auth }, null, authBody(scheme, auth), null, null);
  }

  // #region close
  /** Ends the session: closeSession to the server, then stop sending and drain events. */
  async close(): Promise<void> {
    LOG.debug(`Closing client for session: 0x${this.sessionId.toString(16)}`);
    try {
      await this.submitRequest(OpCode.closeSession, null, null);
    } finally {
      await this.disconnect();
    }
  }

  /** Stops the send loop (no closeSession) and waits until every queued event is delivered. */
  async disconnect(): Promise<void> {
    this.sendThread.close();
    await this.sendLoop;
    this.eventThread.queueEventOfDeath();
    await this.eventThread.drained();
  }
  // #endregion close

  /** Resolves once the send loop has ended (closed, expired, auth failed) and events are delivered. */
  async terminated(): Promise<void> {
    await this.sendLoop;
    this.eventThread.queueEventOfDeath();
    await this.eventThread.drained();
  }

  toString(): string {
    const s = this.sendThread.getClientCnxnSocket();
    const addr = (a: { host: string; port: number } | null) => (a ? `/${a.host}:${a.port}` : "null");
    return (
      `sessionid:0x${this.sessionId.toString(16)} local:${addr(s.getLocalSocketAddress())} remoteserver:${addr(s.getRemoteSocketAddress())} ` +
      `lastZxid:${this.lastZxid} xid:${this.xid} sent:${s.sentCount} recv:${s.recvCount} queuedpkts:${this.outgoingQueue.length} ` +
      `pendingresp:${this.pendingQueue.length}`
    );
  }
}

/** The body of an auth packet (also used when the handshake replays authInfo). */
export function authBody(scheme: string, auth: Buffer | null): RequestBody {
  return { write: (oa) => AuthPacket.write(oa, { type: 0, scheme, auth }) };
}

