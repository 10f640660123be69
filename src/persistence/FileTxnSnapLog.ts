/**
 * FileTxnSnapLog — the data directory as one object: the snapshots (FileSnap) and the
 * txn log (FileTxnLog) together, and the restore that combines them.
 *
 * Reimplements `org.apache.zookeeper.server.persistence.FileTxnSnapLog` (3.8).
 * Chapter 02 (the class the handout's section "3) core persistence class" leaves empty,
 * gap G13 [001 L624–626]) and chapter 04 (the cold start): `restore` [001 L2381–2458],
 * `fastForwardFromEdits` [001 L2771–2867], `processTransaction` [001 L2871–2957].
 *
 * Layout: `<dataLogDir>/version-2/log.*` and `<dataDir>/version-2/snapshot.*`. Both
 * directories are created when missing (`zookeeper.datadir.autocreate`, default true)
 * and, when they differ, each must not hold the other's files (ZOOKEEPER-2967).
 *
 * Differs from Java: construction is `await FileTxnSnapLog.open(...)`, since creating
 * directories is I/O. `restore` first cuts torn tails off the logs it is about to
 * replay (FileTxnLog.truncateTornTails), where Java either reads up to them or, for a
 * checksum error in a torn last entry, refuses to start. The listener is a function,
 * as ZKDatabase passes it. System properties are options here (STYLE.md: no hidden
 * inputs); their names are given beside each option.
 */
import { access, constants, mkdir, readdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { DataTree, ProcessTxnResult } from "../data/DataTree.js";
import { Code, codeName } from "../jute/KeeperException.js";
import type { TxnDigest, TxnHeader } from "../jute/txn.js";
import { OpCode } from "../jute/ZooDefs.js";
import { trace } from "../trace/tracer.js";
import { systemClock, type Clock } from "../util/Clock.js";
import { getLogger, hex } from "../util/Logger.js";
import { FileSnap, type FileSnapOptions, type SnapshotInfo } from "./FileSnap.js";
import { getLogFiles } from "./FileTxnIterator.js";
import { FileTxnLog, type FileTxnLogOptions } from "./FileTxnLog.js";
import { fileExtension, type StreamMode } from "./SnapStream.js";
import type { FsyncStats } from "./TxnLog.js";
import type { TxnBody, TxnLogEntry } from "./TxnLogEntry.js";
import { isLogFileName, isSnapshotFileName, makeSnapshotName } from "./Util.js";

const LOG = getLogger("FileTxnSnapLog");

export const VERSION = 2;
export const VERSION_DIR = `version-${VERSION}`;
/** Txns replayed between two yields to the event loop (a few ms of work). */
const REPLAY_SLICE = 1000;

const EMPTY_SNAPSHOT_WARNING = "No snapshot found, but there are log entries. ";

/** Called with every txn a restore replays (ZKDatabase keeps its committedLog from it). */
export type PlayBackListener = (hdr: TxnHeader, body: TxnBody, digest: TxnDigest | null) => void;

export class DatadirException extends Error {
  override name = "DatadirException";
}
export class LogDirContentCheckException extends DatadirException {
  override name = "LogDirContentCheckException";
}
export class SnapDirContentCheckException extends DatadirException {
  override name = "SnapDirContentCheckException";
}

export interface FileTxnSnapLogOptions extends FileTxnLogOptions, FileSnapOptions {
  /** `zookeeper.snapshot.trust.empty` (ZOOKEEPER-3056): replay a log without a snapshot. */
  trustEmptySnapshot?: boolean;
  /** `zookeeper.datadir.autocreate` (ZOOKEEPER-1161): create missing directories. */
  autoCreateDataDir?: boolean;
  /** `zookeeper.db.autocreate`: an empty data dir starts an empty database. */
  autoCreateDB?: boolean;
  /** `zookeeper.snapshot.compression.method`: "" (plain), "gz" or "snappy". */
  snapshotCompression?: StreamMode;
}

async function ensureWritableDir(dir: string, what: "data" | "snap", autoCreate: boolean): Promise<void> {
  try {
    await access(dir);
  } catch {
    if (!autoCreate) {
      throw new DatadirException(
        `Missing ${what} directory ${dir}, automatic data directory creation is disabled (zookeeper.datadir.autocreate is false). ` +
          "Please create this directory manually.",
      );
    }
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw new DatadirException(`Unable to create ${what} directory ${dir}: ${String(e)}`);
    }
  }
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new DatadirException(`Cannot write to ${what} directory ${dir}`);
  }
}

export class FileTxnSnapLog {
  readonly txnLog: FileTxnLog;
  readonly snapLog: FileSnap;
  readonly trustEmptySnapshot: boolean;
  private readonly autoCreateDB: boolean;
  private readonly snapshotCompression: StreamMode;
  private readonly clock: Clock;

  private constructor(
    /** `<dataLogDir>/version-2`: the txn logs (Java calls it dataDir). */
    readonly dataDir: string,
    /** `<dataDir>/version-2`: the snapshots. */
    readonly snapDir: string,
    opts: FileTxnSnapLogOptions,
  ) {
    this.trustEmptySnapshot = opts.trustEmptySnapshot ?? false;
    this.autoCreateDB = opts.autoCreateDB ?? true;
    this.snapshotCompression = opts.snapshotCompression ?? "";
    this.clock = opts.clock ?? systemClock;
    this.txnLog = new FileTxnLog(dataDir, opts);
    this.snapLog = new FileSnap(snapDir, opts);
  }

  /** Java's constructor: `dataLogDir` holds the logs, `snapDir` the snapshots. */
  static async open(dataLogDir: string, snapDir: string, opts: FileTxnSnapLogOptions = {}): Promise<FileTxnSnapLog> {
    const logs = resolve(dataLogDir, VERSION_DIR);
    const snaps = resolve(snapDir, VERSION_DIR);
    const autoCreate = opts.autoCreateDataDir ?? true;
    await ensureWritableDir(logs, "data", autoCreate);
    await ensureWritableDir(snaps, "snap", autoCreate);
    if (logs !== snaps) {
      if ((await readdir(logs)).some(isSnapshotFileName)) {
        throw new LogDirContentCheckException("Log directory has snapshot files. Check if dataLogDir and dataDir configuration is correct.");
      }
      if ((await readdir(snaps)).some(isLogFileName)) {
        throw new SnapDirContentCheckException("Snapshot directory has log files. Check if dataLogDir and dataDir configuration is correct.");
      }
    }
    LOG.info(`zookeeper.snapshot.trust.empty : ${opts.trustEmptySnapshot ?? false}`);
    return new FileTxnSnapLog(logs, snaps, opts);
  }

  setServerStats(stats: FsyncStats): void {
    this.txnLog.setServerStats(stats);
  }

  getLastSnapshotInfo(): SnapshotInfo | null {
    return this.snapLog.getLastSnapshotInfo();
  }

  /** ZOOKEEPER-3781: after an upgrade that trusted an empty snapshot, write one at once. */
  shouldForceWriteInitialSnapshotAfterLeaderElection(): boolean {
    return this.trustEmptySnapshot && this.getLastSnapshotInfo() === null;
  }

  // #region restore
  /**
   * Rebuilds `tree` and `sessions` from disk: the newest valid snapshot, then every
   * logged txn after it. Returns the highest zxid restored: 0 for a new, empty
   * database, -1 when the database is empty but should not be (zookeeper.db.autocreate
   * off, and no "initialize" file).
   */
  async restore(tree: DataTree, sessions: Map<bigint, number>, listener: PlayBackListener): Promise<bigint> {
    const snapZxid = await this.snapLog.deserialize(tree, sessions);
    await this.txnLog.truncateTornTails(snapZxid === -1n ? 0n : snapZxid + 1n);
    const trustEmptyDB = (await this.consumeInitializeFile()) || this.autoCreateDB;

    if (snapZxid === -1n) {
      // No snapshot at all (ZOOKEEPER-2325): fine for a new server, suspicious if there
      // are txns, since every server writes a snapshot before it logs anything.
      if ((await this.txnLog.getLastLoggedZxid()) !== -1n) {
        // ZOOKEEPER-3056: the escape hatch for data dirs of 3.4 servers, which did not.
        if (!this.trustEmptySnapshot) throw new Error(EMPTY_SNAPSHOT_WARNING + "Something is broken!");
        LOG.warn(`${EMPTY_SNAPSHOT_WARNING}This should only be allowed during upgrading.`);
        trace.state("FileTxnSnapLog", "no snapshot, trusting the log (trust.empty)");
        return this.replayAfterSnapshot(tree, sessions, listener);
      }
      if (!trustEmptyDB) {
        LOG.warn("Unexpected empty data tree, setting zxid to -1");
        tree.lastProcessedZxid = -1n;
        return -1n;
      }
      trace.state("FileTxnSnapLog", "no snapshot, no log: new database");
      await this.save(tree, sessions, false);
      return 0n;
    }
    return this.replayAfterSnapshot(tree, sessions, listener);
  }

  /** Java's RestoreFinalizer: replay, then warn if the snapshot's digest was never reached. */
  private async replayAfterSnapshot(tree: DataTree, sessions: Map<bigint, number>, listener: PlayBackListener): Promise<bigint> {
    const highestZxid = await this.fastForwardFromEdits(tree, sessions, listener);
    const pending = tree.getDigestFromLoadedSnapshot();
    if (pending !== null) {
      LOG.warn(`Highest txn zxid ${hex(highestZxid)} is not covering the snapshot digest zxid ${hex(pending.zxid)}, which might lead to inconsistent state`);
    }
    return highestZxid;
  }
  // #endregion restore

  /** An "initialize" file beside version-2 says an empty database may vote; it is used once. */
  private async consumeInitializeFile(): Promise<boolean> {
    const initFile = join(dirname(this.dataDir), "initialize");
    try {
      await access(initFile);
    } catch {
      return false;
    }
    await rm(initFile, { force: true });
    LOG.info("Initialize file found, an empty database will not block voting participation");
    return true;
  }

  // #region fastForwardFromEdits
  /**
   * Applies every logged txn after `tree.lastProcessedZxid` to the tree, telling the
   * listener about each. Returns the highest zxid applied.
   */
  async fastForwardFromEdits(tree: DataTree, sessions: Map<bigint, number>, listener: PlayBackListener): Promise<bigint> {
    const itr = await this.txnLog.read(tree.lastProcessedZxid + 1n);
    let highestZxid = tree.lastProcessedZxid;
    let txnLoaded = 0;
    const start = this.clock.now();
    trace.state("FileTxnSnapLog", "replay from", { zxid: tree.lastProcessedZxid + 1n });
    try {
      for (let entry = itr.getEntry(); entry !== null; entry = (await itr.next()) ? itr.getEntry() : null) {
        const { hdr, body, digest } = entry;
        if (hdr.zxid < highestZxid && highestZxid !== 0n) {
          LOG.error(`${hex(highestZxid)}(highestZxid) > ${hex(hdr.zxid)}(next log) for type ${hdr.type}`);
        } else {
          highestZxid = hdr.zxid;
        }
        if (trace.enabled) trace.message("FileTxnSnapLog", "DataTree", "processTxn", { zxid: hdr.zxid, op: hdr.type });
        try {
          this.processTransaction(hdr, tree, sessions, body, digest);
        } catch (e) {
          throw new Error(`Failed to process transaction type: ${hdr.type} zxid: ${hex(hdr.zxid)} error: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
        txnLoaded++;
        listener(hdr, body, digest);
        // The client port is open during the replay: let its connections be served.
        if (txnLoaded % REPLAY_SLICE === 0) await yieldToEventLoop();
      }
    } finally {
      await itr.close();
    }
    LOG.info(`${txnLoaded} txns loaded in ${Math.round(this.clock.now() - start)} ms`);
    trace.state("FileTxnSnapLog", "replayed", { txns: txnLoaded, highestZxid });
    return highestZxid;
  }
  // #endregion fastForwardFromEdits

  // #region processTransaction
  /**
   * Applies one replayed txn, keeping the session table in step. A failure such as
   * NONODE or NODEEXISTS is expected and only logged: the snapshot was taken while
   * txns kept being applied (it is fuzzy), so the log replays some it already holds.
   */
  processTransaction(hdr: TxnHeader, tree: DataTree, sessions: Map<bigint, number>, body: TxnBody, digest: TxnDigest | null = null): ProcessTxnResult {
    if (body.type === OpCode.createSession) sessions.set(hdr.clientId, body.txn.timeOut);
    else if (body.type === OpCode.closeSession) sessions.delete(hdr.clientId);
    const rc = tree.processTxn(hdr, body, digest);
    if (rc.err !== Code.OK) {
      LOG.debug(`Ignoring processTxn failure hdr: ${hdr.type}, error: ${rc.err}, path: ${rc.path}`);
      trace.state("DataTree", "ignored", { zxid: hdr.zxid, err: codeName(rc.err), path: rc.path });
    }
    return rc;
  }
  // #endregion processTransaction

  /** An iterator over the logged txns from `zxid` on. */
  readTxnLog(zxid: bigint, fastForward = true) {
    return this.txnLog.read(zxid, fastForward);
  }

  getLastLoggedZxid(): Promise<bigint> {
    return this.txnLog.getLastLoggedZxid();
  }

  // #region save
  /** Writes a snapshot named after `tree.lastProcessedZxid`. */
  async save(tree: DataTree, sessions: Map<bigint, number>, syncSnap: boolean): Promise<void> {
    const lastZxid = tree.lastProcessedZxid;
    const file = join(this.snapDir, makeSnapshotName(lastZxid, fileExtension(this.snapshotCompression)));
    LOG.info(`Snapshotting: ${hex(lastZxid)} to ${file}`);
    await this.snapLog.serialize(tree, sessions, file, syncSnap);
  }
  // #endregion save

  /** Drops every logged txn after `zxid` (a follower's TRUNC); false if that failed. */
  async truncateLog(zxid: bigint): Promise<boolean> {
    try {
      return await this.txnLog.truncate(zxid);
    } catch (e) {
      LOG.error(`Unable to truncate Txn log: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  findMostRecentSnapshot(): Promise<string | null> {
    return this.snapLog.findMostRecentSnapshot();
  }

  findNRecentSnapshots(n: number): Promise<string[]> {
    return this.snapLog.findNRecentSnapshots(n);
  }

  findNValidSnapshots(n: number): Promise<string[]> {
    return this.snapLog.findNValidSnapshots(n);
  }

  /**
   * The log files that may hold txns after `zxid`: those starting after it, and the
   * newest one starting at or before it. Full paths, ascending.
   */
  async getSnapshotLogs(zxid: bigint): Promise<string[]> {
    return getLogFiles(await readdir(this.dataDir), zxid).map((n) => join(this.dataDir, n));
  }

  append(entry: TxnLogEntry): boolean {
    return this.txnLog.append(entry);
  }

  commit(): Promise<void> {
    return this.txnLog.commit();
  }

  rollLog(): void {
    this.txnLog.rollLog();
  }

  /** Bytes appended to the log since the last roll (SyncRequestProcessor's size trigger). */
  get logSize(): number {
    return this.txnLog.getCurrentLogSize();
  }

  getTxnLogElapsedSyncTime(): number {
    return this.txnLog.getTxnLogSyncElapsedTime();
  }

  async close(): Promise<void> {
    await this.txnLog.close();
    await this.snapLog.close();
  }
}
