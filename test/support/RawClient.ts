/**
 * RawClient — a wire-level ZooKeeper client for tests: one request at a time, every
 * frame logged in arrival order (replies and watch notifications interleaved), no
 * retries, no client-side checks. Differential and fuzz tests need exactly what the
 * server sent, so this deliberately does less than src/client.
 */
import { connect, type Socket } from "node:net";
import { BinaryInputArchive } from "../../src/jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../../src/jute/BinaryOutputArchive.js";
import * as proto from "../../src/jute/proto.js";
import type { RecordCodec } from "../../src/jute/Record.js";
import { OpCode, Xid } from "../../src/jute/ZooDefs.js";
import { closedWithin } from "./net.js";

export type Frame =
  | { kind: "reply"; xid: number; zxid: bigint; err: number; body: Buffer }
  | { kind: "event"; type: number; state: number; path: string };

export interface RawSession {
  sessionId: bigint;
  passwd: Buffer;
  timeOut: number;
}

export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  private waiters: Array<(f: Buffer) => void> = [];
  private frames: Buffer[] = [];
  private xid = 1;
  private closed = false;
  /** Every notification received, in order. */
  readonly events: Array<{ type: number; state: number; path: string }> = [];
  session: RawSession | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (c: Buffer) => this.onData(c));
    socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(Buffer.alloc(0));
    });
    socket.on("error", () => {});
  }

  static open(port: number, host = "127.0.0.1"): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => {
        s.off("error", reject);
        s.setNoDelay(true);
        resolve(new RawClient(s));
      });
      s.once("error", reject);
    });
  }

  /** Opens a socket and does the connect handshake (new session, or re-attach one). */
  static async connect(port: number, opts: { timeOut?: number; session?: RawSession; lastZxidSeen?: bigint } = {}): Promise<RawClient> {
    const c = await RawClient.open(port);
    await c.handshake(opts);
    return c;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onData(c: Buffer): void {
    this.buf = this.buf.length === 0 ? c : Buffer.concat([this.buf, c]);
    while (this.buf.length >= 4) {
      const len = this.buf.readInt32BE(0);
      if (this.buf.length < 4 + len) break;
      const frame = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      const w = this.waiters.shift();
      if (w) w(frame);
      else this.frames.push(frame);
    }
  }

  private nextFrame(timeoutMs = 10_000): Promise<Buffer> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    if (this.closed) return Promise.resolve(Buffer.alloc(0));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no frame from server")), timeoutMs);
      this.waiters.push((b) => {
        clearTimeout(t);
        resolve(b);
      });
    });
  }

  writeFrame(body: Buffer): void {
    const len = Buffer.alloc(4);
    len.writeInt32BE(body.length);
    this.socket.write(Buffer.concat([len, body]));
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async handshake(opts: { timeOut?: number; session?: RawSession; lastZxidSeen?: bigint } = {}): Promise<proto.ConnectResponse> {
    const oa = new BinaryOutputArchive();
    proto.ConnectRequest.write(oa, {
      protocolVersion: 0,
      lastZxidSeen: opts.lastZxidSeen ?? 0n,
      timeOut: opts.timeOut ?? 30000,
      sessionId: opts.session?.sessionId ?? 0n,
      passwd: opts.session?.passwd ?? Buffer.alloc(16),
    });
    oa.writeBool(false);
    this.writeFrame(oa.toBuffer());
    const frame = await this.nextFrame();
    if (frame.length === 0) throw new Error("connection closed during handshake");
    const ia = new BinaryInputArchive(frame);
    const rsp = proto.ConnectResponse.read(ia);
    this.session = { sessionId: rsp.sessionId, passwd: rsp.passwd ?? Buffer.alloc(16), timeOut: rsp.timeOut };
    return rsp;
  }

  /**
   * Sends one request and waits for its reply; notifications that arrive first are
   * appended to `events`. Resolves with the reply header and the response bytes.
   */
  async request<T>(type: number, codec: RecordCodec<T> | null, value: T | null, xid?: number): Promise<{ xid: number; zxid: bigint; err: number; body: Buffer }> {
    const oa = new BinaryOutputArchive();
    const myXid = xid ?? this.xid++;
    proto.RequestHeader.write(oa, { xid: myXid, type });
    if (codec !== null && value !== null) codec.write(oa, value);
    return this.requestBytes(myXid, oa.toBuffer());
  }

  /** Sends a request whose body is already encoded (header included). */
  async requestBytes(xid: number, frame: Buffer): Promise<{ xid: number; zxid: bigint; err: number; body: Buffer }> {
    this.writeFrame(frame);
    for (;;) {
      const f = await this.nextFrame();
      if (f.length === 0) return { xid, zxid: -1n, err: -4, body: Buffer.alloc(0) }; // connection loss
      const ia = new BinaryInputArchive(f);
      const h = proto.ReplyHeader.read(ia);
      if (h.xid === Xid.notification) {
        const ev = proto.WatcherEvent.read(ia);
        this.events.push(ev);
        continue;
      }
      if (h.xid !== xid) throw new Error(`reply for xid ${h.xid} while waiting for ${xid}`);
      return { xid: h.xid, zxid: h.zxid, err: h.err, body: f.subarray(ia.offset) };
    }
  }

  /** A ping round trip: afterwards every notification sent before it has arrived. */
  async ping(): Promise<void> {
    await this.request(OpCode.ping, null, null, Xid.ping);
  }

  async auth(scheme: string, auth: string): Promise<number> {
    const r = await this.request(OpCode.auth, proto.AuthPacket, { type: 0, scheme, auth: Buffer.from(auth) }, Xid.auth);
    return r.err;
  }

  /** Sends closeSession and waits for the reply and the server closing the socket. */
  async closeSession(): Promise<number> {
    const r = await this.request(OpCode.closeSession, null, null);
    await this.waitClosed(5000);
    return r.err;
  }

  waitClosed(timeoutMs = 5000): Promise<boolean> {
    return closedWithin(this.socket, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
