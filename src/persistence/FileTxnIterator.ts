/**
 * FileTxnIterator — reads txn log files: one file entry by entry (TxnLogFileReader),
 * and a directory of them in zxid order (FileTxnIterator).
 *
 * Reimplements `FileTxnLog.FileTxnIterator` and `FileTxnLog.PositionInputStream` (3.8).
 * Chapter 02 (format) and chapter 04 (the replay in fastForwardFromEdits reads through
 * this, [001 L2771–2867]). The byte grammar of a file is in FileTxnLog.ts, of an entry
 * in Util.ts.
 *
 * Where a file stops holding entries, the reader says why and where, instead of
 * throwing: zero padding (the normal end), the end of the file inside an entry, a
 * length that cannot be, a missing end-of-record byte, a checksum that does not match.
 * All of these are a torn tail — a write that a crash cut short — with one exception:
 * an entry whose frame is whole but whose checksum is wrong, followed by a good entry,
 * is corruption in the middle of the log, and that is an error ("CRC check failed",
 * as in Java), because the good entries after it must not be silently dropped.
 *
 * Differs from Java: Java throws "CRC check failed" for a bad checksum anywhere, even in
 * the last entry a crash left half written, so a torn tail can keep it from starting;
 * here only corruption followed by good data is an error. Java also fails on a log file
 * too short to hold its header; here such a file has no entries (FileTxnLog's recovery
 * removes it). Reads are async, in chunks, so a leader reading a log for a DIFF does
 * not stall the event loop.
 */
import type { FileHandle } from "node:fs/promises";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { JuteError } from "../jute/BinaryInputArchive.js";
import { FileHeader, type TxnDigest, type TxnHeader } from "../jute/txn.js";
import { getLogger } from "../util/Logger.js";
import type { TxnIterator } from "./TxnLog.js";
import { deserializeTxn, type TxnBody, type TxnLogEntry } from "./TxnLogEntry.js";
import { DEFAULT_MAX_TXN_BYTES, getZxidFromName, LOG_FILE_PREFIX, readTxnFrame, type TxnFrame } from "./Util.js";

const LOG = getLogger("FileTxnLog");

/** "ZKLG" as a big-endian int. */
export const TXNLOG_MAGIC = 0x5a4b4c47;
export const TXNLOG_VERSION = 2;
/** magic int, version int, dbid long. */
export const FILE_HEADER_BYTES = 16;
const READ_CHUNK_BYTES = 256 * 1024;

/** A log or snapshot that cannot be read, with the file and offset that say where. */
export class CorruptFileError extends Error {
  override name = "CorruptFileError";
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`${file} at offset ${offset}: ${reason}`);
  }
}

/** One step of reading a log file. */
export type LogStep =
  | { kind: "entry"; entry: TxnLogEntry; offset: number; end: number }
  /** No entry starts at `offset`; `reason` says what is there instead. */
  | { kind: "stop"; offset: number; reason: string };

// #region log-file-reader
/** Reads one log file from its header to where its entries stop. */
export class TxnLogFileReader {
  /** Absolute file offset of window[0]. */
  private windowStart = 0;
  private window: Buffer = Buffer.alloc(0);
  /** Offset of the next frame. */
  private pos = FILE_HEADER_BYTES;
  private stopped: LogStep | null = null;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly size: number,
    /** Null when the file is too short or zero where its header should be. */
    readonly header: FileHeader | null,
    private readonly maxTxnBytes: number,
  ) {}

  /** Opens a log file and checks its header; a wrong magic number is an error. */
  static async open(path: string, maxTxnBytes = DEFAULT_MAX_TXN_BYTES): Promise<TxnLogFileReader> {
    const fh = await open(path, "r");
    try {
      const size = (await fh.stat()).size;
      const head = Buffer.alloc(FILE_HEADER_BYTES);
      const { bytesRead } = await fh.read(head, 0, FILE_HEADER_BYTES, 0);
      let header: FileHeader | null = null;
      if (bytesRead === FILE_HEADER_BYTES && !head.equals(Buffer.alloc(FILE_HEADER_BYTES))) {
        header = FileHeader.decode(head);
        if (header.magic !== TXNLOG_MAGIC) {
          throw new CorruptFileError(path, 0, `Transaction log has invalid magic number ${header.magic} != ${TXNLOG_MAGIC}`);
        }
      }
      return new TxnLogFileReader(path, fh, size, header, maxTxnBytes);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Makes [at, at+n) readable from the window; false if the file ends first. */
  private async ensure(at: number, n: number): Promise<boolean> {
    const windowEnd = this.windowStart + this.window.length;
    if (at >= this.windowStart && at + n <= windowEnd) return true;
    if (at + n > this.size) return false;
    const length = Math.min(Math.max(at + n - this.pos, READ_CHUNK_BYTES), this.size - this.pos);
    const buf = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.fh.read(buf, filled, length - filled, this.pos + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.window = buf.subarray(0, filled);
    this.windowStart = this.pos;
    return at + n <= this.pos + filled;
  }

  /** The frame at `at`, reading as much of the file as it takes to decide. */
  private async frameAt(at: number): Promise<TxnFrame> {
    for (;;) {
      const base = this.windowStart;
      const frame = readTxnFrame(this.window, at - base, this.maxTxnBytes);
      // readTxnFrame works in window offsets; callers want file offsets.
      if (frame.kind === "entry") return { ...frame, end: frame.end + base };
      if (frame.kind === "bad") return { ...frame, end: frame.end === null ? null : frame.end + base };
      if (frame.kind === "padding" || !(await this.ensure(at, frame.need))) return frame;
    }
  }

  /** The next entry, or where and why the entries stop (then always the same stop). */
  async next(): Promise<LogStep> {
    if (this.stopped !== null) return this.stopped;
    if (this.header === null) return this.stop(0, "no file header (empty or zero-filled file)");
    const at = this.pos;
    if (!(await this.ensure(at, 1))) return this.stop(at, "end of file");
    const frame = await this.frameAt(at);
    switch (frame.kind) {
      case "entry": {
        let entry: TxnLogEntry;
        try {
          entry = deserializeTxn(frame.txnBytes);
        } catch (e) {
          if (!(e instanceof JuteError)) throw e;
          throw new CorruptFileError(this.path, at, `unreadable txn with a valid checksum: ${e.message}`);
        }
        this.pos = frame.end;
        return { kind: "entry", entry, offset: at, end: frame.end };
      }
      case "padding":
        return this.stop(at, "zero padding");
      case "short":
        return this.stop(at, `file ends inside an entry (${this.size - at} of ${frame.need} bytes)`);
      case "bad":
        // A whole frame with a bad checksum: if a good entry follows, this is not a
        // torn tail but damage in the middle of the log.
        if (frame.end !== null && (await this.frameAt(frame.end)).kind === "entry") {
          throw new CorruptFileError(this.path, at, frame.reason);
        }
        return this.stop(at, frame.reason);
    }
  }

  private stop(offset: number, reason: string): LogStep {
    this.stopped = { kind: "stop", offset, reason };
    return this.stopped;
  }

  /** True if every byte from `from` to the end of the file is zero. */
  async isZeroFrom(from: number): Promise<boolean> {
    const chunk = Buffer.allocUnsafe(1 << 20);
    const zeros = Buffer.alloc(chunk.length);
    for (let at = from; at < this.size; ) {
      const { bytesRead } = await this.fh.read(chunk, 0, Math.min(chunk.length, this.size - at), at);
      if (bytesRead === 0) break;
      if (!chunk.subarray(0, bytesRead).equals(zeros.subarray(0, bytesRead))) return false;
      at += bytesRead;
    }
    return true;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
// #endregion log-file-reader

// #region get-log-files
/**
 * The log files a reader of txns from `zxid` on needs: the newest one that starts at
 * or before `zxid` (it may hold `zxid`), and every later one. Ascending. Java's
 * FileTxnLog.getLogFiles.
 */
export function getLogFiles(names: readonly string[], zxid: bigint): string[] {
  const logs = names
    .map((name) => ({ name, z: getZxidFromName(name, LOG_FILE_PREFIX) }))
    .filter((f) => f.z >= 0n)
    .sort((a, b) => (a.z < b.z ? -1 : a.z > b.z ? 1 : 0));
  let start = 0n;
  for (const f of logs) {
    if (f.z > zxid) break;
    if (f.z > start) start = f.z;
  }
  return logs.filter((f) => f.z >= start).map((f) => f.name);
}
// #endregion get-log-files

/** Iterates txns from a zxid on, across the log files of one directory. */
export class FileTxnIterator implements TxnIterator, AsyncIterable<TxnLogEntry> {
  private current: TxnLogEntry | null = null;
  private reader: TxnLogFileReader | null = null;

  private constructor(
    private readonly logDir: string,
    /** Files still to read, oldest first. */
    private readonly files: string[],
    private readonly maxTxnBytes: number,
  ) {}

  /** Java's `new FileTxnIterator(logDir, zxid, fastForward)`. */
  static async create(logDir: string, zxid: bigint, fastForward = true, maxTxnBytes = DEFAULT_MAX_TXN_BYTES): Promise<FileTxnIterator> {
    const it = new FileTxnIterator(logDir, getLogFiles(await readdir(logDir), zxid), maxTxnBytes);
    try {
      await it.next();
      if (fastForward) {
        while (it.current !== null && it.current.hdr.zxid < zxid) await it.next();
      }
    } catch (e) {
      await it.close();
      throw e;
    }
    return it;
  }

  async next(): Promise<boolean> {
    for (;;) {
      if (this.reader === null) {
        const name = this.files.shift();
        if (name === undefined) {
          this.current = null;
          return false;
        }
        this.reader = await TxnLogFileReader.open(join(this.logDir, name), this.maxTxnBytes);
      }
      const step = await this.reader.next();
      if (step.kind === "entry") {
        this.current = step.entry;
        return true;
      }
      if (step.reason !== "zero padding" && step.reason !== "end of file") {
        LOG.debug(`${this.reader.path}: entries end at offset ${step.offset}: ${step.reason}`);
      }
      await this.reader.close();
      this.reader = null;
    }
  }

  getHeader(): TxnHeader | null {
    return this.current?.hdr ?? null;
  }

  getTxn(): TxnBody | null {
    return this.current?.body ?? null;
  }

  getDigest(): TxnDigest | null {
    return this.current?.digest ?? null;
  }

  getEntry(): TxnLogEntry | null {
    return this.current;
  }

  async getStorageSize(): Promise<number> {
    let sum = this.reader?.size ?? 0;
    for (const name of this.files) sum += (await stat(join(this.logDir, name))).size;
    return sum;
  }

  async close(): Promise<void> {
    this.current = null;
    this.files.length = 0;
    const r = this.reader;
    this.reader = null;
    if (r !== null) await r.close();
  }

  /** `for await (const entry of it)`: the current txn first, then the rest. */
  async *[Symbol.asyncIterator](): AsyncIterator<TxnLogEntry> {
    try {
      while (this.current !== null) {
        yield this.current;
        await this.next();
      }
    } finally {
      await this.close();
    }
  }
}
