/**
 * Disk compatibility with Apache ZooKeeper 3.8, both ways.
 *
 * (a) Apache writes, we read: Apache runs on a temp data dir with snapCount=10 (so it
 *     takes several fuzzy snapshots and rolls its log), node-zookeeper-client and a raw
 *     client build a varied tree, Apache is stopped (SIGTERM, or kill -9), and our
 *     FileTxnSnapLog restores the dir. The tree must equal what the client read from
 *     Apache (paths, data, every Stat field, ACLs), and every TxnDigest Apache logged
 *     must agree with our tree (digestMismatches = 0, or, when Java's own fuzzy-snapshot
 *     race left a digest that lags the snapshot, exactly as many as Apache counts on the
 *     same data dir). Variants with gzip and Snappy
 *     snapshots exercise our decoders on Apache's bytes.
 *
 * (b) We write, Apache reads: our FileTxnSnapLog writes a snapshot and logs of txns
 *     built by hand (every create kind, sessions, setACL, multi, closeSession, a
 *     snapshot in the middle), Apache starts on that dir, its tree must read back as
 *     ours is, and its `mntr` must report zk_digest_mismatches_count 0 — with a
 *     tampered digest as the control that shows the check is live.
 */
import { createHash } from "node:crypto";
import { cp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import zookeeper from "node-zookeeper-client";
import { DataTree } from "../../src/data/DataTree.js";
import type { ACL } from "../../src/jute/data.js";
import { Perms } from "../../src/jute/ZooDefs.js";
import { adler32 } from "../../src/persistence/Adler32.js";
import { FileTxnSnapLog } from "../../src/persistence/FileTxnSnapLog.js";
import { fileExtension, type StreamMode } from "../../src/persistence/SnapStream.js";
import { sortDataDir } from "../../src/persistence/Util.js";
import { apacheZooKeeperAvailable, startApacheZooKeeper, type ApacheZooKeeper } from "../support/apacheZooKeeper.js";
import { fourLetterWord } from "../support/net.js";
import { captureLog, tempDir } from "./support/files.js";
import { rawCreate } from "./support/rawCreate.js";
import { dumpTree } from "./support/tree.js";
import { TxnBuilder } from "./support/TxnBuilder.js";
import { call, closeClient, connectClient, CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, readServerTree, type Client } from "./support/zkClient.js";

const digestId = (user: string, password: string) => `${user}:${createHash("sha1").update(`${user}:${password}`).digest("base64")}`;
const BOB = digestId("bob", "secret");
const { ACL: ZkACL, Id: ZkId, Permission, CreateMode } = zookeeper;

/** Starts Apache ZooKeeper and makes sure the test stops it (which removes its temp home). */
async function startApache(dataDir: string, systemProperties: Record<string, string> = {}): Promise<ApacheZooKeeper> {
  const zk = await startApacheZooKeeper({
    dataDir,
    extraConfig: { snapCount: 10 },
    systemProperties: { "zookeeper.extendedTypesEnabled": "true", ...systemProperties },
  });
  onTestFinished(async () => {
    await zk.stop();
  });
  return zk;
}

/** The client's part of the workload: every kind of node and change it can make. */
async function clientWorkload(c: Client, connectString: string): Promise<void> {
  c.addAuthInfo("digest", Buffer.from("bob:secret"));
  const create = (path: string, data?: Buffer, acl = OPEN_ACL_UNSAFE, mode = CreateMode.PERSISTENT) =>
    call((cb) => (data === undefined ? c.create(path, acl, mode, cb) : c.create(path, data, acl, mode, cb)));
  await create("/app", Buffer.from("config"));
  for (let i = 0; i < 3; i++) await create("/app/seq-", Buffer.from(`s${i}`), undefined, CreateMode.PERSISTENT_SEQUENTIAL);
  await create("/app/eph", Buffer.from("e"), undefined, CreateMode.EPHEMERAL);
  await create("/app/ephseq-", Buffer.alloc(0), undefined, CreateMode.EPHEMERAL_SEQUENTIAL);
  await create("/empty", Buffer.alloc(0));
  await create("/nulldata");
  await create("/big", Buffer.alloc(500_000, 7));
  await create("/mid", Buffer.alloc(1000, 3));
  await create("/secure", Buffer.from("s"), [new ZkACL(Permission.ALL, new ZkId("digest", BOB)), new ZkACL(Permission.READ, new ZkId("world", "anyone"))]);
  await create("/creator", Buffer.from("c"), CREATOR_ALL_ACL);
  for (let i = 0; i < 3; i++) await call((cb) => c.setData("/app", Buffer.from(`config v${i + 1}`), -1, cb));
  await call((cb) => c.setData("/big", Buffer.alloc(10, 1), -1, cb));
  await call((cb) => c.setACL("/app/seq-0000000000", [new ZkACL(Permission.READ | Permission.WRITE, new ZkId("world", "anyone"))], -1, cb));
  await call((cb) => c.remove("/app/seq-0000000001", -1, cb));
  await create("/gone");
  await create("/gone/child");
  await call((cb) => c.remove("/gone/child", -1, cb));
  await call((cb) => c.remove("/gone", -1, cb));
  await call((cb) => c.transaction().create("/tx", Buffer.from("t")).setData("/app", Buffer.from("in multi")).remove("/mid").commit(cb));
  expect(
    await rawCreate(Number(connectString.split(":")[1]), [
      { kind: "container", path: "/box", data: Buffer.from("box"), acl: [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }] },
      { kind: "ttl", path: "/ttl", data: null, acl: [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }], ttl: 3_600_000n },
    ]),
  ).toEqual([0, 0]);
  await create("/box/child", Buffer.from("x"));
  // A second session whose ephemeral its closeSession removes.
  const other = await connectClient(connectString);
  await call((cb) => other.create("/short-lived", Buffer.from("x"), OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL, cb));
  await new Promise<void>((resolve) => {
    other.once("disconnected", () => resolve());
    other.close();
  });
  await create("/bulk");
  for (let i = 0; i < 25; i++) await create(`/bulk/n${i}`, Buffer.from(`bulk ${i}`));
}

async function restoreWithOurs(dataDir: string): Promise<{ zxid: bigint; tree: DataTree; sessions: Map<bigint, number>; replayed: number }> {
  const s = await FileTxnSnapLog.open(dataDir, dataDir);
  const tree = new DataTree({ extendedTypesEnabled: true });
  const sessions = new Map<bigint, number>();
  let replayed = 0;
  try {
    const zxid = await s.restore(tree, sessions, () => replayed++);
    return { zxid, tree, sessions, replayed };
  } finally {
    await s.close();
  }
}

/** Apache's zk_digest_mismatches_count after it loads a copy of `dataDir` (it snapshots at start). */
async function apacheMismatchesOn(dataDir: string): Promise<number> {
  const copy = await tempDir("zk-interop-check-");
  await cp(dataDir, copy, { recursive: true });
  const zk = await startApache(copy);
  const count = Number((await mntr(zk)).get("zk_digest_mismatches_count"));
  await zk.stop();
  return count;
}

/**
 * Our restore found `ours` digest mismatches. None is the rule; but Java writes the
 * snapshot's (zxid, digest) pair when serialization ends, from the last txn whose
 * processTxn finished, while the snapshot thread may already have copied nodes that the
 * next txn changed (processTxn changes the tree first and records the digest last). Such a
 * snapshot holds a digest that disagrees with its own contents, and Apache, loading it,
 * counts the same mismatch. So a nonzero count must be Apache's count on the same files.
 */
async function expectDigestsAgreeWithApache(dataDir: string, ours: number, why: string): Promise<void> {
  if (ours === 0) return;
  expect(await apacheMismatchesOn(dataDir), `we counted ${ours}: ${why}`).toBe(ours);
}

async function mntr(zk: ApacheZooKeeper): Promise<Map<string, string>> {
  const text = await fourLetterWord(zk.port, "mntr");
  return new Map(text.trim().split("\n").map((l) => l.split("\t") as [string, string]));
}

/**
 * Rewrites the (zxid, digest) pair after a snapshot's first seal and the second seal's
 * checksum after it: [.. seal 1][zxid 8, version 4, digest 8][checksum 8, "/" 5].
 */
function withZxidDigest(snapshot: Buffer, zxid: bigint, digest: bigint): Buffer {
  const out = Buffer.from(snapshot);
  const pairAt = out.length - 13 - 20;
  out.writeBigInt64BE(zxid, pairAt);
  out.writeBigInt64BE(digest, pairAt + 12);
  out.writeBigInt64BE(BigInt(adler32(out.subarray(0, out.length - 13))), out.length - 13);
  return out;
}

describe.skipIf(!apacheZooKeeperAvailable())("disk interop with Apache ZooKeeper 3.8", () => {
  const apacheWrites = [
    { name: "stopped with SIGTERM", kill: false, compression: "" },
    { name: "killed with kill -9", kill: true, compression: "" },
    { name: "with Snappy snapshots", kill: false, compression: "snappy" },
    { name: "with gzip snapshots", kill: false, compression: "gz" },
  ];

  for (const v of apacheWrites) {
    it(`(a) we restore Apache's data dir, ${v.name}: same tree, Stats, ACLs, sessions; no digest mismatch Apache does not count`, async () => {
      const dataDir = await tempDir("zk-interop-a-");
      const zk = await startApache(dataDir, v.compression ? { "zookeeper.snapshot.compression.method": v.compression } : {});
      const c = await connectClient(zk.connectString);
      onTestFinished(() => closeClient(c));
      await clientWorkload(c, zk.connectString);
      const expected = await readServerTree(c);
      const sessionId = c.getSessionId().readBigInt64BE(0);
      const sessionTimeout = c.getSessionTimeout();
      if (v.kill) await zk.kill();
      else await zk.stop();
      closeClient(c);

      const files = await readdir(join(dataDir, "version-2"));
      const snapshots = files.filter((f) => f.startsWith("snapshot."));
      expect(snapshots.length, files.join(" ")).toBeGreaterThanOrEqual(3);
      expect(files.filter((f) => f.startsWith("log.")).length).toBeGreaterThanOrEqual(3);
      if (v.compression) expect(snapshots.filter((f) => f.endsWith(`.${v.compression}`)).length).toBeGreaterThanOrEqual(2);

      const lines = captureLog();
      const r = await restoreWithOurs(dataDir);
      expect(dumpTree(r.tree)).toEqual(expected);
      // On a mismatch, say where: DataTree logs the first one (zxid, type, both digests).
      const errors = lines.filter((l) => l.includes("ERROR"));
      await expectDigestsAgreeWithApache(dataDir, r.tree.digestMismatches, errors.join("\n"));
      expect(r.sessions.get(sessionId)).toBe(sessionTimeout);
      expect([...r.tree.getEphemerals(sessionId)].sort()).toEqual(["/app/eph", "/app/ephseq-0000000004"]);
      expect(r.tree.getContainers()).toEqual(["/box"]);
      expect(r.tree.getTtls()).toEqual(["/ttl"]);
      expect(errors.filter((l) => !/Digest mismatch against the snapshot|First digest mismatch on txn/.test(l))).toEqual([]);

      // From the first snapshot alone, the whole log replays to the same tree.
      const fromStart = await tempDir("zk-interop-a0-");
      await cp(dataDir, fromStart, { recursive: true });
      const first = sortDataDir(snapshots, "snapshot", true)[0];
      for (const snap of snapshots) if (snap !== first) await rm(join(fromStart, "version-2", snap));
      const full = await restoreWithOurs(fromStart);
      expect(full.replayed).toBeGreaterThan(50);
      expect(full.zxid).toBe(r.zxid);
      expect(dumpTree(full.tree)).toEqual(expected);
      await expectDigestsAgreeWithApache(fromStart, full.tree.digestMismatches, "replayed from the first snapshot");
    });
  }

  it("(a) control: a snapshot whose digest lags its contents by one txn (Java's race): ours and Apache count the same mismatches, and the tree is right", async () => {
    const dataDir = await tempDir("zk-interop-race-");
    const s = await FileTxnSnapLog.open(dataDir, dataDir, { preAllocSizeBytes: 1 << 20 });
    const b = new TxnBuilder(0x100000000n, { baseTime: BigInt(Date.now()) });
    await s.save(b.tree, b.sessions, true);
    b.createSession(0x1000001a2b3c4dn, 30000);
    b.create("/race");
    const created = Array.from({ length: 6 }, (_, i) => b.create(`/race/n${i}`, Buffer.from(`n${i}`)));
    const [z, next] = [created[3]!, created[4]!];
    for (const e of b.entries) s.append(e);
    await s.commit();
    // The snapshot as the race leaves it: copied after txn z+1 (n4) changed /race, but
    // named and sealed as Java would have it, started after z-1, its digest that of z.
    const tree = new DataTree({ extendedTypesEnabled: true });
    for (const e of b.entries.filter((e) => e.hdr.zxid <= next.hdr.zxid)) tree.processTxn(e.hdr, e.body, null);
    await s.save(tree, b.sessions, true);
    await s.close();
    const v2 = join(dataDir, "version-2");
    const written = join(v2, `snapshot.${next.hdr.zxid.toString(16)}`);
    await writeFile(join(v2, `snapshot.${(z.hdr.zxid - 1n).toString(16)}`), withZxidDigest(await readFile(written), z.hdr.zxid, z.digest!.treeDigest));
    await rm(written);

    const lines = captureLog();
    const r = await restoreWithOurs(dataDir);
    expect(r.zxid).toBe(b.zxid);
    expect(dumpTree(r.tree)).toEqual(dumpTree(b.tree));
    // At z the snapshot's digest is compared, and then z's own digest from the log (the
    // same value): two mismatches, in Java's count as in ours. From z+1 on the tree agrees.
    const zxid = `0x${z.hdr.zxid.toString(16)}`;
    expect(lines.filter((l) => l.includes("ERROR"))).toEqual([
      expect.stringContaining(`Digest mismatch against the snapshot at ${zxid}`),
      expect.stringContaining(`First digest mismatch on txn ${zxid} `),
    ]);
    expect(r.tree.digestMismatches).toBe(2);
    expect(await apacheMismatchesOn(dataDir)).toBe(2);
  });

  /** A data dir written by us: a snapshot, logs, another snapshot mid-way, more logs. */
  async function writeOurDataDir(dataDir: string, tamperLastDigest = false, snapshotCompression: StreamMode = ""): Promise<TxnBuilder> {
    const s = await FileTxnSnapLog.open(dataDir, dataDir, { preAllocSizeBytes: 1 << 20, snapshotCompression });
    // Times near now, so that the TTL node has not expired when Apache looks at it.
    const b = new TxnBuilder(0x100000000n, { baseTime: BigInt(Date.now()) });
    await s.save(b.tree, b.sessions, true); // snapshot.0, as every server starts with
    const world = (perms: number): ACL => ({ perms, id: { scheme: "world", id: "anyone" } });
    const alive = 0x1000001a2b3c4dn;
    const doomed = 0x1000001a2b3c4en;
    b.createSession(alive, 30000);
    b.createSession(doomed, 10000);
    b.create("/ours", Buffer.from("written by TypeScript"));
    b.create("/ours/empty", Buffer.alloc(0));
    b.create("/ours/null", null);
    b.create("/ours/big", Buffer.alloc(200_000, 9));
    b.create("/ours/seq-0000000004", Buffer.from("sequential-looking"));
    b.create("/ours/eph", Buffer.from("mine"), { ephemeralOwner: alive });
    b.create("/ours/doomed", Buffer.from("bye"), { ephemeralOwner: doomed });
    b.createContainer("/ours/box", Buffer.from("container"));
    b.create("/ours/box/item", Buffer.from("keeps the container"));
    b.createTTL("/ours/ttl", 3_600_000n, Buffer.from("ttl"));
    b.create("/ours/secure", Buffer.from("s"), { acl: [{ perms: Perms.ALL, id: { scheme: "digest", id: BOB } }, world(Perms.READ)] });
    for (const e of b.entries) s.append(e);
    await s.commit();
    // As SyncRequestProcessor does: roll the log, then snapshot the tree as it is.
    s.rollLog();
    await s.save(b.tree, b.sessions, true);
    const mark = b.entries.length;
    b.setData("/ours", Buffer.from("changed"));
    b.setData("/ours/big", Buffer.alloc(5, 1));
    b.setACL("/ours/seq-0000000004", [world(Perms.READ | Perms.WRITE)]);
    b.create("/ours/gone");
    b.delete("/ours/gone");
    b.multi([b.createBody("/multi", Buffer.from("m")), b.setDataBody("/ours/empty", Buffer.from("filled")), { type: 2, txn: { path: "/ours/null" } }]);
    b.closeSession(doomed);
    for (let i = 0; i < 5; i++) b.create(`/ours/n${i}`, Buffer.from(`n${i}`));
    for (const e of b.entries.slice(mark)) s.append(tamperLastDigest && e === b.entries[b.entries.length - 1] ? { ...e, digest: { version: 2, treeDigest: 12345n } } : e);
    await s.commit();
    await s.close();
    return b;
  }

  for (const compression of ["", "gz", "snappy"] as const) {
  it(`(b) Apache starts on our data dir${compression ? `, ${compression} snapshots` : ""}: same tree, Stats, ACLs; zk_digest_mismatches_count 0`, async () => {
    const dataDir = await tempDir("zk-interop-b-");
    const b = await writeOurDataDir(dataDir, false, compression);
    const snapshots = (await readdir(join(dataDir, "version-2"))).filter((f) => f.startsWith("snapshot.")).sort();
    expect(snapshots).toEqual([`snapshot.0${fileExtension(compression)}`, `snapshot.10000000d${fileExtension(compression)}`]);
    // Without snapshot.0, Apache can only start by reading the snapshot we took mid-way.
    await rm(join(dataDir, "version-2", snapshots[0]!));
    const zk = await startApache(dataDir);
    const metrics = await mntr(zk);
    expect(metrics.get("zk_digest_mismatches_count")).toBe("0");
    const c = await connectClient(zk.connectString);
    onTestFinished(() => closeClient(c));
    // Without ADMIN on a node, getACL shows digest ids as "bob:x"; bob may see his own.
    c.addAuthInfo("digest", Buffer.from("bob:secret"));
    const seen = await readServerTree(c);
    expect(seen).toEqual(dumpTree(b.tree));
    expect(zk.output()).not.toMatch(/digest mismatch|problem reading snap file|CRC/i);
    closeClient(c);
    await zk.stop();

    // And back: Apache's own snapshot and log on top of ours still restore cleanly here.
    const r = await restoreWithOurs(dataDir);
    expect(r.tree.digestMismatches).toBe(0);
    expect(dumpTree(r.tree)).toEqual(dumpTree(b.tree));
  });
  }

  it("(b) control: a tampered digest in our log is caught by Apache (mismatch count 1)", async () => {
    const dataDir = await tempDir("zk-interop-b2-");
    await writeOurDataDir(dataDir, true);
    const zk = await startApache(dataDir);
    expect((await mntr(zk)).get("zk_digest_mismatches_count")).toBe("1");
  });
});
