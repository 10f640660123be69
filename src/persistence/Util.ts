/**
 * Util — file names of the data directory, and the framing of one txn log entry.
 *
 * Reimplements `org.apache.zookeeper.server.persistence.Util` (3.8): `makeLogName`,
 * `makeSnapshotName`, `getZxidFromName`, `sortDataDir`, `isLogFileName`,
 * `isSnapshotFileName`, `marshallTxnEntry`, `writeTxnBytes`, `readTxnBytes`, plus the
 * checksum test of `FileTxnLog.FileTxnIterator.next`. Chapter 02. No seed document
 * shows any of it (gap G13); all of it is added knowledge (U).
 *
 * File names: `log.<zxid>` and `snapshot.<zxid>[.gz|.snappy]` in `<dir>/version-2/`,
 * where <zxid> is Java's `Long.toHexString`: lowercase hex, no padding, and a negative
 * zxid as its 64-bit two's complement. A log is named after the first txn it holds,
 * a snapshot after the last txn applied when it was started.
 *
 * Byte grammar of one log entry (big-endian, as everything in jute):
 *
 *     entry    = checksum txnBytes EOR
 *     checksum = long: Adler-32 of the txn bytes only (not of the length or the EOR),
 *                so its first 4 bytes are always zero
 *     txnBytes = int length, then `length` bytes: TxnHeader, the record its type
 *                selects, and (3.6+) a TxnDigest (see TxnLogEntry.ts)
 *     EOR      = byte 0x42, 'B'
 *
 * A length of 0 is no entry: it is the zero padding that preallocation leaves after
 * the last entry, so a reader stops there. (Java's class comment says the checksum
 * covers length and EOR too; the code checks the txn bytes only, and so do we.)
 *
 * Differs from Java: the reader here parses a frame out of bytes already in memory and
 * says precisely why a frame is not an entry (too short, bad length, no EOR, checksum),
 * with its offset, where Java turns every failure into an EOFException or an
 * IOException. FileTxnLog needs the difference to tell a torn tail from corruption.
 * `isValidSnapshot` lives in SnapStream.ts, where 3.6+ moved it.
 */
import { DEFAULT_MAX_BUFFER } from "../jute/BinaryInputArchive.js";
import type { BinaryOutputArchive } from "../jute/BinaryOutputArchive.js";
import { TxnDigest, TxnHeader } from "../jute/txn.js";
import { adler32 } from "./Adler32.js";
import { serializeTxn, writeTxnBody, type TxnLogEntry } from "./TxnLogEntry.js";

export const LOG_FILE_PREFIX = "log";
export const SNAPSHOT_FILE_PREFIX = "snapshot";
/** The end-of-record byte after every entry ('B'). */
export const EOR = 0x42;
/** Bytes of an entry besides its txn bytes: checksum (8), length (4), EOR (1). */
export const ENTRY_OVERHEAD = 13;
/**
 * Longest txn a reader accepts: Java reads entries with `readBuffer`, which allows
 * `jute.maxbuffer` plus the same again as slack (`zookeeper.jute.maxbuffer.extrasize`).
 */
export const DEFAULT_MAX_TXN_BYTES = DEFAULT_MAX_BUFFER * 2;

// ---------------------------------------------------------------- names

/** Java's Long.toHexString: lowercase, unpadded, negative values as 64-bit unsigned. */
export function zxidToHex(zxid: bigint): string {
  return BigInt.asUintN(64, zxid).toString(16);
}

export function makeLogName(zxid: bigint): string {
  return `${LOG_FILE_PREFIX}.${zxidToHex(zxid)}`;
}

/** `extension` is SnapStream's: "" for plain snapshots, ".gz", ".snappy". */
export function makeSnapshotName(zxid: bigint, extension = ""): string {
  return `${SNAPSHOT_FILE_PREFIX}.${zxidToHex(zxid)}${extension}`;
}

const MAX_LONG = (1n << 63n) - 1n;

/**
 * The zxid in "prefix.<hex>[.anything]", or -1 if the name is not of that form.
 * Like Java's `Long.parseLong(hex, 16)`, an optional sign is allowed and a value
 * outside the signed 64-bit range is not a zxid (so "log.ffffffffffffffff" is -1).
 */
export function getZxidFromName(name: string, prefix: string): bigint {
  const parts = name.split(".");
  // Java's String.split drops trailing empty strings: "snapshot." has one part.
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length < 2 || parts[0] !== prefix) return -1n;
  const m = /^([+-]?)([0-9a-fA-F]+)$/.exec(parts[1]!);
  if (m === null) return -1n;
  const magnitude = BigInt("0x" + m[2]);
  const value = m[1] === "-" ? -magnitude : magnitude;
  if (value > MAX_LONG || value < -MAX_LONG - 1n) return -1n;
  return value;
}

/** Names ordered by the zxid in them; names without one sort as zxid -1. */
export function sortDataDir(names: readonly string[], prefix: string, ascending: boolean): string[] {
  const keyed = names.map((n) => ({ n, z: getZxidFromName(n, prefix) }));
  keyed.sort((x, y) => {
    const r = x.z < y.z ? -1 : x.z > y.z ? 1 : 0;
    return ascending ? r : -r;
  });
  return keyed.map((k) => k.n);
}

export function isLogFileName(name: string): boolean {
  return name.startsWith(LOG_FILE_PREFIX + ".");
}

export function isSnapshotFileName(name: string): boolean {
  return name.startsWith(SNAPSHOT_FILE_PREFIX + ".");
}

// ---------------------------------------------------------------- entry framing

/** Util.marshallTxnEntry: the txn bytes of one entry (header, record, digest). */
export function marshallTxnEntry(entry: TxnLogEntry): Buffer {
  return serializeTxn(entry);
}

// #region entry-framing
/**
 * Appends one framed entry to `oa`: checksum, length-prefixed txn bytes, EOR. The txn
 * is serialized in place and the checksum and length are filled in afterwards, so a
 * batch of entries is built in one buffer without a copy per entry.
 */
export function writeTxnEntry(oa: BinaryOutputArchive, entry: TxnLogEntry): void {
  const start = oa.length;
  oa.writeLong(0n); // checksum, patched below
  oa.writeInt(0); // length, patched below
  const txnStart = oa.length;
  TxnHeader.write(oa, entry.hdr);
  writeTxnBody(oa, entry.body);
  if (entry.digest !== null) TxnDigest.write(oa, entry.digest);
  const length = oa.length - txnStart;
  if (length === 0) throw new Error("Faulty serialization for header and txn");
  const checksum = adler32(oa.view().subarray(txnStart, txnStart + length));
  // An Adler-32 fits in 32 bits, so the long is a zero int and then the checksum.
  oa.patchInt(start + 4, checksum | 0);
  oa.patchInt(start + 8, length);
  oa.writeByte(EOR);
}

/** What starts at one offset of a log file. */
export type TxnFrame =
  /** A whole entry whose checksum matches. `end` is the offset after its EOR. */
  | { kind: "entry"; txnBytes: Buffer; end: number }
  /** Length 0: the zero padding begins, the log ends here. */
  | { kind: "padding" }
  /** The buffer ends inside the frame; `need` bytes from the offset would settle it. */
  | { kind: "short"; need: number }
  /**
   * Not an entry. `end` is where the frame claims to end when its length and EOR are
   * plausible (only the checksum failed), so a caller can look at what follows.
   */
  | { kind: "bad"; reason: string; end: number | null };

/**
 * Parses the frame at `pos` of `buf` (Util.readTxnBytes plus the checksum test of
 * FileTxnIterator.next). Pure: it reads nothing from disk and throws nothing.
 */
export function readTxnFrame(buf: Buffer, pos: number, maxTxnBytes = DEFAULT_MAX_TXN_BYTES): TxnFrame {
  const left = buf.length - pos;
  if (left < 12) return { kind: "short", need: 12 };
  const length = buf.readInt32BE(pos + 8);
  if (length === 0) return { kind: "padding" };
  if (length < 0 || length > maxTxnBytes) return { kind: "bad", reason: `unreasonable txn length ${length}`, end: null };
  const end = pos + ENTRY_OVERHEAD + length;
  if (end > buf.length) return { kind: "short", need: ENTRY_OVERHEAD + length };
  // Java: "Last transaction was partial." The EOR byte is written last, so a
  // missing one means the write of this entry never finished.
  if (buf[end - 1] !== EOR) return { kind: "bad", reason: "no end-of-record byte (partial entry)", end: null };
  const txnBytes = buf.subarray(pos + 12, end - 1);
  const stored = buf.readBigUInt64BE(pos);
  const computed = BigInt(adler32(txnBytes));
  if (stored !== computed) {
    return { kind: "bad", reason: `CRC check failed: stored ${stored.toString(16)}, computed ${computed.toString(16)}`, end };
  }
  return { kind: "entry", txnBytes, end };
}
// #endregion entry-framing
