/**
 * A data dir moves between the two servers, both ways (issue acceptance "Disk, both
 * ways"): our zk-server builds a varied tree from random client operations (all create
 * modes, ACLs, multi, deletes, sessions opened and closed, snapshots and log rolls on the
 * way); Apache ZooKeeper 3.8 started on that data dir serves the same tree — data, every
 * Stat field, ACLs, the live session's ephemerals — and finds no digest mismatch; then our
 * server started on the dir Apache has written to serves the same tree again.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as proto from "../../src/jute/proto.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { execute, OpGenerator, Side, SUPER_DIGEST } from "../differential/DifferentialRunner.js";
import { apacheZooKeeperAvailable, startApacheZooKeeper } from "../support/apacheZooKeeper.js";
import { freePort, mntrValue } from "../support/net.js";
import { startOurServerProcess } from "../support/ourServerProcess.js";
import { RawClient } from "../support/RawClient.js";

const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Every znode below / (but /zookeeper) with data, Stat and ACL, as super sees them. */
async function dumpTree(port: number): Promise<Map<string, unknown>> {
  const c = await RawClient.connect(port);
  try {
    expect(await c.auth("digest", "super:secret")).toBe(0);
    const out = new Map<string, unknown>();
    const walk = async (path: string): Promise<void> => {
      const d = await c.request(OpCode.getData, proto.GetDataRequest, { path, watch: false });
      expect(d.err).toBe(0);
      const { data, stat } = proto.GetDataResponse.decode(d.body);
      const a = await c.request(OpCode.getACL, proto.GetACLRequest, { path });
      const acl = proto.GetACLResponse.decode(a.body).acl;
      const k = await c.request(OpCode.getChildren, proto.GetChildrenRequest, { path, watch: false });
      const children = [...proto.GetChildrenResponse.decode(k.body).children].sort();
      out.set(path, { data: data?.toString("hex") ?? null, stat, acl, children });
      for (const child of children) {
        if (path === "/" && child === "zookeeper") continue;
        await walk(path === "/" ? `/${child}` : `${path}/${child}`);
      }
    };
    await walk("/");
    return out;
  } finally {
    c.destroy();
  }
}


const SHARED = { extendedTypesEnabled: "true", "DigestAuthenticationProvider.superDigest": SUPER_DIGEST, snapCount: 60 };

describe.skipIf(!apacheZooKeeperAvailable())("data dir interop with Apache ZooKeeper 3.8", () => {
  it("ours → Apache → ours: the same tree, no digest mismatch", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "zkmove-"));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();

    // 1. Our server builds a tree with random operations from three sessions.
    const ours = await startOurServerProcess({ dataDir, port, extraConfig: SHARED });
    const side = new Side("ours", ours.port);
    await side.open(3);
    const gen = new OpGenerator(7, 3);
    for (let i = 0; i < 800; i++) await execute(side, gen.next(), gen);
    // Keep one session alive with an ephemeral so its restoration can be checked.
    const keeper = side.clients[0]!;
    await keeper.request(OpCode.create, proto.CreateRequest, { path: "/keeper", data: null, acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], flags: 1 });
    const keeperSession = keeper.session!;
    const before = await dumpTree(ours.port);
    await side.closeAll();
    expect(await ours.stop()).toBe(0);
    expect(before.size).toBeGreaterThan(10);

    // 2. Apache starts on our data dir and serves the same tree.
    const apache = await startApacheZooKeeper({ dataDir, port, extraConfig: SHARED });
    cleanup.push(() => apache.stop());
    const atApache = await dumpTree(apache.port);
    expect(atApache).toEqual(before);
    expect((before.get("/keeper") as { stat: { ephemeralOwner: bigint } }).stat.ephemeralOwner).toBe(keeperSession.sessionId);
    // The session itself came back too: re-attach with its id and password.
    const reattached = await RawClient.open(apache.port);
    expect((await reattached.handshake({ session: keeperSession, timeOut: keeperSession.timeOut })).sessionId).toBe(keeperSession.sessionId);
    reattached.destroy();
    expect(await mntrValue(apache.port, "zk_digest_mismatches_count")).toBe("0");
    // Apache writes on top of our files.
    const c = await RawClient.connect(apache.port);
    expect((await c.request(OpCode.create, proto.CreateRequest, { path: "/by-apache", data: Buffer.from("hi"), acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], flags: 0 })).err).toBe(0);
    c.destroy();
    const afterApache = await dumpTree(apache.port);
    await apache.stop();

    // 3. We start on what Apache left and serve its tree, again without a digest mismatch.
    const again = await startOurServerProcess({ dataDir, port, extraConfig: SHARED });
    cleanup.push(() => again.stop());
    expect(await dumpTree(again.port)).toEqual(afterApache);
    expect(await mntrValue(again.port, "zk_digest_mismatches_count")).toBe("0");
  }, 180_000);

  it("txnLogSizeLimitInKb: the same writes cut the log into the same files on both servers, and each reads the other's", async () => {
    // preAllocSize=64 KB and a limit of 128 KB: a file is left once it has grown to its
    // second step (16 + 2 x 64 KB). snapCount is high enough that no snapshot rolls the log.
    const limits = { txnLogSizeLimitInKb: 128, preAllocSize: 64, snapCount: 1_000_000 };
    const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
    const run = async (start: (dataDir: string) => Promise<{ port: number; stop(): Promise<unknown> }>) => {
      const dataDir = mkdtempSync(join(tmpdir(), "zklimit-"));
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const server = await start(dataDir);
      const c = await RawClient.connect(server.port);
      // One create at a time, so each is its own commit on both servers.
      for (let i = 0; i < 200; i++) {
        const r = await c.request(OpCode.create, proto.CreateRequest, { path: `/n${i}`, data: Buffer.alloc(900, i), acl: OPEN, flags: 0 });
        expect(r.err).toBe(0);
      }
      await c.closeSession();
      await server.stop();
      const logs = readdirSync(join(dataDir, "version-2")).filter((f) => f.startsWith("log.")).sort();
      return { dataDir, logs, sizes: logs.map((f) => statSync(join(dataDir, "version-2", f)).size) };
    };
    const ours = await run(async (dataDir) => startOurServerProcess({ dataDir, extraConfig: limits }));
    const apache = await run(async (dataDir) => startApacheZooKeeper({ dataDir, extraConfig: limits }));
    expect(ours.logs.length).toBeGreaterThan(2);
    expect(ours.logs).toEqual(apache.logs);
    // Preallocated alike, too: 16 + n x 64 KB each.
    expect(ours.sizes).toEqual(apache.sizes);

    // Each server restores the other's files: all 200 znodes.
    for (const [dataDir, start] of [
      [ours.dataDir, (d: string) => startApacheZooKeeper({ dataDir: d, extraConfig: limits })],
      [apache.dataDir, (d: string) => startOurServerProcess({ dataDir: d, extraConfig: limits })],
    ] as const) {
      const server = await start(dataDir);
      cleanup.push(() => server.stop());
      const c = await RawClient.connect(server.port);
      const k = await c.request(OpCode.getChildren, proto.GetChildrenRequest, { path: "/", watch: false });
      expect(proto.GetChildrenResponse.decode(k.body).children.length).toBe(201); // and /zookeeper
      const d = await c.request(OpCode.getData, proto.GetDataRequest, { path: "/n199", watch: false });
      expect(proto.GetDataResponse.decode(d.body).data).toEqual(Buffer.alloc(900, 199));
      c.destroy();
      await server.stop();
    }
  }, 180_000);
});
