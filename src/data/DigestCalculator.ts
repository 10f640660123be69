/**
 * DigestCalculator — the per-znode CRC that 3.6+ sums into a whole-tree digest.
 *
 * Reimplements `org.apache.zookeeper.server.DigestCalculator` (digest version 2) and
 * the additive hash of `NodeHashMapImpl` / `AdHash`. Chapter 02: the digest is what
 * a 3.8 txn log entry carries after each txn (TxnDigest) and what a snapshot carries
 * after its checksum (ZxidDigest); a server replaying our log compares its own tree
 * digest against them, so ours must be computed exactly as Java computes it.
 *
 *     nodeDigest = CRC32( path bytes, data bytes,
 *                         czxid, mzxid, pzxid, ctime, mtime   (8 bytes each)
 *                         version, cversion, aversion         (4 bytes each)
 *                         ephemeralOwner                      (8 bytes) )
 *     treeDigest = sum of nodeDigest over every node, as a wrapping 64-bit integer
 *
 * The root is hashed under the path "" (Java keeps it under both "" and "/" and counts
 * it once), and everything under "/zookeeper/" is left out: quota stat nodes are
 * updated locally on each server, so they could never agree.
 */
import { crc32 } from "node:zlib";
import { copyShortAscii } from "../jute/BinaryOutputArchive.js";
import type { StatPersisted } from "../jute/data.js";

export const DIGEST_VERSION = 2;
const ZOOKEEPER_NODE_SUBTREE = "/zookeeper/";

/**
 * One scratch buffer holds path, data and stat, so each digest is one crc32 call (the
 * call into zlib costs more than the bytes for a typical znode). It grows for big data.
 */
let scratch = Buffer.alloc(4096);
// DataView writes compile to machine code; Buffer.writeBigInt64BE is BigInt arithmetic.
let scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
/** The last prefix of scratch handed to crc32: znodes of one size in a row reuse it. */
let scratchPrefix = scratch.subarray(0, 0);

// #region node-digest
export function calculateDigest(path: string, data: Buffer | null, stat: StatPersisted): number {
  if (path.startsWith(ZOOKEEPER_NODE_SUBTREE)) return 0;
  if (path === "/") path = "";
  const dataLength = data === null ? 0 : data.length;
  const need = path.length * 3 + dataLength + 60;
  if (need > scratch.length) {
    scratch = Buffer.alloc(Math.max(need, scratch.length * 2));
    scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
    scratchPrefix = scratch.subarray(0, 0);
  }
  let n = copyShortAscii(scratch, path, 0) ?? scratch.write(path, 0, "utf8");
  if (data !== null) {
    scratch.set(data, n);
    n += data.length;
  }
  scratchView.setBigInt64(n, stat.czxid);
  scratchView.setBigInt64(n + 8, stat.mzxid);
  scratchView.setBigInt64(n + 16, stat.pzxid);
  scratchView.setBigInt64(n + 24, stat.ctime);
  scratchView.setBigInt64(n + 32, stat.mtime);
  scratchView.setInt32(n + 40, stat.version);
  scratchView.setInt32(n + 44, stat.cversion);
  scratchView.setInt32(n + 48, stat.aversion);
  scratchView.setBigInt64(n + 52, stat.ephemeralOwner);
  if (scratchPrefix.length !== n + 60) scratchPrefix = scratch.subarray(0, n + 60);
  return crc32(scratchPrefix);
}
// #endregion node-digest

/** Adds a node digest to a tree digest, wrapping at 64 bits like a Java long. */
export function addDigest(tree: bigint, node: number): bigint {
  return BigInt.asIntN(64, tree + BigInt(node));
}

export function removeDigest(tree: bigint, node: number): bigint {
  return BigInt.asIntN(64, tree - BigInt(node));
}
