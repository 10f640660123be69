/**
 * ZxidUtils — a zxid is (epoch << 32) | counter: the leader's term in the high 32 bits,
 * the txn's number within that term in the low 32.
 *
 * Reimplements `org.apache.zookeeper.server.util.ZxidUtils`. Chapter 01 (ZAB's zxid) and
 * 05–06 (elections compare epochs, a new leader starts counter 0 of a new epoch).
 */
export function getEpochFromZxid(zxid: bigint): bigint {
  return zxid >> 32n;
}

export function getCounterFromZxid(zxid: bigint): bigint {
  return zxid & 0xffffffffn;
}

export function makeZxid(epoch: bigint, counter: bigint): bigint {
  return (epoch << 32n) | (counter & 0xffffffffn);
}

/** As Java's ZxidUtils.zxidToString: the zxid in hex, e.g. "100000005". */
export function zxidToString(zxid: bigint): string {
  return BigInt.asUintN(64, zxid).toString(16);
}
