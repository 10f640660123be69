/**
 * ClientCnxnSocket — the client's end of one TCP connection: frame decoding, the
 * readiness loop (`doTransport`/`doIO`), idle-time bookkeeping for pings and timeouts.
 *
 * Reimplements `org.apache.zookeeper.ClientCnxnSocket` together with the transport logic
 * of `ClientCnxnSocketNIO` (doTransport, doIO, findSendablePacket, enable/disableWrite).
 * Chapter 09 (client); walked through in [001 L9506–9833]. Scenarios T74, T75, T76.
 *
 * Differs from Java, and why:
 * - Java's SendThread blocks in `selector.select(timeout)`; here `select` is a promise
 *   that settles when the timeout passes, `wakeup()` is called (a packet was queued, the
 *   client is closing), or the transport reports something (connected, data, drain, end,
 *   error). Transport callbacks only record readiness; the bytes are handled in
 *   `doTransport`, inside the send loop, exactly where Java handles a ready key. So an
 *   exception from a frame lands in the send loop's catch as it does in Java.
 * - Java reads at most one buffer per ready key and writes one packet per OP_WRITE; here
 *   `doIO` handles every complete frame that has arrived and writes every sendable packet,
 *   stopping at the same points Java stops (T76: after the ConnectRequest until the
 *   ConnectResponse; on back-pressure until 'drain').
 * - The subclass only moves bytes (`openTransport`, `writeTransport`, `closeTransport`),
 *   so ClientCnxnSocketNIO (node:net) and the tests' in-memory socket share all of this.
 * - Java's `cleanup()` sleeps 100 ms; the send loop does that wait instead (SendThread).
 */
import { BinaryInputArchive } from "../jute/BinaryInputArchive.js";
import { ConnectResponse } from "../jute/proto.js";
import { OpCode } from "../jute/ZooDefs.js";
import { trace } from "../trace/index.js";
import type { Clock, TimerHandle } from "../util/Clock.js";
import { ByteQueue } from "../util/ByteQueue.js";
import { getLogger } from "../util/Logger.js";
import { serverName, traceConnectResponse, traceSent } from "./ClientTrace.js";
import type { ServerAddress } from "./ConnectStringParser.js";
import type { Packet } from "./Packet.js";
import { isAlive, isConnected, type States } from "./States.js";
import { ZKClientConfig } from "./ZKClientConfig.js";

const LOG = getLogger("ClientCnxnSocket");

/** Raised when the server closes the connection (Java's ClientCnxn.EndOfStreamException). */
export class EndOfStreamException extends Error {
  override name = "EndOfStreamException";
}

/** What doIO needs from the connection it serves (ClientCnxn and its SendThread). */
export interface SocketOwner {
  readonly outgoingQueue: Packet[];
  readonly state: States;
  /** The client's name in trace events. */
  readonly traceName: string;
  getXid(): number;
  /** A frame after the connect response (SendThread.readResponse). */
  readResponse(body: Buffer): void;
  /** The connect response (SendThread.onConnected). */
  onConnected(negotiatedTimeout: number, sessionId: bigint, passwd: Buffer, isRO: boolean): void;
  /** The TCP connection is up: queue the ConnectRequest (SendThread.primeConnection). */
  primeConnection(): void;
}

/** A packet that is never answered with a pending-queue entry: pings and auth (T75). */
function isPingOrAuth(p: Packet): boolean {
  const t = p.requestHeader?.type;
  return t === OpCode.ping || t === OpCode.auth;
}

export abstract class ClientCnxnSocket {
  protected owner: SocketOwner | null = null;
  protected sessionId = 0n;
  /** Time of the last `updateNow`: everything in one pass of the loop sees the same now. */
  protected now = 0;
  private lastHeard = 0;
  private lastSend = 0;
  /** False until the ConnectResponse of this connection has been read (T75, T76). */
  protected initialized = false;
  private readonly packetLen: number;
  sentCount = 0;
  recvCount = 0;

  // Readiness, as a selector would report it.
  private open = false;
  private connectReady = false;
  private readInterest = false;
  private writeInterest = false;
  private awaitingDrain = false;
  private eof = false;
  private error: Error | null = null;
  private readonly incoming = new ByteQueue();
  /** Bytes arrived since the last read: the "readable" of a selector (a partial frame alone is not). */
  private newData = false;
  /** Body length announced by the frame being read; null while reading the 4-byte length. */
  private frameLen: number | null = null;

  private waiter: (() => void) | null = null;
  private wakeupPending = false;
  private timer: TimerHandle | null = null;

  constructor(
    protected readonly clientConfig: ZKClientConfig,
    protected readonly clock: Clock,
  ) {
    this.packetLen = clientConfig.getNumber(ZKClientConfig.JUTE_MAXBUFFER, ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT);
  }

  // ---- what a transport implements ---------------------------------------------------

  /** Starts connecting; report through onTransportConnect/Data/Drain/End/Error. */
  protected abstract openTransport(addr: ServerAddress): void;
  /** Writes bytes; false means "buffer full, wait for onTransportDrain". */
  protected abstract writeTransport(bytes: Buffer): boolean;
  /** Closes the connection at once. No more callbacks may arrive for it. */
  protected abstract closeTransport(): void;
  abstract getRemoteSocketAddress(): ServerAddress | null;
  abstract getLocalSocketAddress(): ServerAddress | null;

  protected onTransportConnect(): void {
    this.connectReady = true;
    this.wakeup();
  }
  protected onTransportData(chunk: Buffer): void {
    this.incoming.push(chunk);
    this.newData = true;
    this.wakeup();
  }
  protected onTransportDrain(): void {
    this.awaitingDrain = false;
    this.wakeup();
  }
  protected onTransportEnd(): void {
    this.eof = true;
    this.wakeup();
  }
  protected onTransportError(err: Error): void {
    this.error ??= err;
    this.wakeup();
  }

  // ---- ClientCnxnSocket: bookkeeping ---------------------------------------------------

  introduce(owner: SocketOwner, sessionId: bigint): void {
    this.owner = owner;
    this.sessionId = sessionId;
  }

  // #region idle-times
  updateNow(): void {
    this.now = this.clock.now();
  }
  /** Milliseconds since anything was read (drives session timeout). */
  getIdleRecv(): number {
    return Math.trunc(this.now - this.lastHeard);
  }
  /** Milliseconds since anything was written (drives pings). */
  getIdleSend(): number {
    return Math.trunc(this.now - this.lastSend);
  }
  updateLastHeard(): void {
    this.lastHeard = this.now;
  }
  updateLastSend(): void {
    this.lastSend = this.now;
  }
  updateLastSendAndHeard(): void {
    this.lastSend = this.now;
    this.lastHeard = this.now;
  }
  // #endregion idle-times

  /** Java: `sockKey != null` — true from connect() until cleanup(), connecting included. */
  isConnected(): boolean {
    return this.open;
  }

  connect(addr: ServerAddress): void {
    this.resetConnection();
    this.open = true;
    this.initialized = false;
    try {
      this.openTransport(addr);
    } catch (e) {
      LOG.error(`Unable to open socket to ${addr.host}:${addr.port}`);
      this.cleanup();
      throw e;
    }
  }

  /** Closes the connection and forgets its state (the 100 ms pause is the send loop's). */
  cleanup(): void {
    if (this.open) this.closeTransport();
    this.open = false;
    this.resetConnection();
    this.wakeup();
  }

  private resetConnection(): void {
    this.connectReady = false;
    this.readInterest = false;
    this.writeInterest = false;
    this.awaitingDrain = false;
    this.eof = false;
    this.error = null;
    this.incoming.clear();
    this.newData = false;
    this.frameLen = null;
  }

  /** A packet was queued: let the loop look at the queue now. */
  packetAdded(): void {
    this.wakeup();
  }

  /** The client is closing: let the loop notice. */
  onClosing(): void {
    this.wakeup();
  }

  /** Drops the connection without telling the server (tests, and Java's updateServerList). */
  testableCloseSocket(): void {
    if (!this.open) return;
    LOG.info("testableCloseSocket() called");
    this.closeTransport();
    this.onTransportEnd();
  }

  /**
   * Asks a server "isro" on a separate connection and returns its first line ("rw" or
   * "ro"), or null when it cannot be asked. Used in read-only mode to find a majority.
   */
  probeReadWrite(_addr: ServerAddress): Promise<string | null> {
    return Promise.resolve(null);
  }

  /** Nothing to release beyond the connection; kept for symmetry with Java's selector close. */
  close(): void {
    this.wakeup();
  }

  // ---- the selector ------------------------------------------------------------------------

  /**
   * Ends the current select, or, like java.nio's Selector.wakeup, the next one when no
   * select is in progress: a packet queued by the loop itself (a ping) is then written
   * on the next pass instead of waiting out the timeout.
   */
  wakeup(): void {
    const w = this.waiter;
    if (w === null) {
      this.wakeupPending = true;
      return;
    }
    this.waiter = null;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    w();
  }

  private hasReadyOps(): boolean {
    if (!this.open) return false;
    if (this.connectReady || this.error !== null) return true;
    if (this.readInterest && (this.newData || this.eof)) return true;
    return this.writeInterest && !this.awaitingDrain;
  }

  /** Resolves after `timeoutMs`, on wakeup(), or at once when something is ready. */
  private select(timeoutMs: number): Promise<void> {
    const woken = this.wakeupPending;
    this.wakeupPending = false;
    if (woken || this.hasReadyOps()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.wakeup();
      }, Math.max(0, timeoutMs));
    });
  }

  // #region doTransport
  /** One select and the work it found: Java's ClientCnxnSocketNIO.doTransport. */
  async doTransport(waitTimeOut: number, pendingQueue: Packet[]): Promise<void> {
    await this.select(waitTimeOut);
    // Everything until the next select is synchronous, so one `now` serves the whole pass.
    this.updateNow();
    if (!this.open) return;
    if (this.connectReady) {
      this.connectReady = false;
      this.updateLastSendAndHeard();
      this.owner!.primeConnection();
    }
    this.doIO(pendingQueue);
    // Bytes that arrived before a reset were handled above; now the reset itself.
    if (this.open && this.error !== null) throw this.error;
    if (this.open && isConnected(this.owner!.state) && this.findSendablePacket() !== null) {
      this.enableWrite();
    }
  }
  // #endregion doTransport

  // #region doIO
  private doIO(pendingQueue: Packet[]): void {
    if (this.readInterest && (this.newData || this.eof)) this.doRead();
    if (this.open && this.writeInterest && !this.awaitingDrain) this.doWrite(pendingQueue);
  }

  /** Handles every complete frame received; the first one of a connection is the connect result. */
  private doRead(): void {
    this.newData = false;
    for (;;) {
      if (this.frameLen === null) {
        if (this.incoming.length < 4) break;
        this.recvCount++;
        this.frameLen = this.readLength(new BinaryInputArchive(this.incoming.take(4)).readInt());
      }
      if (this.incoming.length < this.frameLen) break;
      const body = this.incoming.take(this.frameLen);
      this.frameLen = null;
      if (!this.initialized) {
        this.readConnectResult(body);
        this.enableRead();
        if (this.findSendablePacket() !== null) this.enableWrite();
        this.updateLastHeard();
        this.initialized = true;
      } else {
        this.owner!.readResponse(body);
        this.updateLastHeard();
      }
      // AUTH_FAILED (or a close) ends the send loop: leave the rest unread, as Java does.
      if (!this.open || !isAlive(this.owner!.state)) return;
    }
    if (this.eof) {
      throw new EndOfStreamException(
        `Unable to read additional data from server sessionid 0x${this.sessionId.toString(16)}, likely server has closed socket`,
      );
    }
  }

  private doWrite(pendingQueue: Packet[]): void {
    const queue = this.owner!.outgoingQueue;
    let p: Packet | null = null;
    while ((p = this.findSendablePacket()) !== null) {
      this.updateLastSend();
      if (p.bb === null) {
        // Pings (-2) and auth (-4) keep their special xid; everything else is numbered now,
        // in write order, which is the order replies will come back in.
        if (p.requestHeader !== null && !isPingOrAuth(p)) p.requestHeader.xid = this.owner!.getXid();
        p.createBB();
      }
      const flushed = this.writeTransport(p.bb!);
      if (trace.enabled) traceSent(this.owner!.traceName, serverName(this.getRemoteSocketAddress()), p);
      this.sentCount++;
      queue.splice(queue.indexOf(p), 1);
      if (p.requestHeader !== null && !isPingOrAuth(p)) pendingQueue.push(p);
      if (!flushed) this.awaitingDrain = true;
      // T76: nothing after the ConnectRequest until the ConnectResponse is in. If the session
      // has expired, the server answers and closes at once; a write racing that close can
      // turn it into a TCP RST that destroys the answer before it is read.
      if (!this.initialized || this.awaitingDrain) break;
    }
    if (queue.length === 0) this.disableWrite();
    else if (!this.initialized && p !== null) this.disableWrite();
    else this.enableWrite();
  }
  // #endregion doIO

  /** No SASL here, so the head of the queue is always the one to send. */
  private findSendablePacket(): Packet | null {
    return this.owner!.outgoingQueue[0] ?? null;
  }

  // #region readLength
  /** A frame length is a claim, not a fact: bound it before waiting for that many bytes. */
  private readLength(len: number): number {
    if (len < 0 || len > this.packetLen) throw new Error(`Packet len ${len} is out of range!`);
    return len;
  }
  // #endregion readLength

  // #region readConnectResult
  private readConnectResult(body: Buffer): void {
    const ia = new BinaryInputArchive(body);
    const conRsp = ConnectResponse.read(ia);
    // Servers before 3.3 end the response here; later ones say whether they are read-only.
    let isRO = false;
    if (ia.remaining > 0) isRO = ia.readBool();
    else LOG.warn("Connected to an old server; r-o mode will be unavailable");
    this.sessionId = conRsp.sessionId;
    if (trace.enabled) traceConnectResponse(serverName(this.getRemoteSocketAddress()), this.owner!.traceName, conRsp, isRO);
    this.owner!.onConnected(conRsp.timeOut, conRsp.sessionId, conRsp.passwd ?? Buffer.alloc(16), isRO);
  }
  // #endregion readConnectResult

  enableWrite(): void {
    this.writeInterest = true;
  }
  private disableWrite(): void {
    this.writeInterest = false;
  }
  private enableRead(): void {
    this.readInterest = true;
  }

  /** The connect request is queued: from now on read and write (Java: OP_READ | OP_WRITE). */
  connectionPrimed(): void {
    this.readInterest = true;
    this.writeInterest = true;
  }
}
