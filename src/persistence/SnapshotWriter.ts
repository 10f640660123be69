/**
 * SnapshotWriter — the half of writing a snapshot that is not serializing: the running
 * Adler-32 over the bytes, the file writes (plain, through gzip, or cut into Snappy
 * blocks), the fsync and the rename, on a worker thread.
 *
 * No Java counterpart: Java's snapshot thread does all of this itself (a
 * CheckedOutputStream over a BufferedOutputStream, FileSnap.serialize). Chapter 02.
 *
 * Why a worker: our server applies txns and serializes snapshots on one thread, and on
 * a busy server with a large tree a snapshot is due every couple of seconds. Profiled
 * with 700,000 znodes under setData load, checksumming and writing the snapshot took
 * 16 % of the main thread, next to the 19 % the serializer itself takes. Both are work
 * Java does on a thread of its own; the checksum and the writes need nothing from the
 * tree, so they can go to the other core. The main thread copies each flushed megabyte
 * into a fresh buffer and transfers it (no second copy); at a seal it asks for the
 * checksum so far and writes it into the stream.
 *
 * One worker serves every snapshot of the process (tests run many servers in one);
 * each open output has an id. The worker keeps the process alive only while an output
 * is open. At most `MAX_CHUNKS_IN_FLIGHT` chunks wait in the worker per output, so a
 * slow disk slows the serializer down instead of filling memory.
 */
import { Worker } from "node:worker_threads";
import { adler32 } from "./Adler32.js";
import type { StreamMode } from "./SnapStream.js";
import { compressSnappyBlock, SNAPPY_BLOCK_BYTES, snappyStreamHeader } from "./SnappyOutputStream.js";

const MAX_CHUNKS_IN_FLIGHT = 8;

type Request =
  | { t: "open"; id: number; path: string; mode: StreamMode }
  | { t: "chunk"; id: number; bytes: ArrayBuffer }
  | { t: "checksum"; id: number }
  | { t: "finish"; id: number; finalPath: string; fsync: boolean }
  | { t: "abort"; id: number };

type Reply = { t: "ack"; id: number } | { t: "result"; id: number; value: number } | { t: "error"; id: number; message: string };

// #region worker-program
/** What the worker needs to write Snappy (SnappyOutputStream.ts), passed in as source. */
interface SnappyCodec {
  header: () => Uint8Array;
  block: (src: Uint8Array) => Uint8Array;
  blockBytes: number;
}

/**
 * The worker's program. It runs from source (`eval`), so it may use only its
 * parameters: `checksum` is adler32 itself and `snappy` the Snappy encoder (their
 * source is passed in, so the worker and the rest share one implementation), and
 * `load` is the worker's `require`.
 */
function workerProgram(checksum: (b: Uint8Array, start?: number) => number, snappy: SnappyCodec, load: (m: string) => any): void {
  const { parentPort } = load("node:worker_threads");
  const fs = load("node:fs");
  const zlib = load("node:zlib");
  const path = load("node:path");
  interface Output {
    fd: number;
    path: string;
    position: number;
    sum: number;
    gzip: any;
    /** Snappy only: input waiting to fill a block (at most snappy.blockBytes). */
    snappy: { block: Uint8Array; used: number } | null;
    failure: string | null;
    /** Every step of this output runs after the previous one. */
    queue: Promise<void>;
  }
  const outputs = new Map<number, Output>();
  const writeAll = (o: Output, bytes: Uint8Array): void => {
    for (let done = 0; done < bytes.length; ) {
      const n = fs.writeSync(o.fd, bytes, done, bytes.length - done, o.position);
      done += n;
      o.position += n;
    }
  };
  /** Cuts `bytes` into Snappy blocks as xerial does, keeping a partial block for later. */
  const writeSnappy = (o: Output, bytes: Uint8Array): void => {
    const s = o.snappy!;
    for (let done = 0; done < bytes.length; ) {
      const n = Math.min(bytes.length - done, s.block.length - s.used);
      s.block.set(bytes.subarray(done, done + n), s.used);
      s.used += n;
      done += n;
      if (s.used === s.block.length) {
        writeAll(o, snappy.block(s.block));
        s.used = 0;
      }
    }
  };
  const endGzip = (o: Output): Promise<void> =>
    new Promise((resolve, reject) => {
      o.gzip.once("error", reject);
      o.gzip.once("end", resolve);
      o.gzip.end();
      o.gzip.resume(); // flowing: "data" handler below writes what is left
    });
  const step = async (m: Request): Promise<Reply | null> => {
    const o = outputs.get(m.id);
    switch (m.t) {
      case "open": {
        const out: Output = { fd: fs.openSync(m.path, "w"), path: m.path, position: 0, sum: 1, gzip: null, snappy: null, failure: null, queue: Promise.resolve() };
        if (m.mode === "gz") {
          out.gzip = zlib.createGzip();
          out.gzip.on("data", (c: Uint8Array) => writeAll(out, c));
        } else if (m.mode === "snappy") {
          out.snappy = { block: new Uint8Array(snappy.blockBytes), used: 0 };
          writeAll(out, snappy.header());
        }
        outputs.set(m.id, out);
        return null;
      }
      case "chunk": {
        const bytes = new Uint8Array(m.bytes);
        o!.sum = checksum(bytes, o!.sum);
        if (o!.snappy !== null) writeSnappy(o!, bytes);
        else if (o!.gzip === null) writeAll(o!, bytes);
        else if (!o!.gzip.write(bytes)) await new Promise((r) => o!.gzip.once("drain", r));
        return { t: "ack", id: m.id };
      }
      case "checksum":
        return { t: "result", id: m.id, value: o!.sum };
      case "finish": {
        if (o!.gzip !== null) await endGzip(o!);
        if (o!.snappy !== null && o!.snappy.used > 0) writeAll(o!, snappy.block(o!.snappy.block.subarray(0, o!.snappy.used)));
        if (m.fsync) fs.fsyncSync(o!.fd);
        fs.closeSync(o!.fd);
        outputs.delete(m.id);
        fs.renameSync(o!.path, m.finalPath);
        if (m.fsync) {
          const dir = fs.openSync(path.dirname(m.finalPath), "r");
          try {
            fs.fsyncSync(dir);
          } finally {
            fs.closeSync(dir);
          }
        }
        return { t: "result", id: m.id, value: 0 };
      }
      case "abort":
        if (o !== undefined) {
          outputs.delete(m.id);
          o.gzip?.destroy();
          fs.closeSync(o.fd);
        }
        return { t: "result", id: m.id, value: 0 };
    }
  };
  parentPort.on("message", (m: Request) => {
    const o = outputs.get(m.id);
    const run = async (): Promise<void> => {
      if (o?.failure && m.t !== "abort") {
        parentPort.postMessage({ t: "error", id: m.id, message: o.failure });
        return;
      }
      try {
        const reply = await step(m);
        if (reply !== null) parentPort.postMessage(reply);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (o !== undefined) o.failure = message;
        parentPort.postMessage({ t: "error", id: m.id, message });
      }
    };
    if (o === undefined) void run();
    else o.queue = o.queue.then(run);
  });
}
// #endregion worker-program

/** A pending reply: acks count down, results resolve the oldest waiter. */
interface Channel {
  unacked: number;
  ackWaiters: (() => void)[];
  results: { resolve: (v: number) => void; reject: (e: Error) => void }[];
  failure: Error | null;
}

let worker: Worker | null = null;
let nextId = 1;
const channels = new Map<number, Channel>();

function getWorker(): Worker {
  if (worker !== null) return worker;
  // esbuild may wrap named functions in __name(); the worker has no such helper.
  const snappy = `{ header: ${snappyStreamHeader.toString()}, block: ${compressSnappyBlock.toString()}, blockBytes: ${SNAPPY_BLOCK_BYTES} }`;
  const source = `var __name = (f) => f;\n(${workerProgram.toString()})(${adler32.toString()}, ${snappy}, require);`;
  const w = new Worker(source, { eval: true });
  w.on("message", (m: Reply) => {
    const ch = channels.get(m.id);
    if (ch === undefined) return;
    if (m.t === "ack") {
      ch.unacked--;
      ch.ackWaiters.shift()?.();
    } else if (m.t === "result") {
      ch.results.shift()?.resolve(m.value);
    } else {
      ch.failure = new Error(`snapshot writer: ${m.message}`);
      ch.results.shift()?.reject(ch.failure);
      for (const wake of ch.ackWaiters.splice(0)) wake();
    }
  });
  w.on("error", (e) => {
    for (const ch of channels.values()) {
      ch.failure = e;
      for (const r of ch.results.splice(0)) r.reject(e);
      for (const wake of ch.ackWaiters.splice(0)) wake();
    }
    worker = null;
  });
  w.unref();
  worker = w;
  return w;
}

/** One snapshot file being written by the worker. */
export class SnapshotWriter {
  private readonly id = nextId++;
  private readonly channel: Channel = { unacked: 0, ackWaiters: [], results: [], failure: null };
  private closed = false;

  private constructor(private readonly w: Worker) {}

  /** Creates `path` (truncating it) for a snapshot: plain, gzip or Snappy. */
  static open(path: string, mode: StreamMode): SnapshotWriter {
    const w = getWorker();
    const writer = new SnapshotWriter(w);
    channels.set(writer.id, writer.channel);
    // While any snapshot is open the worker keeps the process alive.
    if (channels.size === 1) w.ref();
    w.postMessage({ t: "open", id: writer.id, path, mode } satisfies Request);
    return writer;
  }

  /** Hands `bytes` over (copied once, then transferred); waits if the worker is behind. */
  async write(bytes: Uint8Array): Promise<void> {
    this.check();
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    this.channel.unacked++;
    this.w.postMessage({ t: "chunk", id: this.id, bytes: copy } satisfies Request, [copy]);
    while (this.channel.unacked > MAX_CHUNKS_IN_FLIGHT && this.channel.failure === null) {
      await new Promise<void>((r) => this.channel.ackWaiters.push(r));
    }
    this.check();
  }

  /** The Adler-32 of every byte written so far. */
  checksum(): Promise<number> {
    return this.request({ t: "checksum", id: this.id });
  }

  /** Writes what is left, fsyncs if asked, closes, and renames the file to `finalPath`. */
  async finish(finalPath: string, fsync: boolean): Promise<void> {
    try {
      await this.request({ t: "finish", id: this.id, finalPath, fsync });
    } finally {
      this.release();
    }
  }

  /** Closes the file without renaming it (the caller removes it). */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.channel.failure = null; // an abort is answered even after a failure
    try {
      await this.request({ t: "abort", id: this.id });
    } catch {
      // the worker is gone: nothing is open any more
    } finally {
      this.release();
    }
  }

  private request(m: Request): Promise<number> {
    this.check();
    return new Promise((resolve, reject) => {
      this.channel.results.push({ resolve, reject });
      this.w.postMessage(m);
    });
  }

  private check(): void {
    if (this.channel.failure !== null) throw this.channel.failure;
    if (this.closed) throw new Error("snapshot writer is closed");
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    channels.delete(this.id);
    if (channels.size === 0) this.w.unref();
  }
}
