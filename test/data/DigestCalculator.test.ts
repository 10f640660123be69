import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createStat } from "../../src/data/DataNode.js";
import { calculateDigest } from "../../src/data/DigestCalculator.js";
import type { StatPersisted } from "../../src/jute/data.js";

/** DigestCalculator's layout built the slow, obvious way: path, data, then the stat fields. */
function reference(path: string, data: Buffer | null, s: StatPersisted): number {
  const stat = Buffer.alloc(60);
  stat.writeBigInt64BE(s.czxid, 0);
  stat.writeBigInt64BE(s.mzxid, 8);
  stat.writeBigInt64BE(s.pzxid, 16);
  stat.writeBigInt64BE(s.ctime, 24);
  stat.writeBigInt64BE(s.mtime, 32);
  stat.writeInt32BE(s.version, 40);
  stat.writeInt32BE(s.cversion, 44);
  stat.writeInt32BE(s.aversion, 48);
  stat.writeBigInt64BE(s.ephemeralOwner, 52);
  return crc32(Buffer.concat([Buffer.from(path === "/" ? "" : path, "utf8"), data ?? Buffer.alloc(0), stat]));
}

describe("DigestCalculator", () => {
  it("hashes path (UTF-8), data and stat in one CRC-32, whatever the path's characters and the sizes in a row", () => {
    const stat = { ...createStat(0x1234_5678_9an, 1_700_000_000_123n, 0x55n), version: 3, cversion: -1, aversion: 2 };
    const paths = ["/", "/a", "/bench/r1-s3/n0000012345", "/ascii-then-é", "/日本/😀", "/" + "x".repeat(100)];
    const datas = [null, Buffer.alloc(0), Buffer.alloc(100, 7), Buffer.alloc(100, 8), Buffer.alloc(10_000, 9)];
    for (const path of paths) for (const data of datas) expect(calculateDigest(path, data, stat)).toBe(reference(path, data, stat));
  });

  it("leaves out everything under /zookeeper/", () => {
    expect(calculateDigest("/zookeeper/quota", null, createStat(1n, 1n, 0n))).toBe(0);
  });
});
