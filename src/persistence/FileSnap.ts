/**
 * FileSnap — snapshots of the data tree and the session table: find them, read the
 * newest good one, write new ones without stalling requests.
 *
 * Reimplements `org.apache.zookeeper.server.persistence.FileSnap` and the snapshot half
 * of `org.apache.zookeeper.server.util.SerializeUtils` (3.8). Chapter 02 and chapter 04:
 * the read path is [001 L2460–2543] (deserialize, the 100-snapshot fallback),
 * [001 L2553–2565] (the magic check), [001 L2577–2609] (the session table). The byte
 * grammar of the file is in SnapStream.ts.
 *
 * Differs from Java:
 * - Writing never stalls requests. The tree is serialized in slices
 *   (DataTree.serializeNodes yields every `sliceSize` nodes); between slices the bytes
 *   go to the thread pool and the event loop runs, so txns keep being applied and the
 *   snapshot is fuzzy, exactly as Java's is when it snapshots from another thread.
 * - A snapshot is written as `tmp.snapshot.<zxid>` and renamed to its real name only
 *   once complete (and fsynced, if asked), so a crash mid-snapshot never leaves a half
 *   snapshot under a valid name. Java writes under the final name unless it was asked to
 *   fsync (then it uses AtomicFileOutputStream, which renames a ".tmp" file), and relies
 *   on the seal check to skip a half-written one. Leftover temp files are removed on the
 *   next restore. (The temp name deliberately does not start with "snapshot.": Java
 *   would otherwise parse "snapshot.<zxid>.tmp" as a snapshot of that zxid.)
 * - A snapshot is read into memory whole; each attempt gets its own session table,
 *   which is copied into the caller's only when the snapshot proves valid.
 */
import { readdir, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { DataTree } from "../data/DataTree.js";
import { BinaryInputArchive } from "../jute/BinaryInputArchive.js";
import { FileHeader } from "../jute/txn.js";
import { trace } from "../trace/tracer.js";
import { getLogger, hex } from "../util/Logger.js";
import { CorruptFileError } from "./FileTxnIterator.js";
import { checkSealIntegrity, getStreamMode, isValidSnapshot, readSnapshotBytes, SEAL_START, SnapshotOutput } from "./SnapStream.js";
import type { SnapShot } from "./TxnLog.js";
import { getZxidFromName, SNAPSHOT_FILE_PREFIX, sortDataDir } from "./Util.js";

const LOG = getLogger("FileSnap");

/** "ZKSN" as a big-endian int. */
export const SNAP_MAGIC = 0x5a4b534e;
export const SNAP_VERSION = 2;
export const SNAP_DBID = -1n;
/** How many of the newest snapshots a restore tries before it gives up. */
export const SNAPSHOTS_TO_TRY = 100;
/** Prefix of a snapshot still being written. */
export const TEMP_SNAPSHOT_PREFIX = "tmp.";

/** The last snapshot saved or restored: Java's SnapshotInfo. */
export interface SnapshotInfo {
  zxid: bigint;
  /** Seconds since the epoch: the file's modification time. */
  timestamp: number;
}

export interface FileSnapOptions {
  /** Nodes serialized between two yields to the event loop (250: about 75 us, the longest a request waits on a snapshot). */
  sliceSize?: number;
}

export class FileSnap implements SnapShot {
  private readonly sliceSize: number;
  private lastSnapshotInfo: SnapshotInfo | null = null;
  private closed = false;
  /** Serializations run one after another, like Java's synchronized serialize. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly snapDir: string,
    opts: FileSnapOptions = {},
  ) {
    this.sliceSize = opts.sliceSize ?? 250;
  }

  getLastSnapshotInfo(): SnapshotInfo | null {
    return this.lastSnapshotInfo;
  }

  // #region snap-deserialize
  /**
   * Loads the newest snapshot that reads back whole into `tree` and `sessions`, trying
   * up to 100 of them, newest first. Returns its zxid (from the file name, which also
   * becomes `tree.lastProcessedZxid`), or -1 when there is no snapshot at all.
   */
  async deserialize(tree: DataTree, sessions: Map<bigint, number>): Promise<bigint> {
    await this.removeUnfinished();
    const snapList = await this.findNValidSnapshots(SNAPSHOTS_TO_TRY);
    if (snapList.length === 0) return -1n;
    const failures: string[] = [];
    for (const snap of snapList) {
      LOG.info(`Reading snapshot ${snap}`);
      trace.state("FileSnap", "read", { file: basename(snap) });
      const snapZxid = getZxidFromName(basename(snap), SNAPSHOT_FILE_PREFIX);
      try {
        const found = new Map<bigint, number>();
        await this.deserializeBytes(await readSnapshotBytes(snap), snap, snapZxid, tree, found);
        for (const [id, timeout] of found) sessions.set(id, timeout);
        tree.lastProcessedZxid = snapZxid;
        trace.state("FileSnap", "valid", { file: basename(snap), zxid: snapZxid, sessions: found.size });
        this.lastSnapshotInfo = { zxid: snapZxid, timestamp: Math.floor((await stat(snap)).mtimeMs / 1000) };
        // A snapshot taken while nothing changed carries the digest of its own zxid:
        // compare now rather than wait for a txn that replay will never see.
        if (tree.getDigestFromLoadedSnapshot() !== null) tree.compareSnapshotDigests(snapZxid);
        return snapZxid;
      } catch (e) {
        // CorruptFileError names the file and offset itself; I/O and codec errors do not.
        const reason = e instanceof CorruptFileError ? e.message : `${snap}: ${e instanceof Error ? e.message : String(e)}`;
        LOG.warn(`problem reading snap file ${reason}`);
        trace.state("FileSnap", "invalid", { file: basename(snap), reason: reason.replace(`${snap} `, "") });
        failures.push(reason);
      }
    }
    throw new Error(`Not able to find valid snapshots in ${this.snapDir} (tried ${snapList.length}: ${failures.join("; ")})`);
  }

  /**
   * Parses one snapshot: header, sessions, tree, seal, then the digest and its seal.
   * Throws CorruptFileError naming the file and the offset where reading failed. Lets
   * the event loop run between slices of the tree, so the open client port is served.
   */
  async deserializeBytes(bytes: Buffer, file: string, snapZxid: bigint, tree: DataTree, sessions: Map<bigint, number>): Promise<void> {
    const ia = new BinaryInputArchive(bytes);
    try {
      const header = FileHeader.read(ia);
      if (header.magic !== SNAP_MAGIC) throw new Error(`mismatching magic headers ${header.magic} !=  ${SNAP_MAGIC}`);
      for (let count = ia.readInt(); count > 0; count--) sessions.set(ia.readLong(), ia.readInt());
      for (const _ of tree.deserializeNodes(ia)) await yieldToEventLoop();
      const seal = checkSealIntegrity(bytes, ia, SEAL_START.checksum, SEAL_START.summedTo);
      // The digest came after the first seal so that older readers can stop there;
      // a snapshot from before 3.6 simply ends.
      if (ia.remaining === 0) {
        if (tree.digestEnabled) LOG.warn(`${file} has no digest, likely an older snapshot`);
      } else if (tree.deserializeZxidDigest(ia, snapZxid)) {
        checkSealIntegrity(bytes, ia, seal.checksum, seal.summedTo);
      }
    } catch (e) {
      if (e instanceof CorruptFileError) throw e;
      throw new CorruptFileError(file, ia.offset, e instanceof Error ? e.message : String(e));
    }
  }
  // #endregion snap-deserialize

  private async listNames(): Promise<string[]> {
    return readdir(this.snapDir);
  }

  /** Deletes snapshots a crash left half written (see the header). */
  private async removeUnfinished(): Promise<void> {
    for (const name of await this.listNames()) {
      if (!name.startsWith(TEMP_SNAPSHOT_PREFIX + SNAPSHOT_FILE_PREFIX + ".")) continue;
      LOG.info(`Removing unfinished snapshot ${name}`);
      await rm(join(this.snapDir, name), { force: true });
      trace.state("FileSnap", "remove unfinished", { file: name });
    }
  }

  async findMostRecentSnapshot(): Promise<string | null> {
    return (await this.findNValidSnapshots(1))[0] ?? null;
  }

  // #region find-snapshots
  /**
   * The newest `n` snapshots that look whole (isValidSnapshot: a cheap test of the
   * file's end, not of its checksums), newest first.
   */
  async findNValidSnapshots(n: number): Promise<string[]> {
    const list: string[] = [];
    for (const name of sortDataDir(await this.listNames(), SNAPSHOT_FILE_PREFIX, false)) {
      if (list.length >= n) break;
      const path = join(this.snapDir, name);
      try {
        if (await isValidSnapshot(path)) list.push(path);
      } catch (e) {
        LOG.warn(`invalid snapshot ${path}: ${String(e)}`);
      }
    }
    return list;
  }

  /** The newest `n` files named like snapshots, valid or not, newest first. */
  async findNRecentSnapshots(n: number): Promise<string[]> {
    return sortDataDir(await this.listNames(), SNAPSHOT_FILE_PREFIX, false)
      .filter((name) => getZxidFromName(name, SNAPSHOT_FILE_PREFIX) !== -1n)
      .slice(0, n)
      .map((name) => join(this.snapDir, name));
  }
  // #endregion find-snapshots

  /**
   * Writes `tree` and `sessions` to `file` (its extension picks the compression).
   * Resolves once the snapshot is complete under its final name.
   */
  serialize(tree: DataTree, sessions: Map<bigint, number>, file: string, fsync: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error("FileSnap has already been closed"));
    const run = this.writing.then(() => this.write(tree, sessions, file, fsync));
    this.writing = run.catch(() => undefined);
    return run;
  }

  // #region snap-serialize
  private async write(tree: DataTree, sessions: Map<bigint, number>, file: string, fsync: boolean): Promise<void> {
    const temp = join(dirname(file), TEMP_SNAPSHOT_PREFIX + basename(file));
    const out = await SnapshotOutput.create(temp, getStreamMode(file));
    trace.message("FileSnap", "disk", "create", { file: basename(temp), sessions: sessions.size, nodes: tree.nodeCount });
    try {
      FileHeader.write(out.oa, { magic: SNAP_MAGIC, version: SNAP_VERSION, dbid: SNAP_DBID });
      // The session table as of now; sessions opened later are in the log after it.
      out.oa.writeInt(sessions.size);
      for (const [id, timeout] of sessions) {
        out.oa.writeLong(id);
        out.oa.writeInt(timeout);
      }
      for (const _slice of tree.serializeNodes(out.oa, this.sliceSize)) {
        if (out.oa.length >= SnapshotOutput.FLUSH_BYTES) await out.flush();
        await yieldToEventLoop();
      }
      await out.seal();
      if (tree.serializeZxidDigest(out.oa)) await out.seal();
      await out.finish(file, fsync);
      trace.message("FileSnap", "disk", fsync ? "fsync, rename" : "rename", { from: basename(temp), to: basename(file) });
    } catch (e) {
      await out.abort();
      await rm(temp, { force: true });
      throw e;
    }
    const zxid = getZxidFromName(basename(file), SNAPSHOT_FILE_PREFIX);
    this.lastSnapshotInfo = { zxid, timestamp: Math.floor((await stat(file)).mtimeMs / 1000) };
    LOG.debug(`Snapshot ${hex(zxid)} written to ${file}`);
  }
  // #endregion snap-serialize

  /** Refuses new snapshots once the one being written (if any) is done. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
  }
}
