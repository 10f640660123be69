/**
 * FileTxnLog: the 3.8 file format, round trips of every txn type, group commit (one
 * write and one fsync per batch, appends during a commit go to the next one),
 * preallocation, rolling, reading across files, truncate, getLastLoggedZxid, getDbId.
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Code } from "../../src/jute/KeeperException.js";
import { OpCode, Perms } from "../../src/jute/ZooDefs.js";
import { PADDING_MARGIN_BYTES } from "../../src/persistence/FilePadding.js";
import { FileTxnLog } from "../../src/persistence/FileTxnLog.js";
import type { TxnLogEntry } from "../../src/persistence/TxnLogEntry.js";
import { setLogLevel } from "../../src/util/Logger.js";
import { captureLog, countingOpenLogFile, inlineCountingOpenLogFile, ManualClock, newCounts, tempDir } from "./support/files.js";
import { TxnBuilder } from "./support/TxnBuilder.js";

const SMALL_PREALLOC = 64 * 1024;

async function readAll(log: FileTxnLog, from = 0n): Promise<TxnLogEntry[]> {
  const out: TxnLogEntry[] = [];
  for await (const e of await log.read(from)) out.push(e);
  return out;
}

/** One txn of every type a 3.8 log can hold. */
function everyTxnType(): TxnBuilder {
  const b = new TxnBuilder();
  b.createSession(0x5001n, 30000);
  b.create("/a", Buffer.from("hello"));
  b.create("/a/b", null, { create2: true });
  b.create("/a/e", Buffer.alloc(0), { ephemeralOwner: 0x5001n });
  b.createContainer("/c");
  b.createTTL("/t", 60000n, Buffer.from("ttl"));
  b.setData("/a", Buffer.alloc(5000, 7));
  b.setACL("/a/b", [{ perms: Perms.READ | Perms.ADMIN, id: { scheme: "digest", id: "u:hash=" } }]);
  b.multi([b.createBody("/m", Buffer.from("m")), b.setDataBody("/a", null), { type: OpCode.check, txn: { path: "/c", version: 0 } }]);
  b.error(Code.NONODE);
  b.delete("/a/b");
  b.emit(0x5002n, { type: OpCode.reconfig, txn: { path: "/zookeeper/config", data: Buffer.from("server.1=x"), version: 1 } });
  b.closeSession(0x5001n);
  return b;
}

describe("FileTxnLog", () => {
  it("writes the 3.8 file header and names the file after its first txn", async () => {
    const dir = await tempDir();
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC });
    const b = new TxnBuilder(0x300000000n);
    log.append(b.createSession(0x77n));
    await log.commit();
    await log.close();
    expect(await readdir(dir)).toEqual(["log.300000001"]);
    const bytes = await readFile(join(dir, "log.300000001"));
    expect(bytes.subarray(0, 16)).toEqual(Buffer.from([0x5a, 0x4b, 0x4c, 0x47, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]));
    // Preallocated as Java does it: the header, then one preAllocSize step.
    expect(bytes.length).toBe(16 + SMALL_PREALLOC);
    expect(await log.getDbId()).toBe(0n);
  });

  it("round-trips every txn type, with and without digests, and a pre-3.6 closeSession", async () => {
    const dir = await tempDir();
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC });
    const b = everyTxnType();
    const noDigest: TxnLogEntry = { ...b.entries[1]!, hdr: { ...b.entries[1]!.hdr, zxid: b.zxid + 1n }, digest: null };
    const oldClose: TxnLogEntry = { hdr: { clientId: 9n, cxid: 1, zxid: b.zxid + 2n, time: 5n, type: OpCode.closeSession }, body: { type: OpCode.closeSession, txn: null }, digest: null };
    const all = [...b.entries, noDigest, oldClose];
    for (const e of all) log.append(e);
    await log.commit();
    expect(await readAll(log)).toEqual(all);
    // 12 top-level types; check appears only inside the multi.
    expect(new Set(all.map((e) => e.hdr.type)).size).toBe(12);
    await log.close();
  });

  it("group commit: a batch of appends is one write and one fsync", async () => {
    const dir = await tempDir();
    const counts = newCounts();
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC, openFile: countingOpenLogFile(counts) });
    const b = new TxnBuilder();
    for (let i = 0; i < 100; i++) log.append(b.create(`/n${i}`, Buffer.from(`v${i}`)));
    expect(counts.writes).toBe(0); // append alone never touches the file
    await log.commit();
    expect(counts).toMatchObject({ opens: 1, writes: 1, syncs: 1, truncates: 1 });
    expect(await readAll(log)).toHaveLength(100);
    await log.commit(); // nothing appended: no I/O at all
    expect(counts).toMatchObject({ writes: 1, syncs: 1 });
    await log.close();
  });

  it("group commit: appends during an in-flight commit go to the next one, which all waiting commits share", async () => {
    const dir = await tempDir();
    const counts = newCounts();
    let releaseSync: () => void = () => undefined;
    let stall = true;
    const gate = () => (stall ? new Promise<void>((r) => (releaseSync = r)) : undefined);
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC, openFile: countingOpenLogFile(counts, gate) });
    const b = new TxnBuilder();
    for (let i = 0; i < 10; i++) log.append(b.create(`/a${i}`));
    const first = log.commit();
    while (counts.syncs === 0) await new Promise((r) => setImmediate(r));
    // The first commit is stuck in its fsync; these appends must wait for another one.
    for (let i = 0; i < 20; i++) log.append(b.create(`/b${i}`));
    const second = log.commit();
    const third = log.commit();
    expect(third).toBe(second);
    expect(counts.writes).toBe(1);
    let secondDone = false;
    void second.then(() => (secondDone = true));
    stall = false;
    releaseSync();
    await first;
    await second;
    expect(secondDone).toBe(true);
    expect(counts).toMatchObject({ writes: 2, syncs: 2 });
    expect((await readAll(log)).map((e) => e.hdr.zxid)).toEqual(b.entries.map((e) => e.hdr.zxid));
    await log.close();
  });

  it("forceSync=no writes without fsync", async () => {
    const dir = await tempDir();
    const counts = newCounts();
    const log = new FileTxnLog(dir, { forceSync: false, preAllocSizeBytes: SMALL_PREALLOC, openFile: countingOpenLogFile(counts) });
    log.append(new TxnBuilder().createSession(1n));
    await log.commit();
    expect(counts).toMatchObject({ writes: 1, syncs: 0 });
    await log.close();
  });

  it("warns and counts when an fsync takes longer than fsync.warningthresholdms", async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    const lines = captureLog();
    let exceeded = 0;
    const log = new FileTxnLog(dir, {
      preAllocSizeBytes: SMALL_PREALLOC,
      clock,
      fsyncWarningThresholdMs: 1000,
      openFile: countingOpenLogFile(newCounts(), () => clock.advance(1500)),
    });
    log.setServerStats({ incrementFsyncThresholdExceedCount: () => exceeded++ });
    const b = new TxnBuilder();
    log.append(b.createSession(1n));
    await log.commit();
    expect(exceeded).toBe(1);
    expect(log.getTxnLogSyncElapsedTime()).toBe(1500);
    expect(lines.some((l) => l.includes("WARN") && l.includes("took 1500ms"))).toBe(true);
    await log.close();
  });

  it("a lone txn is written inline after 16 quick durable writes in a row; a slow write or a batch of two goes back to the thread pool", async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    const counts = { pooled: 0, inline: 0 };
    let writeMs = 0.2;
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC, clock, openFile: inlineCountingOpenLogFile(counts, () => clock.advance(writeMs)) });
    const b = new TxnBuilder();
    const lone = async () => {
      log.append(b.setData("/x", Buffer.alloc(100, b.entries.length)));
      await log.commit();
    };
    log.append(b.create("/x", Buffer.alloc(100)));
    await log.commit(); // starts the file: always the thread pool
    for (let i = 0; i < 15; i++) await lone();
    expect(counts).toEqual({ pooled: 16, inline: 0 });
    await lone();
    await lone();
    expect(counts).toEqual({ pooled: 16, inline: 2 });
    // Two txns in one commit: the event loop could be preparing others meanwhile.
    log.append(b.setData("/x", null));
    log.append(b.setData("/x", null));
    await log.commit();
    expect(counts).toEqual({ pooled: 17, inline: 2 });
    // A write slower than inlineWriteMaxMicros (1 ms by default) ends the streak.
    writeMs = 5;
    await lone();
    expect(counts).toEqual({ pooled: 17, inline: 3 });
    writeMs = 0.2;
    for (let i = 0; i < 16; i++) await lone();
    expect(counts).toEqual({ pooled: 33, inline: 3 });
    await lone();
    expect(counts).toEqual({ pooled: 33, inline: 4 });
    expect((await readAll(log)).map((e) => e.hdr.zxid)).toEqual(b.entries.map((e) => e.hdr.zxid));
    await log.close();
  });

  it("inline writes leave preallocation to the thread pool: no entry ever runs past the preallocated length", async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    const counts = { pooled: 0, inline: 0 };
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC, clock, openFile: inlineCountingOpenLogFile(counts, () => clock.advance(0.2)) });
    const b = new TxnBuilder();
    log.append(b.create("/x", Buffer.alloc(1000)));
    await log.commit();
    const file = join(dir, (await readdir(dir))[0]!);
    for (let i = 0; i < 150; i++) {
      log.append(b.setData("/x", Buffer.alloc(1000, i)));
      await log.commit();
      // Java's rule: grow when the previous entries end within 4 KiB of the end, so a
      // 1 KB entry always lands inside the preallocated zeros.
      expect((await stat(file)).size - log.getCurrentLogSize()).toBeGreaterThan(PADDING_MARGIN_BYTES - 1100);
    }
    expect((await stat(file)).size).toBe(16 + 3 * SMALL_PREALLOC);
    // The first write and the 15 after it earn the streak; the two preallocation steps
    // go through the pool; everything else is written inline.
    expect(counts).toEqual({ pooled: 18, inline: 133 });
    expect(await readAll(log)).toHaveLength(151);
    await log.close();
  });

  it("txnLogInlineWriteMaxMicros=0 or forceSync=no: never inline", async () => {
    for (const opts of [{ inlineWriteMaxMicros: 0 }, { forceSync: false }]) {
      const dir = await tempDir();
      const counts = { pooled: 0, inline: 0 };
      const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC, ...opts, openFile: inlineCountingOpenLogFile(counts, () => undefined) });
      const b = new TxnBuilder();
      for (let i = 0; i < 40; i++) {
        log.append(b.create(`/n${i}`));
        await log.commit();
      }
      expect(counts).toEqual({ pooled: 40, inline: 0 });
      expect(await readAll(log)).toHaveLength(40);
      await log.close();
    }
  });

  it("preallocates in preAllocSize steps as the writes near the end of the file", async () => {
    const dir = await tempDir();
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC });
    const b = new TxnBuilder();
    log.append(b.create("/x", Buffer.alloc(100)));
    await log.commit();
    const file = join(dir, (await readdir(dir))[0]!);
    expect((await stat(file)).size).toBe(16 + SMALL_PREALLOC);
    for (let i = 0; i < 100; i++) log.append(b.setData("/x", Buffer.alloc(1000, i)));
    await log.commit();
    // ~100 KB of entries in one batch: past the first step, so the file grows to the
    // next multiple of the step past them before the write.
    expect((await stat(file)).size).toBe(2 * SMALL_PREALLOC);
    expect(await readAll(log)).toHaveLength(101);
    await log.close();
  });

  it("txnLogSizeLimitInKb: a commit that leaves the file past the limit makes the next append start a new file", async () => {
    const dir = await tempDir();
    // A limit of two preallocation steps: a file is left once it has grown to its second
    // step (16 + 2 x 64 KiB > 128 KiB).
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC, txnLogSizeLimitBytes: 2 * SMALL_PREALLOC });
    const b = new TxnBuilder(0x100000000n);
    log.append(b.create("/x", Buffer.alloc(100)));
    await log.commit();
    for (let i = 0; i < 150; i++) {
      log.append(b.setData("/x", Buffer.alloc(1000, i)));
      await log.commit();
    }
    await log.close();
    // ~150 KB of entries: the first file is left when it grows to its second step, at
    // about 60 KB of entries, and so is the second; the third holds the rest.
    const names = (await readdir(dir)).sort();
    expect(names.length).toBe(3);
    const sizes = await Promise.all(names.map(async (n) => (await stat(join(dir, n))).size));
    expect(sizes).toEqual([16 + 2 * SMALL_PREALLOC, 16 + 2 * SMALL_PREALLOC, 16 + SMALL_PREALLOC]);
    // Each file starts with the txn after the last one of the previous file, and
    // reading across them gives every txn once, in order.
    const again = new FileTxnLog(dir);
    const all = await readAll(again);
    expect(all.map((e) => e.hdr.zxid)).toEqual(Array.from({ length: 151 }, (_, i) => 0x100000001n + BigInt(i)));
    const firsts = names.map((n) => BigInt("0x" + n.slice("log.".length)));
    expect(firsts[0]).toBe(0x100000001n);
    for (const f of firsts) expect(all.some((e) => e.hdr.zxid === f)).toBe(true);
    await again.close();
  });

  it("txnLogSizeLimitInKb at or below preAllocSize: every commit starts a new file (Java compares the padded length)", async () => {
    const dir = await tempDir();
    // Equal: a fresh file is already 16 bytes longer than one step, so past the limit
    // (ZooKeeper's admin guide warns of this and recommends N x preAllocSize, N >= 2).
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC, txnLogSizeLimitBytes: SMALL_PREALLOC });
    const b = new TxnBuilder(0x100000000n);
    for (let i = 0; i < 4; i++) {
      log.append(b.create(`/n${i}`));
      log.append(b.create(`/m${i}`));
      await log.commit();
    }
    await log.close();
    expect((await readdir(dir)).sort()).toEqual(["log.100000001", "log.100000003", "log.100000005", "log.100000007"]);
  });

  it("txnLogSizeLimitInKb and a snapshot's rollLog at the same time make one new file, not two", async () => {
    const dir = await tempDir();
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC, txnLogSizeLimitBytes: 2 * SMALL_PREALLOC });
    const b = new TxnBuilder(0x100000000n);
    // One commit of ~140 KB: the file grows past the limit.
    for (let i = 0; i < 140; i++) log.append(b.create(`/big${i}`, Buffer.alloc(1000, i)));
    const first = log.commit();
    // While it is written, a snapshot rolls the log and the next txn is appended.
    log.rollLog();
    log.append(b.create("/after-roll"));
    await first;
    log.append(b.create("/same-file"));
    await log.commit();
    await log.close();
    expect((await readdir(dir)).sort()).toEqual(["log.100000001", "log.10000008d"]);
  });

  it("txnLogSizeLimitInKb does not reset the bytes a snapshot's size trigger counts", async () => {
    const dir = await tempDir();
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC, txnLogSizeLimitBytes: 1024 });
    const b = new TxnBuilder(0x100000000n);
    let appended = 0;
    for (let i = 0; i < 3; i++) {
      log.append(b.create(`/x${i}`, Buffer.alloc(500)));
      await log.commit();
      appended = log.getCurrentLogSize();
    }
    expect((await readdir(dir)).length).toBe(3);
    expect(appended).toBeGreaterThan(3 * 500);
    log.rollLog();
    expect(log.getCurrentLogSize()).toBe(0);
    await log.close();
  });

  it("preallocates 64 MiB by default", async () => {
    const dir = await tempDir();
    const log = new FileTxnLog(dir);
    log.append(new TxnBuilder().createSession(1n));
    await log.commit();
    await log.close();
    expect((await stat(join(dir, (await readdir(dir))[0]!))).size).toBe(64 * 1024 * 1024 + 16); // 67108880, as Java's
  });

  it("rolls: the next append starts log.<its zxid>, and a batch spanning the roll writes each file once", async () => {
    const dir = await tempDir();
    const counts = newCounts();
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC, openFile: countingOpenLogFile(counts) });
    const b = new TxnBuilder(0x100000000n);
    for (let i = 0; i < 3; i++) log.append(b.create(`/r${i}`));
    log.rollLog();
    for (let i = 3; i < 6; i++) log.append(b.create(`/r${i}`));
    await log.commit();
    expect(counts).toMatchObject({ opens: 2, writes: 2, syncs: 2 });
    log.rollLog();
    for (let i = 6; i < 9; i++) log.append(b.create(`/r${i}`));
    await log.commit();
    expect((await readdir(dir)).sort()).toEqual(["log.100000001", "log.100000004", "log.100000007"]);
    const zxids = (await readAll(log)).map((e) => e.hdr.zxid);
    expect(zxids).toEqual(b.entries.map((e) => e.hdr.zxid));
    // read(zxid) starts at the first txn >= zxid, from the file that holds it.
    expect((await readAll(log, 0x100000005n)).map((e) => e.hdr.zxid)).toEqual([5n, 6n, 7n, 8n, 9n].map((c) => 0x100000000n + c));
    expect((await readAll(log, 0x100000004n))[0]!.hdr.zxid).toBe(0x100000004n);
    expect(await readAll(log, 0x100000010n)).toEqual([]);
    expect(log.getCurrentLogSize()).toBeGreaterThan(16);
    await log.close();
  });

  it("getLastLoggedZxid: -1 for no logs, else the last whole txn on disk", async () => {
    const dir = await tempDir();
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC });
    expect(await log.getLastLoggedZxid()).toBe(-1n);
    const b = new TxnBuilder();
    for (let i = 0; i < 5; i++) log.append(b.create(`/z${i}`));
    await log.commit();
    expect(await log.getLastLoggedZxid()).toBe(b.zxid);
    // A newest file that holds no txn (a crash right after its header) does not count.
    await writeFile(join(dir, "log.100000099"), Buffer.from([0x5a, 0x4b, 0x4c, 0x47, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(await log.getLastLoggedZxid()).toBe(b.zxid);
    await log.close();
  });

  it("truncate(zxid) keeps exactly the txns <= zxid across files, and the log goes on after it", async () => {
    const dir = await tempDir();
    const lines = captureLog();
    setLogLevel("INFO");
    const log = new FileTxnLog(dir, { preAllocSizeBytes: SMALL_PREALLOC });
    const b = new TxnBuilder(0x200000000n);
    for (let i = 0; i < 4; i++) log.append(b.create(`/t${i}`));
    log.rollLog();
    for (let i = 4; i < 8; i++) log.append(b.create(`/t${i}`));
    await log.commit();
    const cut = 0x200000002n;
    expect(await log.truncate(cut)).toBe(true);
    setLogLevel("WARN");
    expect(await readdir(dir)).toEqual(["log.200000001"]);
    expect(await log.getLastLoggedZxid()).toBe(cut);
    expect(lines.some((l) => l.includes("INFO") && l.includes("removing log.200000005"))).toBe(true);
    const next = { ...b.entries[2]!, hdr: { ...b.entries[2]!.hdr, zxid: 0x300000001n } };
    log.append(next);
    await log.commit();
    expect((await readAll(log)).map((e) => e.hdr.zxid)).toEqual([0x200000001n, 0x200000002n, 0x300000001n]);
    await log.close();
  });

  it("truncate with no log files is an error, as in Java", async () => {
    const log = new FileTxnLog(await tempDir());
    await expect(log.truncate(5n)).rejects.toThrow(/No log files found to truncate/);
  });

  it("refuses an append whose zxid does not move forward", async () => {
    const log = new FileTxnLog(await tempDir(), { preAllocSizeBytes: SMALL_PREALLOC });
    const b = new TxnBuilder();
    const e = b.create("/x");
    log.append(e);
    expect(() => log.append(e)).toThrow(/is <= /);
    await log.close();
  });

  it("a failed write fails that commit and every later one", async () => {
    const dir = await tempDir();
    const log = new FileTxnLog(dir, {
      preAllocSizeBytes: SMALL_PREALLOC,
      openFile: countingOpenLogFile(newCounts(), () => {
        throw new Error("EIO: disk on fire");
      }),
    });
    const b = new TxnBuilder();
    log.append(b.create("/x"));
    await expect(log.commit()).rejects.toThrow(/disk on fire/);
    expect(() => log.append(b.create("/y"))).toThrow(/disk on fire/);
    await expect(log.commit()).rejects.toThrow(/disk on fire/);
  });
});
