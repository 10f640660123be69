/**
 * SendThread — the loop that keeps a session alive: connect, handshake, write, read,
 * ping, time out, reconnect elsewhere.
 *
 * Reimplements `org.apache.zookeeper.ClientCnxn.SendThread`. Chapter 09 (client); walked
 * through in [001 L9239–9500] (run, startConnect) and [001 L9560–9578] (primeConnection,
 * elided in the handout: G15, completed here from the 3.8 source). Scenarios T74, T75.
 *
 * Differs from Java, and why:
 * - One `async run()` replaces the thread; every blocking step is an await: the select in
 *   doTransport, the back-off of `hostProvider.next(1000)`, the random pause before a
 *   reconnect, and the 100 ms Java's socket cleanup sleeps. Sleeps end early when the
 *   client closes, so close() never waits out a back-off.
 * - SetWatches packets are queued with xid -8 as in Java, and as in Java the socket then
 *   numbers them like any request (only pings and auth keep their special xid), so the
 *   server answers them in order with everything else.
 * - No SASL: the auth-failure path is the one `addauth` can take (xid -4, AUTHFAILED).
 */
import { BinaryInputArchive } from "../jute/BinaryInputArchive.js";
import { Code } from "../jute/KeeperException.js";
import { ConnectRequest, ReplyHeader, SetWatches, SetWatches2, WatcherEvent } from "../jute/proto.js";
import { EventType, KeeperState } from "../jute/Watcher.js";
import { OpCode, Xid } from "../jute/ZooDefs.js";
import { trace, type TraceFields } from "../trace/index.js";
import type { TimerHandle } from "../util/Clock.js";
import { getLogger } from "../util/Logger.js";
import { authBody, type ClientCnxn } from "./ClientCnxn.js";
import type { ClientCnxnSocket, SocketOwner } from "./ClientCnxnSocket.js";
import { serverName, traceNotification, traceReply } from "./ClientTrace.js";
import { formatAddress, type ServerAddress } from "./ConnectStringParser.js";
import { newReplyHeader, Packet, type RequestBody } from "./Packet.js";
import { isAlive, isConnected, States } from "./States.js";
import { WatchedEvent } from "./WatchedEvent.js";

const LOG = getLogger("ClientCnxn");

/** A batch of setWatches stops growing once its paths add up to this many characters. */
export const SET_WATCHES_MAX_LENGTH = 128 * 1024;
/** Send a ping at least this often, whatever the session timeout (ms). */
const MAX_SEND_PING_INTERVAL = 10_000;
const MIN_PING_RW_TIMEOUT = 100;
const MAX_PING_RW_TIMEOUT = 60_000;

export class SessionTimeoutException extends Error {
  override name = "SessionTimeoutException";
}
export class SessionExpiredException extends Error {
  override name = "SessionExpiredException";
}
class RWServerFoundException extends Error {
  override name = "RWServerFoundException";
}

export class SendThread implements SocketOwner {
  private isFirstConnect = true;
  private lastPingSentMs = 0;
  private rwServerAddress: ServerAddress | null = null;
  private pingRwTimeout = MIN_PING_RW_TIMEOUT;
  private sleeping: { timer: TimerHandle; done: () => void } | null = null;

  constructor(
    private readonly cnxn: ClientCnxn,
    private readonly clientCnxnSocket: ClientCnxnSocket,
    private readonly random: () => number,
  ) {
    // The first state; not traced: the first connect attempt reports CONNECTING itself.
    this.cnxn.state = States.CONNECTING;
  }

  get outgoingQueue(): Packet[] {
    return this.cnxn.outgoingQueue;
  }
  get state(): States {
    return this.cnxn.state;
  }
  get traceName(): string {
    return this.cnxn.traceName;
  }
  getXid(): number {
    return this.cnxn.getXid();
  }
  getClientCnxnSocket(): ClientCnxnSocket {
    return this.clientCnxnSocket;
  }

  private changeZkState(newState: States, fields?: TraceFields): void {
    if (!isAlive(this.cnxn.state) && newState === States.CONNECTING) {
      throw new Error("Connection has already been closed and reconnection is not allowed");
    }
    this.cnxn.state = newState;
    trace.state(this.cnxn.traceName, newState, fields);
  }

  /** The current server's name in trace events. */
  private peerName(): string {
    return serverName(this.clientCnxnSocket.getRemoteSocketAddress());
  }

  // #region send-loop
  async run(): Promise<void> {
    const cnxn = this.cnxn;
    const sock = this.clientCnxnSocket;
    sock.introduce(this, cnxn.sessionId);
    sock.updateNow();
    sock.updateLastSendAndHeard();
    let lastPingRwServer = cnxn.clock.now();
    let serverAddress: ServerAddress | null = null;
    while (isAlive(cnxn.state)) {
      try {
        if (!sock.isConnected()) {
          // Never reconnect once closeSession has been queued.
          if (cnxn.closing) break;
          if (this.rwServerAddress !== null) {
            serverAddress = this.rwServerAddress;
            this.rwServerAddress = null;
          } else {
            const choice = cnxn.hostProvider.next(1000);
            await this.sleep(choice.spinDelayMs);
            serverAddress = choice.address;
          }
          await this.startConnect(serverAddress);
          // The connect timeout counts from this attempt.
          sock.updateNow();
          sock.updateLastSendAndHeard();
        }
        let to = this.timeLeft();
        if (to <= 0) {
          const msg = `Client session timed out, have not heard from server in ${sock.getIdleRecv()}ms for session id 0x${cnxn.sessionId.toString(16)}`;
          LOG.warn(msg);
          throw new SessionTimeoutException(msg);
        }
        if (isConnected(cnxn.state)) to = this.pingIfDue(to);
        if (cnxn.state === States.CONNECTEDREADONLY) {
          const now = cnxn.clock.now();
          let idlePingRwServer = Math.trunc(now - lastPingRwServer);
          if (idlePingRwServer >= this.pingRwTimeout) {
            lastPingRwServer = now;
            idlePingRwServer = 0;
            this.pingRwTimeout = Math.min(2 * this.pingRwTimeout, MAX_PING_RW_TIMEOUT);
            await this.pingRwServer();
          }
          to = Math.min(to, this.pingRwTimeout - idlePingRwServer);
        }
        await sock.doTransport(to, cnxn.pendingQueue);
      } catch (e) {
        if (cnxn.closing) {
          LOG.warn(`An exception was thrown while closing send thread for session 0x${cnxn.sessionId.toString(16)}.`, e as Error);
          break;
        }
        LOG.warn(
          `Session 0x${cnxn.sessionId.toString(16)} for server ${serverAddress ? formatAddress(serverAddress) : "null"}, Closing socket connection. Attempting reconnect except it is a SessionExpiredException.`,
          String(e),
        );
        trace.state(cnxn.traceName, "connection lost", { reason: (e as Error).name ?? "Error" });
        // Packets queued from now on wait for the next connection (or fail at close).
        this.cleanAndNotifyState();
        if (isAlive(cnxn.state)) await this.sleep(100);
      }
    }
    this.cleanup();
    sock.close();
    if (isAlive(cnxn.state)) cnxn.eventThread.queueEvent(new WatchedEvent(EventType.None, KeeperState.Disconnected, null));
    cnxn.eventThread.queueEvent(new WatchedEvent(EventType.None, KeeperState.Closed, null));
    LOG.debug(`SendThread exited loop for session: 0x${cnxn.sessionId.toString(16)}`);
  }
  // #endregion send-loop

  // #region ping-schedule
  /** Time left before the connection counts as dead: readTimeout once connected, connectTimeout before. */
  timeLeft(): number {
    const idleRecv = this.clientCnxnSocket.getIdleRecv();
    return (isConnected(this.cnxn.state) ? this.cnxn.readTimeout : this.cnxn.connectTimeout) - idleRecv;
  }

  /**
   * Pings when half the read timeout has passed without a write (a second early once a
   * second has passed, so the second ping is not missed by a hair), or at least every 10 s.
   * Returns how long the loop may sleep: until the next ping at the latest.
   */
  pingIfDue(to: number): number {
    const sock = this.clientCnxnSocket;
    const idleSend = sock.getIdleSend();
    const timeToNextPing = Math.trunc(this.cnxn.readTimeout / 2) - idleSend - (idleSend > 1000 ? 1000 : 0);
    if (timeToNextPing <= 0 || idleSend > MAX_SEND_PING_INTERVAL) {
      this.sendPing();
      sock.updateLastSend();
      return to;
    }
    return Math.min(to, timeToNextPing);
  }

  private sendPing(): void {
    this.lastPingSentMs = this.cnxn.clock.now();
    this.cnxn.queuePacket({ xid: Xid.ping, type: OpCode.ping }, null, null, null, null);
  }
  // #endregion ping-schedule

  // #region startConnect
  private async startConnect(addr: ServerAddress): Promise<void> {
    // A reconnect waits a random 0–999 ms, so clients dropped together do not all
    // come back at the same instant.
    if (!this.isFirstConnect) await this.sleep(Math.floor(this.random() * 1000));
    this.changeZkState(States.CONNECTING, trace.enabled ? { server: formatAddress(addr) } : undefined);
    LOG.info(`Opening socket connection to server ${formatAddress(addr)}.`);
    this.clientCnxnSocket.connect(addr);
  }
  // #endregion startConnect

  // #region primeConnection
  /**
   * The TCP connection is up: put the handshake at the head of the queue. Final order:
   * ConnectRequest, auth packets, setWatches batches, then whatever the application
   * queued meanwhile. Only the ConnectRequest is written until its response arrives (T76).
   */
  primeConnection(): void {
    const cnxn = this.cnxn;
    const sock = this.clientCnxnSocket;
    LOG.info(`Socket connection established, initiating session, client: ${fmt(sock.getLocalSocketAddress())}, server: ${fmt(sock.getRemoteSocketAddress())}`);
    this.isFirstConnect = false;
    // Until a read-write server has accepted the session, ask for a fresh one.
    const sessId = cnxn.seenRwServerBefore ? cnxn.sessionId : 0n;
    const conReq: ConnectRequest = { protocolVersion: 0, lastZxidSeen: cnxn.lastZxid, timeOut: cnxn.sessionTimeout, sessionId: sessId, passwd: cnxn.sessionPasswd };
    if (!cnxn.watchManager.disableAutoWatchReset) {
      for (const batch of this.setWatchesBatches()) cnxn.outgoingQueue.unshift(batch);
    }
    for (const id of cnxn.authInfo) {
      cnxn.outgoingQueue.unshift(new Packet({ xid: Xid.auth, type: OpCode.auth }, null, authBody(id.scheme, id.data), null));
    }
    const readOnly = cnxn.readOnly;
    const connectBody: RequestBody = {
      write(oa) {
        ConnectRequest.write(oa, conReq);
        oa.writeBool(readOnly);
      },
    };
    cnxn.outgoingQueue.unshift(new Packet(null, null, connectBody, null));
    sock.connectionPrimed();
    LOG.debug(`Session establishment request sent on ${fmt(sock.getRemoteSocketAddress())}`);
  }
  // #endregion primeConnection

  // #region setWatches
  /**
   * Every watch the client holds, re-sent so the new server knows it. `relativeZxid` lets
   * the server fire at once the watches whose node changed while we were away. Batches
   * stay near 128 KiB of paths (ZOOKEEPER-706: one huge packet exceeded jute.maxbuffer);
   * SetWatches2 is used only when there are persistent watches, so servers older than 3.6
   * still understand the rest.
   */
  private setWatchesBatches(): Packet[] {
    const wm = this.cnxn.watchManager;
    const lists = [wm.getDataWatchList(), wm.getExistWatchList(), wm.getChildWatchList(), wm.getPersistentWatchList(), wm.getPersistentRecursiveWatchList()].map((l) =>
      l.map((p) => this.prependChroot(p)),
    );
    const packets: Packet[] = [];
    const relativeZxid = this.cnxn.lastZxid;
    let which = 0;
    let index = 0;
    while (which < lists.length) {
      const batch: string[][] = [[], [], [], [], []];
      let batchLength = 0;
      // The last watch may overshoot the limit a little, as in Java.
      while (batchLength < SET_WATCHES_MAX_LENGTH && which < lists.length) {
        if (index >= lists[which]!.length) {
          which++;
          index = 0;
          continue;
        }
        const watch = lists[which]![index++]!;
        batch[which]!.push(watch);
        batchLength += watch.length;
      }
      if (batchLength === 0) break;
      const [dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches] = batch as [string[], string[], string[], string[], string[]];
      const v2 = persistentWatches.length > 0 || persistentRecursiveWatches.length > 0;
      const body: RequestBody = v2
        ? { write: (oa) => SetWatches2.write(oa, { relativeZxid, dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches }) }
        : { write: (oa) => SetWatches.write(oa, { relativeZxid, dataWatches, existWatches, childWatches }) };
      const type = v2 ? OpCode.setWatches2 : OpCode.setWatches;
      packets.push(new Packet({ xid: Xid.setWatches, type }, newReplyHeader(), body, null));
    }
    return packets;
  }
  // #endregion setWatches

  private prependChroot(clientPath: string): string {
    const chroot = this.cnxn.chrootPath;
    if (chroot === null) return clientPath;
    return clientPath.length === 1 ? chroot : chroot + clientPath;
  }

  // #region onConnected
  onConnected(negotiatedTimeout: number, sessionId: bigint, passwd: Buffer, isRO: boolean): void {
    const cnxn = this.cnxn;
    cnxn.negotiatedSessionTimeout = negotiatedTimeout;
    if (negotiatedTimeout <= 0) {
      // The server no longer knows the session: it expired while we were away.
      this.changeZkState(States.CLOSED);
      cnxn.eventThread.queueEvent(new WatchedEvent(EventType.None, KeeperState.Expired, null));
      cnxn.eventThread.queueEventOfDeath();
      const msg = `Unable to reconnect to ZooKeeper service, session 0x${cnxn.sessionId.toString(16)} has expired`;
      LOG.warn(msg);
      throw new SessionExpiredException(msg);
    }
    if (!cnxn.readOnly && isRO) LOG.error("Read/write client got connected to read-only server");
    // The server may have clamped the timeout into [2, 20] ticks: recompute from its value.
    cnxn.readTimeout = Math.trunc((negotiatedTimeout * 2) / 3);
    cnxn.connectTimeout = Math.trunc(negotiatedTimeout / cnxn.hostProvider.size());
    cnxn.hostProvider.onConnected();
    cnxn.sessionId = sessionId;
    cnxn.sessionPasswd = passwd;
    this.changeZkState(isRO ? States.CONNECTEDREADONLY : States.CONNECTED);
    cnxn.seenRwServerBefore ||= !isRO;
    LOG.info(
      `Session establishment complete on server ${fmt(this.clientCnxnSocket.getRemoteSocketAddress())}, session id = 0x${sessionId.toString(16)}, negotiated timeout = ${negotiatedTimeout}${isRO ? " (READ-ONLY mode)" : ""}`,
    );
    cnxn.eventThread.queueEvent(new WatchedEvent(EventType.None, isRO ? KeeperState.ConnectedReadOnly : KeeperState.SyncConnected, null));
  }
  // #endregion onConnected

  // #region readResponse
  /** Every frame after the connect response: a ping or auth answer, a notification, or a reply. */
  readResponse(body: Buffer): void {
    const cnxn = this.cnxn;
    // Strings and buffers inside a frame obey the same jute.maxbuffer as the frame itself.
    const ia = new BinaryInputArchive(body, { maxBuffer: cnxn.juteMaxBuffer });
    const replyHdr = ReplyHeader.read(ia);
    switch (replyHdr.xid) {
      case Xid.ping:
        if (trace.enabled) traceReply(this.peerName(), cnxn.traceName, OpCode.ping, replyHdr);
        LOG.debug(`Got ping response for session id: 0x${cnxn.sessionId.toString(16)} after ${Math.round(cnxn.clock.now() - this.lastPingSentMs)}ms.`);
        return;
      case Xid.auth:
        if (trace.enabled) traceReply(this.peerName(), cnxn.traceName, OpCode.auth, replyHdr);
        if (replyHdr.err === Code.AUTHFAILED) {
          this.changeZkState(States.AUTH_FAILED);
          cnxn.eventThread.queueEvent(new WatchedEvent(EventType.None, KeeperState.AuthFailed, null));
          cnxn.eventThread.queueEventOfDeath();
        }
        return;
      case Xid.notification: {
        const event = WatcherEvent.read(ia);
        if (trace.enabled) traceNotification(this.peerName(), cnxn.traceName, event.type, event.state, event.path);
        const we = new WatchedEvent(event.type as EventType, event.state as KeeperState, this.toClientPath(event.path));
        LOG.debug(`Got ${we} for session id 0x${cnxn.sessionId.toString(16)}`);
        cnxn.eventThread.queueEvent(we);
        return;
      }
    }
    // Replies come in request order, so this one answers the oldest request in flight.
    const packet = cnxn.pendingQueue.shift();
    if (packet === undefined) throw new Error(`Nothing in the queue, but got ${replyHdr.xid}`);
    if (trace.enabled) traceReply(this.peerName(), cnxn.traceName, packet.requestHeader!.type, replyHdr);
    try {
      if (packet.requestHeader!.xid !== replyHdr.xid) {
        packet.replyHeader!.err = Code.CONNECTIONLOSS;
        throw new Error(`Xid out of order. Got Xid ${replyHdr.xid} with err ${replyHdr.err} expected Xid ${packet.requestHeader!.xid} for a packet with details: ${packet}`);
      }
      const r = packet.replyHeader!;
      r.xid = replyHdr.xid;
      r.err = replyHdr.err;
      r.zxid = replyHdr.zxid;
      if (replyHdr.zxid > 0n) cnxn.lastZxid = replyHdr.zxid;
      if (packet.readResponse !== null && replyHdr.err === 0) {
        try {
          packet.response = packet.readResponse(ia);
        } catch (e) {
          // Java would hand the caller rc 0 and a half-read record; say what happened instead.
          r.err = Code.MARSHALLINGERROR;
          throw e;
        }
      }
    } finally {
      cnxn.finishPacket(packet);
    }
  }
  // #endregion readResponse

  /** Server path → client path. Unlike Java, only a real chroot prefix is cut off. */
  toClientPath(serverPath: string): string {
    const chroot = this.cnxn.chrootPath;
    if (chroot === null) return serverPath;
    if (serverPath === chroot) return "/";
    if (serverPath.startsWith(chroot + "/")) return serverPath.substring(chroot.length);
    LOG.warn(`Got server path ${serverPath} which is not under the chroot path ${chroot}.`);
    return serverPath;
  }

  // #region cleanup
  /** Connection lost: fail everything in flight, and tell the watchers we are disconnected. */
  cleanAndNotifyState(): void {
    this.cleanup();
    if (isAlive(this.cnxn.state)) {
      this.cnxn.eventThread.queueEvent(new WatchedEvent(EventType.None, KeeperState.Disconnected, null));
    }
    this.clientCnxnSocket.updateNow();
    this.clientCnxnSocket.updateLastSendAndHeard();
  }

  /**
   * Closes the socket and fails every written and every queued request: none of them can
   * be known to have been applied or not (CONNECTIONLOSS; SESSIONEXPIRED once closed).
   */
  private cleanup(): void {
    const cnxn = this.cnxn;
    this.clientCnxnSocket.cleanup();
    for (const p of cnxn.pendingQueue.splice(0)) cnxn.conLossPacket(p);
    for (const p of cnxn.outgoingQueue.splice(0)) cnxn.conLossPacket(p);
  }
  // #endregion cleanup

  /** Stop: the loop sees CLOSED and ends. */
  close(): void {
    try {
      this.changeZkState(States.CLOSED);
    } catch {
      LOG.warn(`Connection close fails when migrates state from ${this.cnxn.state} to CLOSED`);
    }
    this.wakeSleeper();
    this.clientCnxnSocket.onClosing();
  }

  testableCloseSocket(): void {
    this.clientCnxnSocket.testableCloseSocket();
  }

  /** Waits `ms` on the client's clock; ends early when the client closes. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.sleeping = null;
        resolve();
      };
      this.sleeping = { timer: this.cnxn.clock.setTimeout(done, ms), done };
    });
  }

  private wakeSleeper(): void {
    const s = this.sleeping;
    if (s === null) return;
    this.cnxn.clock.clearTimeout(s.timer);
    s.done();
  }

  // #region pingRwServer
  /** In read-only mode, look for a server that has a quorum ("isro" answers "rw"), and move to it. */
  private async pingRwServer(): Promise<void> {
    const addr = this.cnxn.hostProvider.next(0).address;
    LOG.info(`Checking server ${formatAddress(addr)} for being r/w. Timeout ${this.pingRwTimeout}`);
    const result = await this.clientCnxnSocket.probeReadWrite(addr);
    if (result === "rw") {
      this.pingRwTimeout = MIN_PING_RW_TIMEOUT;
      this.rwServerAddress = addr;
      throw new RWServerFoundException(`Majority server found at ${formatAddress(addr)}`);
    }
  }
  // #endregion pingRwServer
}

function fmt(a: ServerAddress | null): string {
  return a === null ? "null" : `/${formatAddress(a)}`;
}
