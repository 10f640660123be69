/**
 * FileTxnSnapLog: the data directory layout and its checks, T15 empty start, T16 log
 * without snapshot (and the trust-empty-snapshot escape hatch), T17 replay range and
 * listener, T18 fuzzy snapshot tolerance, session bookkeeping during replay, digest
 * checks during replay, save naming, truncateLog.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataTree } from "../../src/data/DataTree.js";
import { ZKDatabase, type TxnSnapLog } from "../../src/data/ZKDatabase.js";
import type { TxnHeader } from "../../src/jute/txn.js";
import { FileSnap } from "../../src/persistence/FileSnap.js";
import { DatadirException, FileTxnSnapLog, LogDirContentCheckException, SnapDirContentCheckException } from "../../src/persistence/FileTxnSnapLog.js";
import type { TxnLogEntry } from "../../src/persistence/TxnLogEntry.js";
import { makeSnapshotName } from "../../src/persistence/Util.js";
import { captureLog, tempDir } from "./support/files.js";
import { dumpTree } from "./support/tree.js";
import { TxnBuilder } from "./support/TxnBuilder.js";

const OPTS = { preAllocSizeBytes: 64 * 1024 };
const z = (c: number) => 0x100000000n + BigInt(c);

async function appendAll(snapLog: FileTxnSnapLog, entries: TxnLogEntry[]): Promise<void> {
  for (const e of entries) snapLog.append(e);
  await snapLog.commit();
}

/** A data dir that has been started once: it holds the empty snapshot.0. */
async function openWithEmptySnapshot(dir: string): Promise<FileTxnSnapLog> {
  const s = await FileTxnSnapLog.open(dir, dir, OPTS);
  const empty = new TxnBuilder();
  await s.save(empty.tree, empty.sessions, false);
  return s;
}

/** Restores `dir` into a fresh tree; returns everything restore produced. */
async function restore(dir: string, opts = {}) {
  const snapLog = await FileTxnSnapLog.open(dir, dir, { ...OPTS, ...opts });
  const tree = new DataTree({ extendedTypesEnabled: true });
  const sessions = new Map<bigint, number>();
  const seen: TxnHeader[] = [];
  try {
    const zxid = await snapLog.restore(tree, sessions, (hdr) => seen.push(hdr));
    return { zxid, tree, sessions, seen, snapLog };
  } finally {
    await snapLog.close();
  }
}

describe("FileTxnSnapLog", () => {
  it("creates version-2 under both directories, and checks that neither holds the other's files", async () => {
    const root = await tempDir();
    const logs = join(root, "logs");
    const snaps = join(root, "snaps");
    const s = await FileTxnSnapLog.open(logs, snaps);
    expect(s.dataDir).toBe(join(logs, "version-2"));
    expect(s.snapDir).toBe(join(snaps, "version-2"));
    expect(await readdir(logs)).toEqual(["version-2"]);
    await s.close();
    await writeFile(join(logs, "version-2", "snapshot.5"), "x");
    await expect(FileTxnSnapLog.open(logs, snaps)).rejects.toThrow(LogDirContentCheckException);
    await writeFile(join(snaps, "version-2", "log.5"), "x");
    await expect(FileTxnSnapLog.open(join(root, "other"), snaps)).rejects.toThrow(SnapDirContentCheckException);
    // One directory for both is the common case and is not checked.
    expect(await FileTxnSnapLog.open(snaps, snaps)).toBeInstanceOf(FileTxnSnapLog);
  });

  it("refuses a missing directory when zookeeper.datadir.autocreate is off", async () => {
    const root = await tempDir();
    await expect(FileTxnSnapLog.open(join(root, "nope"), root, { autoCreateDataDir: false })).rejects.toThrow(DatadirException);
    await expect(FileTxnSnapLog.open(join(root, "nope"), root, { autoCreateDataDir: false })).rejects.toThrow(/Missing data directory .*zookeeper.datadir.autocreate is false/);
    await mkdir(join(root, "version-2"));
    expect(await FileTxnSnapLog.open(root, root, { autoCreateDataDir: false })).toBeInstanceOf(FileTxnSnapLog);
  });

  it("T15 empty start: no snapshot, no log → an empty snapshot.0 is saved and 0 returned", async () => {
    const dir = await tempDir();
    const r = await restore(dir);
    expect(r.zxid).toBe(0n);
    expect(r.seen).toEqual([]);
    expect(await readdir(join(dir, "version-2"))).toEqual(["snapshot.0"]);
    expect([...dumpTree(r.tree).keys()]).toEqual(["/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"]);
    // And that snapshot restores.
    expect((await restore(dir)).zxid).toBe(0n);
  });

  it("T15 with zookeeper.db.autocreate off: -1, unless an initialize file says otherwise (used once)", async () => {
    const dir = await tempDir();
    const lines = captureLog();
    const r = await restore(dir, { autoCreateDB: false });
    expect(r.zxid).toBe(-1n);
    expect(r.tree.lastProcessedZxid).toBe(-1n);
    expect(lines.some((l) => l.includes("Unexpected empty data tree, setting zxid to -1"))).toBe(true);
    expect(await readdir(join(dir, "version-2"))).toEqual([]);
    await writeFile(join(dir, "initialize"), "");
    expect((await restore(dir, { autoCreateDB: false })).zxid).toBe(0n);
    expect(await readdir(dir)).toEqual(["version-2"]);
  });

  it("T16 a log without a snapshot is an error, unless zookeeper.snapshot.trust.empty is set", async () => {
    const dir = await tempDir();
    const b = new TxnBuilder();
    b.createSession(0x9n);
    b.create("/a");
    b.create("/a/b");
    const s = await FileTxnSnapLog.open(dir, dir, OPTS);
    await appendAll(s, b.entries);
    await s.close();
    await expect(restore(dir)).rejects.toThrow("No snapshot found, but there are log entries. Something is broken!");
    const lines = captureLog();
    const r = await restore(dir, { trustEmptySnapshot: true });
    expect(r.zxid).toBe(z(3));
    expect(r.seen.map((h) => h.zxid)).toEqual([z(1), z(2), z(3)]);
    expect(dumpTree(r.tree)).toEqual(dumpTree(b.tree));
    expect(lines.some((l) => l.includes("WARN") && l.includes("This should only be allowed during upgrading."))).toBe(true);
  });

  it("T17 snapshot at 1:5, logs holding 1:3…1:9: replay starts at 1:6, the listener sees 1:6…1:9, 1:9 is returned", async () => {
    const dir = await tempDir();
    const s = await FileTxnSnapLog.open(dir, dir, OPTS);
    const b = new TxnBuilder();
    b.createSession(0x42n, 12000);
    for (let i = 2; i <= 5; i++) b.create(`/p${i}`, Buffer.from(String(i)));
    await s.save(b.tree, b.sessions, true);
    expect(await readdir(s.snapDir)).toContain(makeSnapshotName(z(5)));
    for (let i = 6; i <= 9; i++) b.create(`/p${i}`, Buffer.from(String(i)));
    await appendAll(s, b.entries.slice(2, 6)); // log.100000003: 1:3..1:6
    s.rollLog();
    await appendAll(s, b.entries.slice(6)); // log.100000007: 1:7..1:9
    await s.close();
    expect((await readdir(s.dataDir)).filter((n) => n.startsWith("log.")).sort()).toEqual(["log.100000003", "log.100000007"]);

    const r = await restore(dir);
    expect(r.zxid).toBe(z(9));
    expect(r.seen.map((h) => h.zxid)).toEqual([z(6), z(7), z(8), z(9)]);
    expect(r.tree.lastProcessedZxid).toBe(z(9));
    expect(dumpTree(r.tree)).toEqual(dumpTree(b.tree));
    expect(r.sessions).toEqual(new Map([[0x42n, 12000]]));
    expect(r.tree.digestMismatches).toBe(0);
  });

  it("T18 a replayed create of a node the fuzzy snapshot already holds is ignored and restore goes on", async () => {
    const dir = await tempDir();
    const s = await FileTxnSnapLog.open(dir, dir, OPTS);
    const b = new TxnBuilder();
    for (let i = 1; i <= 5; i++) b.create(`/f${i}`);
    b.create("/fuzzy", Buffer.from("in the snapshot already")); // 1:6
    // The snapshot was started at 1:5 but, being fuzzy, caught the create at 1:6.
    await new FileSnap(s.snapDir).serialize(b.tree, b.sessions, join(s.snapDir, makeSnapshotName(z(5))), true);
    b.setData("/fuzzy", Buffer.from("after")); // 1:7
    b.create("/after"); // 1:8
    await appendAll(s, b.entries);
    await s.close();

    const lines = captureLog();
    const r = await restore(dir);
    expect(r.zxid).toBe(z(8));
    expect(r.seen.map((h) => h.zxid)).toEqual([z(6), z(7), z(8)]);
    expect(dumpTree(r.tree)).toEqual(dumpTree(b.tree));
    expect(r.tree.digestMismatches).toBe(0);
    expect(lines.filter((l) => l.includes("ERROR"))).toEqual([]);
  });

  it("T17 as ZKDatabase uses it: loadDataBase fills the committedLog from the replayed txns", async () => {
    const dir = await tempDir();
    const s = await openWithEmptySnapshot(dir);
    const b = new TxnBuilder();
    for (let i = 1; i <= 4; i++) b.create(`/z${i}`);
    await appendAll(s, b.entries);
    await s.close();
    const storage: TxnSnapLog = await FileTxnSnapLog.open(dir, dir, OPTS);
    const db = new ZKDatabase(storage);
    expect(await db.loadDataBase()).toBe(z(4));
    expect(db.committedLog.map((p) => p.zxid)).toEqual([z(1), z(2), z(3), z(4)]);
    expect(db.committedLog[3]!.entry).toEqual(b.entries[3]);
    await db.close();
  });

  it("processTransaction keeps the session table: createSession adds, closeSession removes with the ephemerals", async () => {
    const dir = await tempDir();
    const s = await openWithEmptySnapshot(dir);
    const b = new TxnBuilder();
    b.createSession(0x1n, 5000);
    b.createSession(0x2n, 6000);
    b.create("/e1", null, { ephemeralOwner: 0x1n });
    b.create("/e2", null, { ephemeralOwner: 0x2n });
    b.closeSession(0x1n);
    await appendAll(s, b.entries);
    await s.close();
    const r = await restore(dir);
    expect(r.sessions).toEqual(new Map([[0x2n, 6000]]));
    expect(r.tree.getNode("/e1")).toBeUndefined();
    expect([...r.tree.getEphemerals(0x2n)]).toEqual(["/e2"]);
  });

  it("counts a digest mismatch when a logged digest disagrees with the replayed tree", async () => {
    const dir = await tempDir();
    const s = await openWithEmptySnapshot(dir);
    const b = new TxnBuilder();
    b.create("/ok");
    const bad = b.create("/tampered");
    await appendAll(s, [b.entries[0]!, { ...bad, digest: { version: 2, treeDigest: bad.digest!.treeDigest + 1n } }]);
    await s.close();
    captureLog();
    expect((await restore(dir)).tree.digestMismatches).toBe(1);
  });

  it("save names the snapshot after lastProcessedZxid, compressed when asked", async () => {
    const dir = await tempDir();
    const b = new TxnBuilder(0x500000000n);
    b.create("/s");
    const s = await FileTxnSnapLog.open(dir, dir, { snapshotCompression: "gz" });
    await s.save(b.tree, b.sessions, true);
    expect(await readdir(s.snapDir)).toEqual(["snapshot.500000001.gz"]);
    expect(s.getLastSnapshotInfo()?.zxid).toBe(0x500000001n);
    await s.close();
    expect((await restore(dir)).zxid).toBe(0x500000001n);
  });

  it("truncateLog drops the txns after a zxid (a follower's TRUNC); restore then stops there", async () => {
    const dir = await tempDir();
    const s = await openWithEmptySnapshot(dir);
    const b = new TxnBuilder();
    for (let i = 1; i <= 6; i++) b.create(`/t${i}`);
    await appendAll(s, b.entries);
    expect(await s.truncateLog(z(4))).toBe(true);
    expect(await s.getLastLoggedZxid()).toBe(z(4));
    await s.close();
    const r = await restore(dir);
    expect(r.zxid).toBe(z(4));
    expect(r.tree.getNode("/t5")).toBeUndefined();
    expect(r.tree.getNode("/t4")).toBeDefined();
  });
});
