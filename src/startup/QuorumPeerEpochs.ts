/**
 * The epoch files: `currentEpoch` and `acceptedEpoch` next to the snapshots.
 *
 * Reimplements the epoch half of `QuorumPeer.loadDataBase` with `readLongFromFile` /
 * `writeLongToFile` (AtomicFileOutputStream). Chapter 03 [001 L2282–2353] (T30); the
 * epochs matter from chapter 06 on: a follower sends `acceptedEpoch` in its epoch ACK,
 * and `currentEpoch` is the epoch it has synced to.
 *
 * - acceptedEpoch: the highest epoch this server has promised to follow (written on
 *   LEADERINFO before the ACKEPOCH goes out);
 * - currentEpoch: the epoch of the history it has (written on NEWLEADER, after sync).
 * So acceptedEpoch ≥ currentEpoch ≥ the epoch of the last logged zxid must hold. A
 * missing file gets the epoch of the last zxid (an upgrade from before the files
 * existed); a currentEpoch behind the log is repaired from `currentEpoch.tmp` if a crash
 * interrupted its rename, and is an error otherwise.
 *
 * Standalone servers do not read or write these files (ZooKeeperServerMain never calls
 * QuorumPeer); this is the code the ensemble will use.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { getLogger } from "../util/Logger.js";
import { getEpochFromZxid, zxidToString } from "../util/ZxidUtils.js";

const LOG = getLogger("QuorumPeer");

export const CURRENT_EPOCH_FILENAME = "currentEpoch";
export const ACCEPTED_EPOCH_FILENAME = "acceptedEpoch";

export class EpochFileError extends Error {
  override name = "EpochFileError";
}

/** The number in a one-line file; undefined when the file does not exist. */
export function readLongFromFile(dir: string, name: string): bigint | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, name), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const line = text.split("\n")[0]!.trim();
  if (!/^-?\d+$/.test(line)) throw new EpochFileError(`Found ${line} in ${join(dir, name)}: not a number`);
  return BigInt(line);
}

/** Writes `<value>\n` to name.tmp, fsyncs, renames over name: never a half-written file. */
export function writeLongToFile(dir: string, name: string, value: bigint): void {
  const tmp = join(dir, `${name}.tmp`);
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, `${value}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
}

export interface Epochs {
  currentEpoch: bigint;
  acceptedEpoch: bigint;
}

// #region load-epochs
/** QuorumPeer.loadDataBase after the tree is loaded: read, default or repair the epochs. */
export function loadEpochs(snapDir: string, lastProcessedZxid: bigint): Epochs {
  const epochOfZxid = getEpochFromZxid(lastProcessedZxid);
  let currentEpoch = readLongFromFile(snapDir, CURRENT_EPOCH_FILENAME);
  if (currentEpoch === undefined) {
    currentEpoch = epochOfZxid;
    LOG.info(`${CURRENT_EPOCH_FILENAME} not found! Creating with a reasonable default of ${currentEpoch}. This should only happen when you are upgrading your installation`);
    writeLongToFile(snapDir, CURRENT_EPOCH_FILENAME, currentEpoch);
  }
  if (epochOfZxid > currentEpoch) {
    // A crash between writing currentEpoch.tmp and renaming it leaves the new value there.
    const tmp = readLongFromFile(snapDir, `${CURRENT_EPOCH_FILENAME}.tmp`);
    if (tmp === undefined) {
      throw new EpochFileError(`The current epoch, ${zxidToString(currentEpoch)}, is older than the last zxid, ${lastProcessedZxid}`);
    }
    LOG.info(`${CURRENT_EPOCH_FILENAME}.tmp found. Setting current epoch to ${tmp}.`);
    currentEpoch = tmp;
    writeLongToFile(snapDir, CURRENT_EPOCH_FILENAME, currentEpoch);
  }
  let acceptedEpoch = readLongFromFile(snapDir, ACCEPTED_EPOCH_FILENAME);
  if (acceptedEpoch === undefined) {
    acceptedEpoch = epochOfZxid;
    LOG.info(`${ACCEPTED_EPOCH_FILENAME} not found! Creating with a reasonable default of ${acceptedEpoch}. This should only happen when you are upgrading your installation`);
    writeLongToFile(snapDir, ACCEPTED_EPOCH_FILENAME, acceptedEpoch);
  }
  if (acceptedEpoch < currentEpoch) {
    throw new EpochFileError(`The accepted epoch, ${zxidToString(acceptedEpoch)} is less than the current epoch, ${zxidToString(currentEpoch)}`);
  }
  return { currentEpoch, acceptedEpoch };
}
// #endregion load-epochs
