/**
 * ServerCnxn — one client connection: frames in, requests to the server, replies and
 * watch notifications out.
 *
 * Reimplements `org.apache.zookeeper.server.ServerCnxn` and `NIOServerCnxn`. Chapter 03
 * (the factory accepts it) and chapter 09 (the other end of ClientCnxn). The documents
 * never show the server's parsing (G14), so the framing is added knowledge (U).
 *
 * Byte grammar of the stream from a client:
 *
 *     stream   = connect request* | fourLetterWord
 *     connect  = int len, ConnectRequest, [bool readOnly]     (first frame)
 *     request  = int len, RequestHeader(xid, type), <request record>
 *     fourLetterWord = four ASCII bytes ("ruok", "stat", ...) instead of a length
 *
 * and to the client: `int len, ConnectResponse, [bool readOnly]` once, then
 * `int len, ReplyHeader(xid, zxid, err), <response record if err == 0>`; notifications
 * have xid -1, ping replies xid -2, auth replies xid -4.
 *
 * Bad input closes this connection only: a length below 0 or above jute.maxbuffer, a
 * frame that does not decode, or a request before the connect request is answered
 * (a client may pipeline, so frames wait while the session is being set up — Java's
 * disableRecv — and are read afterwards in order).
 *
 * Differs from Java: no selector threads; Node's socket events drive the decoder, and
 * replies written during one turn of the event loop leave in one writev (cork/uncork).
 */
import type { Socket } from "node:net";
import { BinaryInputArchive, JuteError } from "../jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../jute/BinaryOutputArchive.js";
import type { ACL, Id } from "../jute/data.js";
import * as proto from "../jute/proto.js";
import { Xid } from "../jute/ZooDefs.js";
import { trace } from "../trace/index.js";
import { javaHashOrder, javaStringHashCode } from "../util/JavaHash.js";
import { ByteQueue } from "../util/ByteQueue.js";
import { getLogger, hex } from "../util/Logger.js";
import type { WatchedEvent, Watcher } from "../data/WatchManager.js";
import type { Response } from "./FinalRequestProcessor.js";
import { writeMultiResponse } from "./MultiRecords.js";

const LOG = getLogger("NIOServerCnxn");

/** Why a connection was closed, as Java's DisconnectReason names it. */
export type DisconnectReason =
  | "CLIENT_CLOSED_CONNECTION"
  | "CLIENT_CLOSED_SESSION"
  | "CLIENT_RECONNECT"
  | "CLIENT_ZXID_AHEAD"
  | "CLIENT_CNX_LIMIT"
  | "CONNECTION_EXPIRED"
  | "CONNECTION_CLOSE_FORCED"
  | "FAILED_HANDSHAKE"
  | "IO_EXCEPTION"
  | "IO_EXCEPTION_IN_SESSION_INIT"
  | "SERVER_SHUTDOWN"
  | "SESSION_EXPIRED"
  | "UNABLE_TO_READ_FROM_CLIENT"
  | "AUTH_PROVIDER_NOT_FOUND"
  | "FOUR_LETTER_WORD";

/** What a connection hands its frames to (ZooKeeperServer, via the factory). */
export interface ServerCnxnHandler {
  readonly maxBuffer: number;
  isRunning(): boolean;
  processConnectRequest(cnxn: ServerCnxn, req: proto.ConnectRequest, readOnlyFlag: boolean | null): void;
  processPacket(cnxn: ServerCnxn, hdr: proto.RequestHeader, body: Buffer): void;
  /** Whether this many outstanding requests should pause reading (global throttle). */
  shouldThrottle(outstanding: number): boolean;
  /** Runs a four-letter word and returns its output (or null if the word is unknown). */
  fourLetterWord(cnxn: ServerCnxn, word: string): Promise<string | null> | string | null;
  isFourLetterWord(word: string): boolean;
  connectionClosed(cnxn: ServerCnxn, reason: DisconnectReason): void;
  /** Whether these ids may READ a node with this ACL (for watch delivery). */
  mayRead(acl: ACL[], authInfo: readonly Id[], path: string): boolean;
  now(): number;
  /** Statistics (ServerCnxn.packetReceived/packetSent in Java): a frame of `bytes` was read. */
  packetReceived?(bytes: number): void;
  packetSent?(): void;
  /** A reply or notification of `size` bytes (without the length prefix) was queued. */
  responseSent?(size: number, notification: boolean): void;
}

/** The four bytes of a frame's length field read as ASCII: "ruok" arrives as 0x72756f6b. */
function fourLetters(lengthField: number): string {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(lengthField);
  return b.toString("latin1");
}

/** The jute-generated Id.hashCode. */
function idHashCode(id: Id): number {
  return (Math.imul(37, (Math.imul(37, 17) + javaStringHashCode(id.scheme)) | 0) + javaStringHashCode(id.id)) | 0;
}

/** ServerCnxn.me: the owner of requests that arrive directly from clients. */
export const CNXN_OWNER = Object.freeze({ name: "ServerCnxn.me" });

let nextCnxnId = 1;

export class ServerCnxn implements Watcher {
  readonly id = nextCnxnId++;
  sessionId = 0n;
  sessionTimeout = 0;
  /** Authenticated ids in the order they were added; see `authInfo` for Java's order. */
  private readonly ids: Id[];
  private orderedIds: readonly Id[] | null = null;
  /** Set by the ConnectRequest: false when an old client omitted the readOnly flag. */
  isOldClient = true;
  initialized = false;
  private closed = false;
  private recvEnabled = true;
  private throttled = false;
  private outstanding = 0;
  /** Bytes received and not yet taken as a frame. */
  private readonly input = new ByteQueue();
  /** A four-letter word waiting for its argument (stmk's 8 bytes). */
  private argWaiter: { n: number; resolve: (b: Buffer | null) => void } | null = null;
  /**
   * Frames written during this turn of the event loop, back to back. A batch of replies
   * (Final answers a whole group commit at once) leaves in one socket.write, not one each.
   */
  private readonly out = new BinaryOutputArchive(4096);
  private flushScheduled = false;

  // Statistics reported by cons, stat and the admin server.
  readonly established = Date.now();
  /** When bytes last arrived, on the handler's clock; kept only until a session exists. */
  lastRead: number;
  packetsReceived = 0;
  packetsSent = 0;
  lastCxid = -1;
  lastZxid = -1n;
  lastOp = "NA";
  lastResponseTime = 0;
  lastLatency = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  count = 0;
  totalLatency = 0;

  constructor(
    readonly socket: Socket,
    private readonly handler: ServerCnxnHandler,
  ) {
    this.ids = [{ scheme: "ip", id: this.remoteAddress }];
    this.lastRead = handler.now();
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => {
      LOG.debug(`Connection error from ${this.remoteSocketAddress}: ${err.message}`);
    });
    socket.on("close", () => this.close("CLIENT_CLOSED_CONNECTION"));
  }

  /** The peer's address as Java prints an InetAddress: IPv4-mapped IPv6 shown as IPv4. */
  get remoteAddress(): string {
    const a = this.socket.remoteAddress ?? "";
    return a.startsWith("::ffff:") ? a.substring(7) : a;
  }

  /** As Java prints an InetSocketAddress: "/127.0.0.1:54321". */
  get remoteSocketAddress(): string {
    return `/${this.remoteAddress}:${this.socket.remotePort ?? 0}`;
  }

  /** The selector interest Java reports in `cons`: 1 while reading, 0 while paused. */
  get interestOps(): number {
    return this.recvEnabled && !this.throttled ? 1 : 0;
  }

  get outstandingRequests(): number {
    return this.outstanding;
  }

  addAuthInfo(id: Id): void {
    if (this.ids.some((a) => a.scheme === id.scheme && a.id === id.id)) return;
    this.ids.push(id);
    this.orderedIds = null;
  }

  /**
   * The connection's ids as Java lists them: its authInfo is a ConcurrentHashMap-backed
   * set, so whoAmI answers in that set's iteration order.
   */
  get authInfo(): readonly Id[] {
    // Every request carries this list: compute the order once per change, not per request.
    this.orderedIds ??= Object.freeze(javaHashOrder(this.ids, idHashCode, { concurrent: true }));
    return this.orderedIds;
  }

  isStale(): boolean {
    return this.closed;
  }

  // #region read-frames
  private onData(chunk: Buffer): void {
    // Java's touchCnxn: a connection without a session expires this long after its last read.
    if (this.sessionId === 0n) this.lastRead = this.handler.now();
    this.input.push(chunk);
    if (this.argWaiter !== null) {
      if (this.input.length >= this.argWaiter.n) this.argWaiter.resolve(this.input.take(this.argWaiter.n));
      return;
    }
    this.readFrames();
  }

  // #region frame-loop
  private readFrames(): void {
    while (!this.closed && this.recvEnabled && !this.throttled && this.input.length >= 4) {
      const len = this.input.peekInt();
      if (!this.initialized) {
        const word = fourLetters(len);
        if (this.handler.isFourLetterWord(word)) {
          this.input.take(4);
          this.packetsReceived++;
          this.handler.packetReceived?.(4);
          this.runFourLetterWord(word);
          return;
        }
      }
      if (len < 0 || len > this.handler.maxBuffer) {
        LOG.warn(
          `Closing connection: Len error. A message from ${this.remoteSocketAddress} with advertised length of ${len} is either a malformed message or too large to process (length is greater than jute.maxbuffer=${this.handler.maxBuffer})`,
        );
        this.close("IO_EXCEPTION");
        return;
      }
      if (this.input.length < 4 + len) return;
      if (!this.handler.isRunning()) {
        LOG.warn("Closing connection: ZooKeeperServer not running");
        this.close("IO_EXCEPTION");
        return;
      }
      this.input.take(4);
      const frame = this.input.take(len);
      this.packetsReceived++;
      this.handler.packetReceived?.(4 + len);
      try {
        if (!this.initialized) this.readConnectRequest(frame);
        else this.readRequest(frame);
      } catch (e) {
        // A frame that does not decode closes this connection, and so does anything
        // unexpected while handing it over (Java's NIO worker does the same): one bad
        // client must never take the server down.
        if (e instanceof JuteError) {
          LOG.warn(`Closing connection from ${this.remoteSocketAddress}, session ${hex(this.sessionId)}: malformed frame: ${e.message}`);
        } else {
          LOG.error(`Closing connection from ${this.remoteSocketAddress}, session ${hex(this.sessionId)}: unexpected exception`, e);
        }
        this.close("IO_EXCEPTION");
        return;
      }
    }
  }
  // #endregion frame-loop
  // #endregion read-frames

  // #region connect-request
  private readConnectRequest(frame: Buffer): void {
    const ia = new BinaryInputArchive(frame, { maxBuffer: this.handler.maxBuffer });
    const req = proto.ConnectRequest.read(ia);
    // 3.x clients append a readOnly flag; a 2.x-era client does not.
    const readOnly = ia.remaining >= 1 ? ia.readBool() : null;
    this.isOldClient = readOnly === null;
    this.initialized = true;
    trace.message("client", "ServerCnxn", "ConnectRequest", { protocolVersion: req.protocolVersion, lastZxid: req.lastZxidSeen, timeOut: req.timeOut, sessionId: req.sessionId, readOnly });
    this.handler.processConnectRequest(this, req, readOnly);
  }
  // #endregion connect-request

  private readRequest(frame: Buffer): void {
    const ia = new BinaryInputArchive(frame, { maxBuffer: this.handler.maxBuffer });
    const hdr = proto.RequestHeader.read(ia);
    if (hdr.xid > 0) {
      this.outstanding++;
      if (this.handler.shouldThrottle(this.outstanding)) this.disableRecv(true);
    }
    this.handler.processPacket(this, hdr, frame.subarray(ia.offset));
  }

  /** Stops reading frames (pending bytes stay buffered, in order). */
  disableRecv(throttle = false): void {
    if (throttle) this.throttled = true;
    else this.recvEnabled = false;
    this.socket.pause();
  }

  enableRecv(): void {
    this.recvEnabled = true;
    this.throttled = false;
    if (this.closed) return;
    this.socket.resume();
    if (this.input.length > 0) setImmediate(() => this.readFrames());
  }

  /**
   * The `n` bytes after a four-letter word (only `stmk` has any). Java reads them with
   * one more non-blocking read; we wait for them, for a few seconds at most, and give
   * null if they do not come or the connection closes.
   */
  readFourLetterWordArgument(n: number, timeoutMs = 5000): Promise<Buffer | null> {
    if (this.input.length >= n) return Promise.resolve(this.input.take(n));
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(null), timeoutMs);
      const done = (b: Buffer | null) => {
        clearTimeout(timer);
        this.argWaiter = null;
        this.socket.off("close", onClose);
        resolve(b);
      };
      const onClose = () => done(null);
      this.socket.once("close", onClose);
      this.argWaiter = { n, resolve: done };
      this.socket.resume();
    });
  }

  private async runFourLetterWord(word: string): Promise<void> {
    this.disableRecv();
    try {
      const out = await this.handler.fourLetterWord(this, word);
      if (out !== null && !this.socket.destroyed) {
        this.socket.write(out);
        this.packetsSent++; // Java counts the answer as a packet sent (sendBufferSync)
        this.handler.packetSent?.();
      }
    } finally {
      this.socket.end();
      this.close("FOUR_LETTER_WORD");
    }
  }

  // ---------------------------------------------------------------- output

  /** Starts a frame in the output: a length to patch in `endFrame`. Returns where it starts. */
  private beginFrame(): number {
    const start = this.out.length;
    this.out.writeInt(-1);
    return start;
  }

  /** Finishes a frame begun at `start`; the output goes to the socket at the end of this turn. */
  private endFrame(start: number): number {
    const size = this.out.length - start - 4;
    this.out.patchInt(start, size);
    this.packetsSent++;
    this.handler.packetSent?.();
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
    return size;
  }

  /** Hands the frames written so far to the socket. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.out.length === 0) return;
    if (!this.closed && !this.socket.destroyed) this.socket.write(this.out.toBuffer());
    // Keep the memory for the next turn, unless a large reply inflated it.
    this.out.reset(64 * 1024);
  }

  // #region send-response
  /** Sends `ReplyHeader` plus the response record (none when the reply is an error). */
  sendResponse(h: proto.ReplyHeader, rsp: Response): void {
    if (this.closed) return;
    const oa = this.out;
    const start = this.beginFrame();
    proto.ReplyHeader.write(oa, h);
    if (rsp !== null) {
      if ("multi" in rsp) writeMultiResponse(oa, rsp.multi);
      else rsp.codec.write(oa, rsp.value);
    }
    const size = this.endFrame(start);
    this.handler.responseSent?.(size, h.xid === Xid.notification);
    if (h.xid > 0) {
      this.outstanding--;
      if (this.throttled && !this.handler.shouldThrottle(this.outstanding)) this.enableRecv();
    }
  }
  // #endregion send-response

  /** The connect handshake's answer, with the readOnly flag for clients that sent one. */
  sendConnectResponse(rsp: proto.ConnectResponse, readOnly: boolean): void {
    trace.message("ServerCnxn", "client", "ConnectResponse", { timeOut: rsp.timeOut, sessionId: rsp.sessionId, passwd: `${rsp.passwd?.length ?? 0} bytes` });
    if (this.closed) return;
    const start = this.beginFrame();
    proto.ConnectResponse.write(this.out, rsp);
    if (!this.isOldClient) this.out.writeBool(readOnly);
    this.endFrame(start);
  }

  /**
   * A watch fired: notification with xid -1 (and zxid -1, as 3.8 sends) — unless this
   * connection may not read the node (see WatchManager on CVE-2024-23944).
   */
  process(event: WatchedEvent, znodeAcl: ACL[] | null = null): void {
    if (znodeAcl !== null && !this.handler.mayRead(znodeAcl, this.authInfo, event.path)) {
      LOG.trace(`Not delivering event ${event.type} ${event.path} to ${hex(this.sessionId)} (filtered by ACL)`);
      return;
    }
    this.sendResponse({ xid: Xid.notification, zxid: -1n, err: 0 }, { codec: proto.WatcherEvent, value: { type: event.type, state: event.state, path: event.path } });
  }

  /** Closes the connection once what is already written has been sent. */
  sendCloseSession(): void {
    if (this.closed) return;
    this.flush();
    this.socket.end();
    this.close("CLIENT_CLOSED_SESSION");
  }

  // ---------------------------------------------------------------- stats

  updateStatsForResponse(cxid: number, zxid: bigint, op: string, start: number, end: number): void {
    if (cxid >= 0) this.lastCxid = cxid;
    this.lastZxid = zxid;
    this.lastOp = op;
    this.lastResponseTime = Date.now();
    const elapsed = Math.round(end - start);
    this.lastLatency = elapsed;
    if (elapsed < this.minLatency) this.minLatency = elapsed;
    if (elapsed > this.maxLatency) this.maxLatency = elapsed;
    this.count++;
    this.totalLatency += elapsed;
  }

  resetStats(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.lastCxid = -1;
    this.lastZxid = -1n;
    this.lastOp = "NA";
    this.lastLatency = 0;
    this.minLatency = Number.MAX_SAFE_INTEGER;
    this.maxLatency = 0;
    this.count = 0;
    this.totalLatency = 0;
  }

  get avgLatency(): number {
    return this.count === 0 ? 0 : Math.floor(this.totalLatency / this.count);
  }

  /** One line of `cons`, as ServerCnxn.dumpConnectionInfo prints it. */
  dumpConnectionInfo(brief: boolean): string {
    let s = ` ${this.remoteSocketAddress}[${this.interestOps}](queued=${this.outstanding},recved=${this.packetsReceived},sent=${this.packetsSent}`;
    if (!brief && this.sessionId !== 0n) {
      s += `,sid=${hex(BigInt.asUintN(64, this.sessionId))},lop=${this.lastOp},est=${this.established},to=${this.sessionTimeout}`;
      if (this.lastCxid >= 0) s += `,lcxid=${hex(this.lastCxid)}`;
      s += `,lzxid=${hex(BigInt.asUintN(64, this.lastZxid))},lresp=${this.lastResponseTime},llat=${this.lastLatency},minlat=${this.count === 0 ? 0 : this.minLatency},avglat=${this.avgLatency},maxlat=${this.maxLatency}`;
    }
    return s + ")";
  }

  // ---------------------------------------------------------------- close

  close(reason: DisconnectReason): void {
    if (this.closed) return;
    this.closed = true;
    if (reason !== "CLIENT_CLOSED_SESSION" && reason !== "FOUR_LETTER_WORD") this.socket.destroy();
    else this.socket.end();
    this.handler.connectionClosed(this, reason);
  }
}
