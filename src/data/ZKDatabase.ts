/**
 * ZKDatabase — the tree, the committed sessions and the transaction log/snapshots that
 * make them durable, behind one object.
 *
 * Reimplements `org.apache.zookeeper.server.ZKDatabase`. Chapter 04 (`loadDataBase` is
 * the cold start: restore the newest valid snapshot, replay the log after it
 * [001 L2369–2458]) and chapter 06 (the `committedLog` of recent proposals is what a
 * leader sends a lagging follower as a DIFF).
 *
 * The storage itself is behind `TxnSnapLog` (FileTxnSnapLog on disk; an in-memory one
 * for tests and the simulator), per DESIGN §3's injectable Storage.
 */
import type { TxnDigest, TxnHeader } from "../jute/txn.js";
import type { TxnBody, TxnLogEntry } from "../persistence/TxnLogEntry.js";
import { serializeTxn } from "../persistence/TxnLogEntry.js";
import { trace } from "../trace/tracer.js";
import { getLogger, hex } from "../util/Logger.js";
import { DataTree, type DataTreeOptions, type ProcessTxnResult } from "./DataTree.js";

const LOG = getLogger("ZKDatabase");

/** Called for every txn replayed from the log during restore. */
export type PlayBackListener = (hdr: TxnHeader, body: TxnBody, digest: TxnDigest | null) => void;

/** What ZKDatabase needs from durable storage (FileTxnSnapLog satisfies it). */
export interface TxnSnapLog {
  /** Loads the newest valid snapshot and replays the log; returns the highest zxid. */
  restore(tree: DataTree, sessions: Map<bigint, number>, listener: PlayBackListener): Promise<bigint>;
  /** Writes a snapshot of the tree named after tree.lastProcessedZxid. */
  save(tree: DataTree, sessions: Map<bigint, number>, syncSnap: boolean): Promise<void>;
  /** Buffers one txn; it is durable once the next commit() resolves. */
  append(entry: TxnLogEntry): void;
  /** Writes and fsyncs everything appended so far: one write, one fsync. */
  commit(): Promise<void>;
  /** Starts a new log file with the next append. */
  rollLog(): void;
  close(): Promise<void>;
  /** Bytes of txn log written since the last snapshot (for snapSizeLimitInKb). */
  readonly logSize?: number;
}

/** A proposal kept for syncing followers: the txn and its zxid. */
export interface CommittedProposal {
  zxid: bigint;
  entry: TxnLogEntry;
}

export const COMMIT_LOG_COUNT = 500;

export class ZKDatabase {
  readonly dataTree: DataTree;
  /** Committed sessions → timeout: saved in every snapshot. */
  readonly sessionsWithTimeouts = new Map<bigint, number>();
  readonly committedLog: CommittedProposal[] = [];
  initialized = false;
  /** Txns logged since the last roll (SyncRequestProcessor's snapshot trigger). */
  txnCount = 0;
  /** Bytes logged since the last roll. */
  txnSize = 0;

  constructor(
    readonly snapLog: TxnSnapLog,
    treeOptions: DataTreeOptions = {},
  ) {
    this.dataTree = new DataTree(treeOptions);
  }

  // #region loadDataBase
  /** Restores the tree and sessions from disk; returns the last zxid applied. */
  async loadDataBase(): Promise<bigint> {
    const start = performance.now();
    trace.message("ZKDatabase", "FileTxnSnapLog", "restore");
    const zxid = await this.snapLog.restore(this.dataTree, this.sessionsWithTimeouts, (hdr, body, digest) => {
      if (trace.enabled) trace.message("FileTxnSnapLog", "ZKDatabase", "onTxnLoaded", { zxid: hdr.zxid });
      this.addCommittedProposal({ hdr, body, digest });
    });
    this.initialized = true;
    trace.state("ZKDatabase", "loaded", { zxid, sessions: this.sessionsWithTimeouts.size, committedLog: this.committedLog.length });
    LOG.info(`Snapshot loaded in ${Math.round(performance.now() - start)} ms, highest zxid is ${hex(zxid)}, digest is ${this.dataTree.treeDigest}`);
    return zxid;
  }
  // #endregion loadDataBase

  addCommittedProposal(entry: TxnLogEntry): void {
    this.committedLog.push({ zxid: entry.hdr.zxid, entry });
    if (this.committedLog.length > COMMIT_LOG_COUNT) this.committedLog.shift();
  }

  get minCommittedLog(): bigint {
    return this.committedLog.length === 0 ? 0n : this.committedLog[0]!.zxid;
  }

  get maxCommittedLog(): bigint {
    return this.committedLog.length === 0 ? 0n : this.committedLog[this.committedLog.length - 1]!.zxid;
  }

  /** Appends a write's txn to the log buffer; false for a read (nothing to log). */
  append(request: { hdr: TxnHeader | null; txn: TxnBody | null; txnDigest: TxnDigest | null }): boolean {
    if (request.hdr === null || request.txn === null) return false;
    const entry: TxnLogEntry = { hdr: request.hdr, body: request.txn, digest: request.txnDigest };
    this.snapLog.append(entry);
    this.txnCount++;
    this.txnSize = this.snapLog.logSize ?? this.txnSize + serializeTxn(entry).length;
    return true;
  }

  commit(): Promise<void> {
    return this.snapLog.commit();
  }

  rollLog(): void {
    this.snapLog.rollLog();
    this.txnCount = 0;
    this.txnSize = 0;
  }

  processTxn(hdr: TxnHeader, body: TxnBody, digest: TxnDigest | null): ProcessTxnResult {
    return this.dataTree.processTxn(hdr, body, digest);
  }

  get lastProcessedZxid(): bigint {
    return this.dataTree.lastProcessedZxid;
  }

  /** Session ids that own ephemeral nodes. */
  sessionsWithEphemerals(): bigint[] {
    return [...this.dataTree.allEphemerals().keys()];
  }

  /** Deletes a session's ephemerals without a txn: used for sessions dead before a restart. */
  killSession(sessionId: bigint, zxid: bigint): void {
    this.dataTree.killSession(sessionId, zxid, null);
  }

  async close(): Promise<void> {
    await this.snapLog.close();
  }
}

/**
 * Storage that keeps nothing: for unit tests of the processors and for the simulator.
 * commit() resolves on the next turn of the event loop, like a very fast disk.
 */
export class MemoryTxnSnapLog implements TxnSnapLog {
  readonly entries: TxnLogEntry[] = [];
  readonly commits: number[] = [];
  private pending = 0;
  snapshots = 0;

  async restore(): Promise<bigint> {
    return 0n;
  }

  async save(): Promise<void> {
    this.snapshots++;
  }

  append(entry: TxnLogEntry): void {
    this.entries.push(entry);
    this.pending++;
  }

  async commit(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    this.commits.push(this.pending);
    this.pending = 0;
  }

  rollLog(): void {}

  async close(): Promise<void> {}
}
