/**
 * Quotas and StatsTrack — the /zookeeper/quota subtree and the text format of its
 * limit and stat nodes.
 *
 * Reimplements `org.apache.zookeeper.Quotas` and `org.apache.zookeeper.StatsTrack`
 * (3.7+ format with hard limits). Chapter 04 (setupQuota runs at the end of the tree
 * rebuild, [001 L2615–2732]).
 *
 * A quota on /app lives in two nodes:
 *
 *     /zookeeper/quota/app/zookeeper_limits   "count=10,bytes=-1=;byteHardLimit=-1;countHardLimit=20"
 *     /zookeeper/quota/app/zookeeper_stats    "count=3,bytes=42"
 *
 * `count`/`bytes` are soft limits (exceeding them is logged), the `*HardLimit` keys are
 * enforced when `enforceQuota` is on. The odd "=" after the bytes value keeps pre-3.7
 * parsers, which split on "=" and read two fields, from choking on the new keys.
 */

export const procZookeeper = "/zookeeper";
export const quotaZookeeper = "/zookeeper/quota";
export const configZookeeper = "/zookeeper/config";
export const limitNode = "zookeeper_limits";
export const statNode = "zookeeper_stats";

export const quotaPath = (path: string): string => quotaZookeeper + path;
export const limitPath = (path: string): string => `${quotaZookeeper}${path}/${limitNode}`;
export const statPath = (path: string): string => `${quotaZookeeper}${path}/${statNode}`;
export const trimQuotaPath = (p: string): string => p.substring(quotaZookeeper.length);

// #region stats-track
export class StatsTrack {
  private readonly stats = new Map<string, bigint>();

  constructor(text: string | Buffer | null = "") {
    const s = text === null ? "" : typeof text === "string" ? text : text.toString("utf8");
    if (s.length === 0) return;
    for (const pair of s.split(/[,;]+/)) {
      if (pair.length === 0) continue;
      const [k, v] = pair.split("=");
      this.stats.set(k!, BigInt(v === undefined || v === "" ? "-1" : v));
    }
  }

  private get(key: string): bigint {
    return this.stats.get(key) ?? -1n;
  }

  get count(): bigint {
    return this.get("count");
  }
  set count(v: bigint) {
    this.stats.set("count", v);
  }
  get bytes(): bigint {
    return this.get("bytes");
  }
  set bytes(v: bigint) {
    this.stats.set("bytes", v);
  }
  get countHardLimit(): bigint {
    return this.get("countHardLimit");
  }
  set countHardLimit(v: bigint) {
    this.stats.set("countHardLimit", v);
  }
  get byteHardLimit(): bigint {
    return this.get("byteHardLimit");
  }
  set byteHardLimit(v: bigint) {
    this.stats.set("byteHardLimit", v);
  }

  toString(): string {
    let out = `count=${this.count},bytes=${this.bytes}`;
    const rest = [...this.stats.keys()].filter((k) => k !== "count" && k !== "bytes").sort();
    if (rest.length > 0) {
      out += "=";
      for (const k of rest) out += `;${k}=${this.stats.get(k)}`;
    }
    return out;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.toString(), "utf8");
  }
}
// #endregion stats-track
