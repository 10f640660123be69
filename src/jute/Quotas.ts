/**
 * StatsTrack and Quotas — the text format of a quota (`count=…,bytes=…`) and where quotas
 * live in the tree (/zookeeper/quota/<path>/zookeeper_limits and zookeeper_stats).
 *
 * Reimplements `org.apache.zookeeper.StatsTrack` and `org.apache.zookeeper.Quotas`.
 * Shared by both sides, so it lives with the protocol's vocabulary: zk-cli's
 * setquota/listquota/delquota write the limits (chapter 09); the server keeps
 * zookeeper_stats up to date and, with `enforceQuota`, refuses writes past a hard limit
 * (chapter 04: setupQuota runs at the end of the tree rebuild). Not in the handout (U).
 *
 * A quota on /app lives in two nodes:
 *
 *     /zookeeper/quota/app/zookeeper_limits   "count=10,bytes=-1=;byteHardLimit=-1;countHardLimit=20"
 *     /zookeeper/quota/app/zookeeper_stats    "count=3,bytes=42"
 *
 * `count`/`bytes` are soft limits (exceeding them is logged), the `*HardLimit` keys are
 * enforced when `enforceQuota` is on.
 *
 * Java's toString puts a stray "=" before the hard limits
 * ("count=1,bytes=-1=;byteHardLimit=-1;countHardLimit=-1"); it is kept, because that is
 * what 3.8 writes into the tree and prints, and its own parser reads it back.
 */

export const Quotas = {
  procZookeeper: "/zookeeper",
  quotaZookeeper: "/zookeeper/quota",
  limitNode: "zookeeper_limits",
  statNode: "zookeeper_stats",
  quotaPath: (path: string) => `/zookeeper/quota${path}`,
  limitPath: (path: string) => `/zookeeper/quota${path}/zookeeper_limits`,
  statPath: (path: string) => `/zookeeper/quota${path}/zookeeper_stats`,
  trimQuotaPath: (quotaPath: string) => quotaPath.substring("/zookeeper/quota".length),
} as const;

const COUNT = "count";
const BYTES = "bytes";
const COUNT_HARD = "countHardLimit";
const BYTES_HARD = "byteHardLimit";

export class StatsTrack {
  private readonly stats = new Map<string, bigint>();

  constructor(stat: string | Buffer | null = "") {
    const text = stat === null ? "" : stat.toString();
    if (text.length === 0) return;
    for (const pair of text.split(/[,;]+/)) {
      if (pair.length === 0) continue;
      const kv = pair.split("=");
      this.stats.set(kv[0]!, BigInt(kv[1] === undefined || kv[1] === "" ? "-1" : kv[1]));
    }
  }

  private get(key: string): bigint {
    return this.stats.get(key) ?? -1n;
  }

  getCount(): bigint {
    return this.get(COUNT);
  }
  setCount(v: bigint): void {
    this.stats.set(COUNT, v);
  }
  getBytes(): bigint {
    return this.get(BYTES);
  }
  setBytes(v: bigint): void {
    this.stats.set(BYTES, v);
  }
  getCountHardLimit(): bigint {
    return this.get(COUNT_HARD);
  }
  setCountHardLimit(v: bigint): void {
    this.stats.set(COUNT_HARD, v);
  }
  getByteHardLimit(): bigint {
    return this.get(BYTES_HARD);
  }
  setByteHardLimit(v: bigint): void {
    this.stats.set(BYTES_HARD, v);
  }

  toString(): string {
    const rest = [...this.stats.keys()].filter((k) => k !== COUNT && k !== BYTES).sort();
    let s = `${COUNT}=${this.getCount()},${BYTES}=${this.getBytes()}`;
    if (rest.length > 0) s += "=" + rest.map((k) => `;${k}=${this.stats.get(k)}`).join("");
    return s;
  }

  getStatsBytes(): Buffer {
    return Buffer.from(this.toString(), "utf8");
  }
}
