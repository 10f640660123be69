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
import type { StatPersisted } from "../jute/data.js";

export const DIGEST_VERSION = 2;
const ZOOKEEPER_NODE_SUBTREE = "/zookeeper/";

const statBuf = Buffer.alloc(60);
// DataView writes compile to machine code; Buffer.writeBigInt64BE is BigInt arithmetic.
const statView = new DataView(statBuf.buffer, statBuf.byteOffset, statBuf.byteLength);

// #region node-digest
export function calculateDigest(path: string, data: Buffer | null, stat: StatPersisted): number {
  if (path.startsWith(ZOOKEEPER_NODE_SUBTREE)) return 0;
  if (path === "/") path = "";
  statView.setBigInt64(0, stat.czxid);
  statView.setBigInt64(8, stat.mzxid);
  statView.setBigInt64(16, stat.pzxid);
  statView.setBigInt64(24, stat.ctime);
  statView.setBigInt64(32, stat.mtime);
  statView.setInt32(40, stat.version);
  statView.setInt32(44, stat.cversion);
  statView.setInt32(48, stat.aversion);
  statView.setBigInt64(52, stat.ephemeralOwner);
  let crc = crc32(path);
  if (data !== null) crc = crc32(data, crc);
  return crc32(statBuf, crc);
}
// #endregion node-digest

/** Adds a node digest to a tree digest, wrapping at 64 bits like a Java long. */
export function addDigest(tree: bigint, node: number): bigint {
  return BigInt.asIntN(64, tree + BigInt(node));
}

export function removeDigest(tree: bigint, node: number): bigint {
  return BigInt.asIntN(64, tree - BigInt(node));
}
