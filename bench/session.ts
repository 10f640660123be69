/**
 * One ZooKeeper session on one socket, spoken at the wire level, in three modes:
 *
 * - `call(frame)`: one request, await its reply (setup, probes);
 * - `bulk(next, window)`: keep `window` requests outstanding until `next()` runs dry
 *   (populating keys, loading a million znodes);
 * - `startLoad(plan, stats)` … `stopLoad()`: the measured loop. It keeps `plan.pipeline`
 *   requests outstanding, and per socket read it parses every whole reply, records their
 *   latencies, then refills the pipeline with one write carrying as many frames as
 *   replies arrived.
 *
 * Replies come back in request order (ZooKeeper answers a session's requests FIFO), so
 * a ring of send times indexed like the requests gives each reply its latency without a
 * map lookup by xid. Time is `performance.now()` once per socket read and once per
 * write: every reply in one read arrived together, every request in one write left
 * together.
 */
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { closeSessionFrame, connectFrame, writeDigits, XID_OFFSET, type FrameTemplate } from "./frames.js";
import type { Histogram } from "./histogram.js";
import type { SessionPlan } from "./workload.js";

/** Counters shared by all sessions of one process. */
export interface LoadStats {
  ops: number;
  errors: number;
  hist: Histogram;
}

export interface Reply {
  err: number;
  /** The response record (empty when err != 0). */
  body: Buffer;
}

const NOTIFICATION_XID = -1;
const SESSION_TIMEOUT_MS = 30_000;

type FrameHandler = (buf: Buffer, at: number, len: number) => void;

export class Session {
  private rest: Buffer | null = null;
  private onFrame: FrameHandler | null = null;
  private afterRead: (() => void) | null = null;
  private xid = 1;
  private closedError: Error | null = null;
  private readonly closeWaiters: Array<() => void> = [];
  /** A callback per request awaiting its reply (call and bulk modes). */
  private readonly waiters: Array<(r: Reply) => void> = [];

  // Load mode state.
  private plan: SessionPlan | null = null;
  private stats: LoadStats | null = null;
  private running = false;
  private outstanding = 0;
  private sentAt = new Float64Array(1);
  private head = 0;
  private tail = 0;
  private seq = 0;
  private rng = 1;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", (c: Buffer) => this.onData(c));
    socket.on("error", (e) => (this.closedError ??= e));
    socket.on("close", () => {
      this.closedError ??= new Error("connection closed by server");
      this.running = false;
      for (const w of this.waiters.splice(0)) w({ err: -4, body: Buffer.alloc(0) }); // CONNECTIONLOSS
      this.afterRead?.();
      for (const w of this.closeWaiters.splice(0)) w();
    });
  }

  /**
   * Opens a socket and does the connect handshake; rejects if the server refuses, closes
   * the connection (as a server still loading its database does) or does not answer
   * within `timeoutMs`.
   */
  static async open(host: string, port: number, timeoutMs = 30_000): Promise<Session> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port }, () => {
        s.off("error", reject);
        resolve(s);
      });
      s.once("error", reject);
    });
    const session = new Session(socket);
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    const hello = await session.exchange(connectFrame(SESSION_TIMEOUT_MS), false);
    clearTimeout(timer);
    // ConnectResponse: protocolVersion int, timeOut int, ... A timeOut of 0 is a refusal.
    if (hello.body.length < 8 || hello.body.readInt32BE(4) <= 0) {
      socket.destroy();
      throw new Error(`session refused by ${host}:${port}`);
    }
    return session;
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  private onData(chunk: Buffer): void {
    let buf = chunk;
    if (this.rest !== null) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    if (this.running || this.plan !== null) {
      this.onLoadData(buf);
      return;
    }
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readInt32BE(off);
      if (buf.length - off - 4 < len) break;
      this.onFrame?.(buf, off + 4, len);
      off += 4 + len;
    }
    if (off < buf.length) this.rest = buf.subarray(off);
    this.afterRead?.();
  }

  /** Sends one frame and resolves with the next reply; `headered` is false for connect. */
  private exchange(frame: Buffer, headered = true): Promise<Reply> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.onFrame = (buf, at, len) => {
        if (headered && buf.readInt32BE(at) === NOTIFICATION_XID) return;
        const body = headered ? buf.subarray(at + 16, at + len) : buf.subarray(at, at + len);
        const err = headered ? buf.readInt32BE(at + 12) : 0;
        this.waiters.shift()?.({ err, body });
      };
      if (this.closedError) this.waiters.shift()?.({ err: -4, body: Buffer.alloc(0) });
      else this.socket.write(frame);
    });
  }

  /** One request, one reply. The frame's xid is rewritten to this session's next xid. */
  call(frame: Uint8Array): Promise<Reply> {
    const f = Buffer.from(frame);
    f.writeInt32BE(this.xid++, XID_OFFSET);
    return this.exchange(f);
  }

  /**
   * Pipelines the frames `next()` yields (until it returns null) with `window` in flight.
   * Resolves with how many replies carried each error code (0 for success; -4, connection
   * loss, once if the socket closed early).
   */
  bulk(next: () => Uint8Array | null, window: number): Promise<Map<number, number>> {
    const errs = new Map<number, number>();
    const count = (err: number) => errs.set(err, (errs.get(err) ?? 0) + 1);
    return new Promise((resolve) => {
      let inFlight = 0;
      let drained = false;
      // Called after each socket read, so one write carries all the refills of that read.
      this.afterRead = () => {
        if (this.closedError) {
          count(-4);
          inFlight = 0;
          drained = true;
        }
        const out: Buffer[] = [];
        while (!drained && inFlight < window) {
          const f = next();
          if (f === null) drained = true;
          else {
            const b = Buffer.from(f);
            b.writeInt32BE(this.xid++ & 0x7fffffff, XID_OFFSET);
            out.push(b);
            inFlight++;
          }
        }
        if (out.length > 0) this.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
        if (drained && inFlight === 0) {
          this.afterRead = null;
          resolve(errs);
        }
      };
      this.onFrame = (buf, at) => {
        if (buf.readInt32BE(at) === NOTIFICATION_XID) return;
        count(buf.readInt32BE(at + 12));
        inFlight--;
      };
      this.afterRead();
    });
  }

  // #region load-loop
  /** Starts the measured loop: fills the pipeline and keeps it full until stopLoad(). */
  startLoad(plan: SessionPlan, stats: LoadStats): void {
    this.plan = plan;
    this.stats = stats;
    this.sentAt = new Float64Array(plan.pipeline);
    this.seq = plan.keyOffset;
    this.rng = plan.seed >>> 0 || 1;
    this.running = true;
    this.fill();
  }

  /** Stops sending; replies still in flight are read and dropped. */
  stopLoad(): void {
    this.running = false;
  }

  private onLoadData(buf: Buffer): void {
    const now = performance.now();
    const stats = this.stats!;
    const size = this.sentAt.length;
    let off = 0;
    const end = buf.length;
    while (end - off >= 4) {
      const len = buf.readInt32BE(off);
      if (end - off - 4 < len) break;
      if (buf.readInt32BE(off + 4) !== NOTIFICATION_XID) {
        if (this.running) {
          if (buf.readInt32BE(off + 16) !== 0) stats.errors++;
          stats.hist.record((now - this.sentAt[this.tail]!) * 1000);
          stats.ops++;
        }
        if (++this.tail === size) this.tail = 0;
        this.outstanding--;
      }
      off += 4 + len;
    }
    if (off < end) this.rest = buf.subarray(off);
    if (this.running) this.fill();
  }

  /** Picks the next template: a read with probability readRatio (xorshift32). */
  private pick(plan: SessionPlan): FrameTemplate {
    if (plan.read === null) return plan.write!;
    if (plan.write === null) return plan.read;
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng / 4294967296 < plan.readRatio ? plan.read : plan.write;
  }

  /** Tops the pipeline up with one write of pre-encoded frames. */
  private fill(): void {
    const plan = this.plan!;
    const n = plan.pipeline - this.outstanding;
    if (n <= 0 || this.closedError) return;
    const maxLen = Math.max(plan.read?.bytes.length ?? 0, plan.write?.bytes.length ?? 0);
    const out = Buffer.allocUnsafe(n * maxLen);
    let off = 0;
    for (let i = 0; i < n; i++) {
      const t = this.pick(plan);
      out.set(t.bytes, off);
      out.writeInt32BE(this.xid++ & 0x7fffffff, off + XID_OFFSET);
      writeDigits(out, off + t.digitsAt, t.width, this.seq++ % t.modulo);
      off += t.bytes.length;
    }
    const now = performance.now();
    const size = this.sentAt.length;
    for (let i = 0; i < n; i++) {
      this.sentAt[this.head] = now;
      if (++this.head === size) this.head = 0;
    }
    this.outstanding += n;
    this.socket.write(off === out.length ? out : out.subarray(0, off));
  }
  // #endregion load-loop

  /** closeSession, then wait (briefly) for the server to close the socket. */
  async close(timeoutMs = 2000): Promise<void> {
    this.running = false;
    this.plan = null;
    if (!this.closedError) {
      const closed = new Promise<void>((r) => this.closeWaiters.push(r));
      const f = closeSessionFrame();
      f.writeInt32BE(this.xid++ & 0x7fffffff, XID_OFFSET);
      this.socket.write(f);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    }
    this.socket.destroy();
  }
}
