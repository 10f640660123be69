/**
 * A data dir moves between the two servers, both ways (issue acceptance "Disk, both
 * ways"): our zk-server builds a varied tree from random client operations (all create
 * modes, ACLs, multi, deletes, sessions opened and closed, snapshots and log rolls on the
 * way); Apache ZooKeeper 3.8 started on that data dir serves the same tree — data, every
 * Stat field, ACLs, the live session's ephemerals — and finds no digest mismatch; then our
 * server started on the dir Apache has written to serves the same tree again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as proto from "../../src/jute/proto.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { execute, OpGenerator, Side, SUPER_DIGEST } from "../differential/DifferentialRunner.js";
import { apacheZooKeeperAvailable, startApacheZooKeeper } from "../support/apacheZooKeeper.js";
import { fourLetterWord, freePort } from "../support/net.js";
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

function mntrValue(mntr: string, key: string): string | undefined {
  return mntr.split("\n").find((l) => l.startsWith(key + "\t"))?.split("\t")[1];
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
    expect(mntrValue(await fourLetterWord(apache.port, "mntr"), "zk_digest_mismatches_count")).toBe("0");
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
    expect(mntrValue(await fourLetterWord(again.port, "mntr"), "zk_digest_mismatches_count")).toBe("0");
  }, 180_000);
});
