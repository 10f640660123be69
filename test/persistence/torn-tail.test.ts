/**
 * Torn log tails: what a crash between write and fsync (or a partial write, or garbage)
 * leaves at the end of a log is cut off on restore, with a logged reason, and the log
 * goes on after the last whole entry; damage in the middle of a log, with good entries
 * after it, is an error naming the file and offset ("CRC check failed", as in Java).
 *
 * The property test cuts the last entry at every byte offset, three ways — file
 * truncated there (no padding), zeros from there on (preallocated file), random
 * garbage from there on — and checks that restore never fails and never returns half
 * an entry.
 */
import { readdir, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { DataTree } from "../../src/data/DataTree.js";
import { FileTxnSnapLog } from "../../src/persistence/FileTxnSnapLog.js";
import type { TxnLogEntry } from "../../src/persistence/TxnLogEntry.js";
import { captureLog, tempDir } from "./support/files.js";
import { dumpTree } from "./support/tree.js";
import { TxnBuilder } from "./support/TxnBuilder.js";

const PREALLOC = 4096;

/** A data dir with an empty snapshot and one log of `n` txns; returns the entries and the log path. */
async function dataDirWithLog(dir: string, n: number, preAllocSizeBytes = PREALLOC): Promise<{ b: TxnBuilder; log: string; ends: number[] }> {
  const s = await FileTxnSnapLog.open(dir, dir, { preAllocSizeBytes });
  const b0 = new TxnBuilder();
  await s.save(b0.tree, b0.sessions, false);
  const b = new TxnBuilder();
  b.createSession(0x7n, 9000);
  for (let i = 1; i < n; i++) b.create(`/n${i}`, Buffer.from(`value-${i}`));
  for (const e of b.entries) s.append(e);
  await s.commit();
  await s.close();
  const log = join(s.dataDir, (await readdir(s.dataDir)).find((f) => f.startsWith("log."))!);
  // Entry boundaries: header, then each entry's frame.
  const bytes = await readFile(log);
  const ends: number[] = [16];
  while (ends.length <= n) {
    const at = ends[ends.length - 1]!;
    ends.push(at + 13 + bytes.readInt32BE(at + 8));
  }
  return { b, log, ends };
}

async function restoreDir(dir: string): Promise<{ zxid: bigint; tree: DataTree; replayed: bigint[] }> {
  const s = await FileTxnSnapLog.open(dir, dir, { preAllocSizeBytes: PREALLOC });
  const tree = new DataTree({ extendedTypesEnabled: true });
  const replayed: bigint[] = [];
  try {
    const zxid = await s.restore(tree, new Map(), (hdr) => replayed.push(hdr.zxid));
    return { zxid, tree, replayed };
  } finally {
    await s.close();
  }
}

/** The tree after the first k entries of `b`. */
function treeAfter(entries: TxnLogEntry[], k: number): DataTree {
  const t = new DataTree({ extendedTypesEnabled: true });
  for (const e of entries.slice(0, k)) t.processTxn(e.hdr, e.body, e.digest);
  return t;
}

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) & 0xff;
}

describe("torn log tails", () => {
  it("a file cut inside its last entry is truncated to the last whole one, and the log goes on after it", async () => {
    const dir = await tempDir();
    const lines = captureLog();
    const { b, log, ends } = await dataDirWithLog(dir, 5);
    await truncate(log, ends[5]! - 7);
    const r = await restoreDir(dir);
    expect(r.zxid).toBe(b.entries[3]!.hdr.zxid);
    expect((await stat(log)).size).toBe(ends[4]);
    expect(lines.some((l) => l.includes("WARN") && l.includes(`Truncating torn tail of ${log} at offset ${ends[4]} after 4 txns`))).toBe(true);

    // The server logs the lost txn's zxid again, and everything reads back in order.
    const s = await FileTxnSnapLog.open(dir, dir, { preAllocSizeBytes: PREALLOC });
    s.append(b.entries[4]!);
    await s.commit();
    await s.close();
    const again = await restoreDir(dir);
    expect(again.zxid).toBe(b.entries[4]!.hdr.zxid);
    expect(dumpTree(again.tree)).toEqual(dumpTree(b.tree));
  });

  /** Damages the log of `n` txns, restores, and checks that exactly `kept` whole txns remain. */
  async function cutCase(n: number, kept: number, damage: (bytes: Buffer, ends: number[]) => void): Promise<void> {
    const dir = await tempDir();
    captureLog();
    const { b, log, ends } = await dataDirWithLog(dir, n);
    const bytes = await readFile(log);
    damage(bytes, ends);
    await writeFile(log, bytes);
    const r = await restoreDir(dir);
    expect(r.zxid).toBe(b.entries[kept - 1]!.hdr.zxid);
    expect((await stat(log)).size).toBe(ends[kept]);
  }

  it("an entry whose bytes never reached the disk (zeros after its length) is cut off", async () => {
    await cutCase(5, 4, (bytes, ends) => bytes.fill(0, ends[4]! + 12, ends[5]!));
  });

  it("garbage after the last whole entry is cut off", async () => {
    await cutCase(4, 4, (bytes, ends) => Buffer.from("this is not a txn at all, just noise").copy(bytes, ends[4]! + 100));
  });

  it("zero padding after the last entry is the normal end: nothing is cut, nothing logged", async () => {
    const dir = await tempDir();
    const lines = captureLog();
    const { b, log } = await dataDirWithLog(dir, 4);
    const size = (await stat(log)).size;
    expect(size).toBe(PREALLOC + 16); // Java's first step: the header's 16 bytes plus preAllocSize
    const r = await restoreDir(dir);
    expect(r.zxid).toBe(b.entries[3]!.hdr.zxid);
    expect((await stat(log)).size).toBe(size);
    expect(lines.filter((l) => l.includes("WARN"))).toEqual([]);
  });

  it("a bad checksum in the last entry is a torn tail (Java would refuse to start)", async () => {
    await cutCase(4, 3, (bytes, ends) => (bytes[ends[3]! + 30] ^= 0x01));
  });

  it("a bad checksum in the middle, followed by good entries, is an error naming file and offset; nothing is cut", async () => {
    const dir = await tempDir();
    const { log, ends } = await dataDirWithLog(dir, 5);
    const bytes = await readFile(log);
    bytes[ends[2]! + 30] ^= 0x01;
    await writeFile(log, bytes);
    await expect(restoreDir(dir)).rejects.toThrow(`${log} at offset ${ends[2]}: CRC check failed`);
    expect(await readFile(log)).toEqual(bytes);
  });

  it("a log file holding no whole entry (a crash right after it was created) is removed", async () => {
    const dir = await tempDir();
    const lines = captureLog();
    const { b, log } = await dataDirWithLog(dir, 3);
    const empty = join(dir, "version-2", "log.100000004");
    await writeFile(empty, Buffer.alloc(4096));
    const r = await restoreDir(dir);
    expect(r.zxid).toBe(b.entries[2]!.hdr.zxid);
    expect(await readdir(join(dir, "version-2"))).not.toContain("log.100000004");
    expect(lines.some((l) => l.includes(`Removing log file ${empty}`))).toBe(true);
    expect(await readdir(join(dir, "version-2"))).toContain(log.substring(log.lastIndexOf("/") + 1));
  });

  it("property: cut at every byte of the last entry (truncated, zero-filled, garbage), restore never fails or returns half an entry", async () => {
    const dir = await tempDir();
    captureLog();
    const n = 4;
    const { b, log, ends } = await dataDirWithLog(dir, n, PREALLOC);
    const original = await readFile(log);
    const whole = dumpTree(treeAfter(b.entries, n - 1));
    const full = dumpTree(b.tree);
    const random = lcg(12345);
    let checked = 0;
    for (let cut = ends[n - 1]!; cut < ends[n]!; cut++) {
      for (const how of ["truncated", "zeros", "garbage"] as const) {
        const bytes = Buffer.from(original);
        if (how === "zeros") bytes.fill(0, cut);
        if (how === "garbage") for (let i = cut; i < Math.min(bytes.length, ends[n]! + 64); i++) bytes[i] = random();
        await writeFile(log, how === "truncated" ? bytes.subarray(0, cut) : bytes);
        const r = await restoreDir(dir).catch((e: Error) => {
          throw new Error(`${how} at ${cut}: ${e.message}`);
        });
        // Only the whole entries, or (garbage that happens to rebuild the entry) all.
        const got = dumpTree(r.tree);
        if (r.replayed.length === n) expect(got, `${how} at ${cut}`).toEqual(full);
        else expect({ how, cut, replayed: r.replayed.length, same: isDeepStrictEqual(got, whole) }).toEqual({ how, cut, replayed: n - 1, same: true });
        checked++;
      }
    }
    expect(checked).toBe(3 * (ends[n]! - ends[n - 1]!));
  });
});
