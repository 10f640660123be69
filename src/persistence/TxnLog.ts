/**
 * TxnLog, TxnIterator, SnapShot — what the rest of the server needs from the disk.
 *
 * Reimplements the interfaces `org.apache.zookeeper.server.persistence.TxnLog`
 * (with its inner `TxnIterator`) and `SnapShot` (3.8). Chapter 02, seeds
 * [001 L474–622], which list their methods.
 *
 * Differs from Java: everything that touches the disk returns a promise, because it
 * runs on libuv's thread pool instead of blocking the one event loop. `append` stays
 * synchronous: it only encodes into memory, and `commit` writes what was appended
 * (group commit, FileTxnLog.ts). The simulator (src/sim) implements these interfaces
 * with a disk that can lose what was written but not yet committed.
 */
import type { TxnDigest, TxnHeader } from "../jute/txn.js";
import type { DataTree } from "../data/DataTree.js";
import type { TxnBody, TxnLogEntry } from "./TxnLogEntry.js";

/** Where `commit` reports fsyncs slower than `fsync.warningthresholdms`. */
export interface FsyncStats {
  incrementFsyncThresholdExceedCount(): void;
}

/** Reads txns in zxid order, across log files. Positioned on a txn or exhausted. */
export interface TxnIterator {
  /** The current txn's header, or null when there is none (empty log, or the end). */
  getHeader(): TxnHeader | null;
  getTxn(): TxnBody | null;
  getDigest(): TxnDigest | null;
  /** The current txn as one value, or null. */
  getEntry(): TxnLogEntry | null;
  /** Moves to the next txn; false when there is none. */
  next(): Promise<boolean>;
  /** Bytes of the log files this iterator reads (Java's getStorageSize). */
  getStorageSize(): Promise<number>;
  close(): Promise<void>;
}

export interface TxnLog {
  setServerStats(stats: FsyncStats): void;
  /** The next append starts a new log file. */
  rollLog(): void;
  /** Buffers one txn for the next commit; never touches the disk. */
  append(entry: TxnLogEntry): boolean;
  /** Writes and syncs everything appended before this call. */
  commit(): Promise<void>;
  /** An iterator on the first txn with a zxid >= `zxid`. */
  read(zxid: bigint): Promise<TxnIterator>;
  /** The zxid of the last whole txn on disk, or -1 if there is none. */
  getLastLoggedZxid(): Promise<bigint>;
  /** Removes every txn after `zxid`. */
  truncate(zxid: bigint): Promise<boolean>;
  getDbId(): Promise<bigint>;
  /** Milliseconds the last fsync took, or -1 before the first. */
  getTxnLogSyncElapsedTime(): number;
  close(): Promise<void>;
}

export interface SnapShot {
  /** Loads the newest valid snapshot; returns its zxid, or -1 if there is none. */
  deserialize(tree: DataTree, sessions: Map<bigint, number>): Promise<bigint>;
  /** Writes a snapshot of `tree` and `sessions` as `file` (a path). */
  serialize(tree: DataTree, sessions: Map<bigint, number>, file: string, fsync: boolean): Promise<void>;
  /** The newest snapshot that looks whole, or null. */
  findMostRecentSnapshot(): Promise<string | null>;
  close(): Promise<void>;
}
