/**
 * Util: Java's file naming (Long.toHexString / Long.parseLong(hex, 16)), sorting, the
 * padding rule, and the framing of one log entry, byte by byte.
 */
import { describe, expect, it } from "vitest";
import { BinaryOutputArchive } from "../../src/jute/BinaryOutputArchive.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { adler32 } from "../../src/persistence/Adler32.js";
import { calculateFileSizeWithPadding } from "../../src/persistence/FilePadding.js";
import type { TxnLogEntry } from "../../src/persistence/TxnLogEntry.js";
import {
  getZxidFromName,
  isLogFileName,
  isSnapshotFileName,
  makeLogName,
  makeSnapshotName,
  marshallTxnEntry,
  readTxnFrame,
  sortDataDir,
  writeTxnEntry,
} from "../../src/persistence/Util.js";

const entry: TxnLogEntry = {
  hdr: { clientId: 0x1234n, cxid: 7, zxid: 0x100000005n, time: 1_700_000_000_000n, type: OpCode.setData },
  body: { type: OpCode.setData, txn: { path: "/a", data: Buffer.from("xyz"), version: 3 } },
  digest: { version: 2, treeDigest: -42n },
};

describe("Util file names", () => {
  it("names files with unpadded lowercase hex, negative zxids as 64-bit two's complement", () => {
    expect(makeLogName(0x100000001n)).toBe("log.100000001");
    expect(makeLogName(0n)).toBe("log.0");
    expect(makeSnapshotName(0xabcn)).toBe("snapshot.abc");
    expect(makeSnapshotName(0xabcn, ".gz")).toBe("snapshot.abc.gz");
    expect(makeLogName(-1n)).toBe("log.ffffffffffffffff");
  });

  it("parses zxids as Long.parseLong(hex, 16) does", () => {
    expect(getZxidFromName("log.100000001", "log")).toBe(0x100000001n);
    expect(getZxidFromName("snapshot.ABC.gz", "snapshot")).toBe(0xabcn);
    expect(getZxidFromName("snapshot.7fffffffffffffff", "snapshot")).toBe(0x7fffffffffffffffn);
    expect(getZxidFromName("log.-5", "log")).toBe(-5n);
    // Out of a signed long's range, not hex, wrong prefix, no zxid: -1.
    expect(getZxidFromName("log.ffffffffffffffff", "log")).toBe(-1n);
    expect(getZxidFromName("log.xyz", "log")).toBe(-1n);
    expect(getZxidFromName("snapshot.5", "log")).toBe(-1n);
    expect(getZxidFromName("log.", "log")).toBe(-1n);
    expect(getZxidFromName("log", "log")).toBe(-1n);
    expect(getZxidFromName("tmp.snapshot.5", "snapshot")).toBe(-1n);
  });

  it("sorts by zxid, not by name, with unparsable names as -1", () => {
    const names = ["log.a", "log.100000001", "log.9", "junk", "log.2"];
    expect(sortDataDir(names, "log", true)).toEqual(["junk", "log.2", "log.9", "log.a", "log.100000001"]);
    expect(sortDataDir(names, "log", false)).toEqual(["log.100000001", "log.a", "log.9", "log.2", "junk"]);
  });

  it("recognizes log and snapshot names by prefix", () => {
    expect(isLogFileName("log.1")).toBe(true);
    expect(isLogFileName("logs")).toBe(false);
    expect(isSnapshotFileName("snapshot.0.snappy")).toBe(true);
    expect(isSnapshotFileName("tmp.snapshot.0")).toBe(false);
  });
});

describe("FilePadding", () => {
  const MB = 1 << 20;
  it("grows the file only within 4 KiB of its end, by one step or past the writes", () => {
    expect(calculateFileSizeWithPadding(0, 0, 64 * MB)).toBe(64 * MB);
    expect(calculateFileSizeWithPadding(1000, 64 * MB, 64 * MB)).toBe(64 * MB);
    expect(calculateFileSizeWithPadding(64 * MB - 4096, 64 * MB, 64 * MB)).toBe(128 * MB);
    expect(calculateFileSizeWithPadding(64 * MB - 4097, 64 * MB, 64 * MB)).toBe(64 * MB);
    expect(calculateFileSizeWithPadding(200 * MB + 5, 64 * MB, 64 * MB)).toBe(256 * MB);
    expect(calculateFileSizeWithPadding(200 * MB, 64 * MB, 0)).toBe(64 * MB);
  });
});

describe("Util entry framing", () => {
  it("frames an entry as checksum long, length-prefixed txn bytes, 0x42", () => {
    const oa = new BinaryOutputArchive(8);
    writeTxnEntry(oa, entry);
    const framed = oa.toBuffer();
    const txn = marshallTxnEntry(entry);
    expect(framed.length).toBe(8 + 4 + txn.length + 1);
    expect(framed.readBigUInt64BE(0)).toBe(BigInt(adler32(txn)));
    expect(framed.readInt32BE(8)).toBe(txn.length);
    expect(framed.subarray(12, 12 + txn.length)).toEqual(txn);
    expect(framed[framed.length - 1]).toBe(0x42);
    // TxnHeader (8+4+8+8+4) + SetDataTxn (4+2, 4+3, 4) + TxnDigest (4+8)
    expect(txn.length).toBe(32 + 6 + 7 + 4 + 12);
  });

  it("reads back an entry, and names each way a frame can be wrong", () => {
    const oa = new BinaryOutputArchive();
    writeTxnEntry(oa, entry);
    const good = oa.toBuffer();
    const frame = readTxnFrame(good, 0);
    expect(frame.kind).toBe("entry");
    if (frame.kind === "entry") expect(frame.end).toBe(good.length);

    expect(readTxnFrame(Buffer.alloc(13), 0)).toEqual({ kind: "padding" });
    expect(readTxnFrame(good.subarray(0, 11), 0)).toEqual({ kind: "short", need: 12 });
    expect(readTxnFrame(good.subarray(0, good.length - 1), 0)).toEqual({ kind: "short", need: good.length });

    const noEor = Buffer.from(good);
    noEor[noEor.length - 1] = 0;
    expect(readTxnFrame(noEor, 0)).toMatchObject({ kind: "bad", end: null });

    const badLen = Buffer.from(good);
    badLen.writeInt32BE(-7, 8);
    expect(readTxnFrame(badLen, 0)).toMatchObject({ kind: "bad", reason: "unreasonable txn length -7" });

    const flipped = Buffer.from(good);
    flipped[20] = flipped[20]! ^ 1;
    const bad = readTxnFrame(flipped, 0);
    expect(bad).toMatchObject({ kind: "bad", end: good.length });
    if (bad.kind === "bad") expect(bad.reason).toMatch(/^CRC check failed/);
  });
});
