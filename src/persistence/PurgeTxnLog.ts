/**
 * PurgeTxnLog — deletes old snapshots and the logs only they needed, keeping the
 * newest N snapshots and everything required to restore from the oldest of them.
 *
 * Reimplements `org.apache.zookeeper.server.PurgeTxnLog` (3.8) without its `main`.
 * Chapter 02; seeds [001 L1594–1618] (3.5, findNRecentSnapshots) and [002 L447–457]
 * (3.6+, findNValidSnapshots, which is what 3.8 does). The body of
 * `purgeOlderSnapshots` appears in neither (U).
 *
 * Differs from Java: the decision is a pure function (`filesToPurge`) over file names,
 * separate from the listing and deleting, so it can be read and tested on its own.
 * Java prints each removed file to stdout as well as logging it; here it is logged
 * and returned.
 */
import { readdir, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { getLogger } from "../util/Logger.js";
import { getLogFiles } from "./FileTxnIterator.js";
import { FileTxnSnapLog } from "./FileTxnSnapLog.js";
import { getZxidFromName, LOG_FILE_PREFIX, SNAPSHOT_FILE_PREFIX } from "./Util.js";

const LOG = getLogger("PurgeTxnLog");

export const COUNT_ERR_MSG = "count should be greater than or equal to 3";

// #region purge-decision
/**
 * Which files to delete when the oldest snapshot kept is `snapshot.<leastZxid>`: every
 * log and snapshot named with a smaller zxid, except the newest log that starts at or
 * before leastZxid. That log may hold txns after the snapshot (log.(X−a) runs on past
 * snapshot.X when no log starts in between), so without it the snapshot could not be
 * brought up to date. Keeping it is simple and always safe, if sometimes one file more
 * than needed.
 */
export function filesToPurge(logNames: readonly string[], snapNames: readonly string[], leastZxid: bigint): { logs: string[]; snapshots: string[] } {
  const retainedLogs = new Set(getLogFiles(logNames, leastZxid));
  const older = (prefix: string) => (name: string) => name.startsWith(prefix + ".") && getZxidFromName(name, prefix) < leastZxid;
  return {
    logs: logNames.filter(older(LOG_FILE_PREFIX)).filter((name) => !retainedLogs.has(name)),
    snapshots: snapNames.filter(older(SNAPSHOT_FILE_PREFIX)),
  };
}
// #endregion purge-decision

/**
 * Keeps the `num` newest valid snapshots of `snapDir` and the logs of `dataDir` they
 * need, deleting the rest. Both directories are the parents of version-2, as in
 * zoo.cfg. Returns the paths removed.
 */
export async function purge(dataDir: string, snapDir: string, num: number): Promise<string[]> {
  if (num < 3) throw new RangeError(COUNT_ERR_MSG);
  const txnLog = await FileTxnSnapLog.open(dataDir, snapDir);
  const snaps = await txnLog.findNValidSnapshots(num);
  if (snaps.length === 0) return [];
  return purgeOlderSnapshots(txnLog, snaps[snaps.length - 1]!);
}

/** Deletes what `filesToPurge` selects, given the oldest snapshot to keep. */
export async function purgeOlderSnapshots(txnLog: FileTxnSnapLog, snapShot: string): Promise<string[]> {
  const leastZxid = getZxidFromName(basename(snapShot), SNAPSHOT_FILE_PREFIX);
  const { logs, snapshots } = filesToPurge(await readdir(txnLog.dataDir), await readdir(txnLog.snapDir), leastZxid);
  const paths = [...logs.map((n) => join(txnLog.dataDir, n)), ...snapshots.map((n) => join(txnLog.snapDir, n))];
  const removed: string[] = [];
  for (const path of paths) {
    LOG.info(`Removing file: ${path}`);
    try {
      await rm(path);
      removed.push(path);
    } catch (e) {
      LOG.warn(`Failed to remove ${path}: ${String(e)}`);
    }
  }
  return removed;
}
