/**
 * Every operation of the 3.8 client protocol against a real server (Apache ZooKeeper 3.8
 * today; our own server once it is added to `servers`): results, Stat fields, error codes
 * with the client path, ACLs and auth, multi/transaction/multiRead, sync, whoAmI, config.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { Code, KeeperException } from "../../src/jute/KeeperException.js";
import { CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, OpCode, Perms, READ_ACL_UNSAFE } from "../../src/jute/ZooDefs.js";
import { KeeperState } from "../../src/jute/Watcher.js";
import { Op } from "../../src/client/Op.js";
import { CheckResult, CreateResult, DeleteResult, ErrorResult, GetChildrenResult, GetDataResult, SetDataResult } from "../../src/client/OpResult.js";
import { servers, type RunningServer } from "./support/servers.js";
import { connected, record } from "./support/connected.js";

const rejectsWith = async (p: Promise<unknown>, code: number, path?: string) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KeeperException);
  expect((e as KeeperException).code).toBe(code);
  if (path !== undefined) expect((e as KeeperException).path).toBe(path);
};

for (const factory of servers) {
  describe.skipIf(!factory.available())(`client operations against ${factory.name}`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await factory.start();
    });
    afterAll(() => server?.stop());

    it("creates in every mode and returns the path and Stat", async () => {
      const { zk } = await connected(server.connectString);
      const sid = zk.getSessionId();
      expect(typeof sid).toBe("bigint");
      const p = await zk.create("/modes", "root");
      expect(p.path).toBe("/modes");
      expect(p.stat).toMatchObject({ version: 0, dataLength: 4, numChildren: 0, ephemeralOwner: 0n });
      expect(typeof p.stat.czxid).toBe("bigint");
      expect(p.stat.czxid).toBe(p.stat.mzxid);
      const e = await zk.create("/modes/e", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      expect(e.stat.ephemeralOwner).toBe(sid);
      const ps = await zk.create("/modes/ps-", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
      expect(ps.path).toMatch(/^\/modes\/ps-\d{10}$/);
      const es = await zk.create("/modes/es-", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
      expect(es.path).toMatch(/^\/modes\/es-\d{10}$/);
      expect(Number(es.path.slice(-10))).toBe(Number(ps.path.slice(-10)) + 1);
      // Containers and TTL nodes keep a marker in ephemeralOwner on the server, but clients
      // are shown 0 (DataTree.getClientEphemeralOwner).
      const c = await zk.create("/modes/c", null, OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
      expect(c.stat.ephemeralOwner).toBe(0n);
      const t = await zk.create("/modes/t", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 60000n);
      expect(t.stat.ephemeralOwner).toBe(0n);
      const ts = await zk.create("/modes/ts-", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, 1000);
      expect(ts.path).toMatch(/^\/modes\/ts-\d{10}$/);
      expect((await zk.getChildren("/modes")).sort()).toEqual(["c", "e", ps.path.slice(7), es.path.slice(7), "t", ts.path.slice(7)].sort());
    });

    it("refuses bad paths, ACLs and TTLs on the client, before sending", async () => {
      const { zk } = await connected(server.connectString);
      await expect(zk.create("a")).rejects.toThrow("Path must start with / character");
      await expect(zk.create("/a/")).rejects.toThrow("Path must not end with / character");
      // A sequential create is checked with the counter appended: "/a/" is a fine prefix...
      await rejectsWith(zk.create("/nothere/", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL), Code.NONODE, "/nothere/");
      // ...but "/a//" is not.
      await expect(zk.create("/a//", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL)).rejects.toThrow("empty node name specified @3");
      await expect(zk.create("/a", null, [])).rejects.toMatchObject({ code: Code.INVALIDACL });
      await expect(zk.create("/a", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL)).rejects.toThrow("ttl must be positive");
      await expect(zk.create("/a", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, 5)).rejects.toThrow("ttl not valid for mode: PERSISTENT");
      await expect(zk.getData("/a/../b")).rejects.toThrow("relative paths not allowed");
    });

    it("server errors carry the code and the client's path", async () => {
      const { zk } = await connected(server.connectString);
      await zk.create("/errs", null);
      await rejectsWith(zk.create("/errs"), Code.NODEEXISTS, "/errs");
      await rejectsWith(zk.create("/errs/a/b"), Code.NONODE, "/errs/a/b");
      await zk.create("/errs/eph", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      await rejectsWith(zk.create("/errs/eph/kid"), Code.NOCHILDRENFOREPHEMERALS, "/errs/eph/kid");
      await rejectsWith(zk.delete("/errs"), Code.NOTEMPTY, "/errs");
      await rejectsWith(zk.setData("/errs", "x", 7), Code.BADVERSION, "/errs");
      await rejectsWith(zk.getData("/errs/none"), Code.NONODE, "/errs/none");
      await expect(zk.getData("/errs/none")).rejects.toThrow("KeeperErrorCode = NoNode for /errs/none");
    });

    it("getData, setData, exists and delete with versions", async () => {
      const { zk } = await connected(server.connectString);
      expect(await zk.exists("/rw")).toBeNull();
      const created = await zk.create("/rw", Buffer.from([0, 1, 2]));
      const got = await zk.getData("/rw");
      expect(got.data).toEqual(Buffer.from([0, 1, 2]));
      expect(got.stat).toEqual(created.stat);
      const s1 = await zk.setData("/rw", "v1", 0);
      expect(s1.version).toBe(1);
      expect(s1.mzxid > s1.czxid).toBe(true);
      expect(await zk.exists("/rw")).toEqual(s1);
      await zk.setData("/rw", null);
      expect((await zk.getData("/rw")).data).toBeNull();
      await rejectsWith(zk.delete("/rw", 1), Code.BADVERSION);
      await zk.delete("/rw", 2);
      expect(await zk.exists("/rw")).toBeNull();
    });

    it("ACLs: digest auth, CREATOR_ALL_ACL, NOAUTH for others, setACL versions, getACL", async () => {
      const owner = await connected(server.connectString);
      owner.zk.addAuthInfo("digest", "alice:secret");
      await owner.zk.create("/acl", "x", CREATOR_ALL_ACL);
      const { acl, stat } = await owner.zk.getACL("/acl");
      expect(acl).toEqual([{ perms: Perms.ALL, id: { scheme: "digest", id: expect.stringMatching(/^alice:/) } }]);
      expect(stat.aversion).toBe(0);
      const other = await connected(server.connectString);
      await rejectsWith(other.zk.getData("/acl"), Code.NOAUTH, "/acl");
      await rejectsWith(owner.zk.setACL("/acl", OPEN_ACL_UNSAFE, 3), Code.BADVERSION);
      const s = await owner.zk.setACL("/acl", READ_ACL_UNSAFE, 0);
      expect(s.aversion).toBe(1);
      expect((await other.zk.getData("/acl")).data?.toString()).toBe("x");
      await rejectsWith(other.zk.setData("/acl", "y"), Code.NOAUTH);
      // Read-only for everyone now, the owner included: no ADMIN left to change it back.
      await rejectsWith(owner.zk.setACL("/acl", OPEN_ACL_UNSAFE, 1), Code.NOAUTH);
      await expect(owner.zk.setACL("/acl", [])).rejects.toMatchObject({ code: Code.INVALIDACL });
      expect(await owner.zk.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: "digest", user: "alice" }, { authScheme: "ip", user: "127.0.0.1" }]));
    });

    it("children: getChildren, getChildren2, getAllChildrenNumber, getEphemerals", async () => {
      const { zk } = await connected(server.connectString);
      await zk.create("/kids", null);
      for (const k of ["a", "b", "c"]) await zk.create(`/kids/${k}`, null);
      await zk.create("/kids/a/x", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      await zk.create("/kids/b/y", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      expect((await zk.getChildren("/kids")).sort()).toEqual(["a", "b", "c"]);
      const two = await zk.getChildren2("/kids");
      expect(two.children.sort()).toEqual(["a", "b", "c"]);
      expect(two.stat.numChildren).toBe(3);
      expect(two.stat.cversion).toBe(3);
      expect(await zk.getAllChildrenNumber("/kids")).toBe(5);
      expect((await zk.getEphemerals("/kids")).sort()).toEqual(["/kids/a/x", "/kids/b/y"]);
      expect(await zk.getEphemerals("/kids/a")).toEqual(["/kids/a/x"]);
      await rejectsWith(zk.getChildren("/kids/none"), Code.NONODE, "/kids/none");
    });

    it("multi: per-op results; a failing transaction applies nothing and reports every op", async () => {
      const { zk } = await connected(server.connectString);
      const ok = await zk.multi([Op.create("/tx", null, OPEN_ACL_UNSAFE), Op.create("/tx/a", Buffer.from("1"), OPEN_ACL_UNSAFE), Op.setData("/tx/a", Buffer.from("2")), Op.check("/tx/a", 1), Op.delete("/tx/a")]);
      expect(ok.map((r) => r.constructor)).toEqual([CreateResult, CreateResult, SetDataResult, CheckResult, DeleteResult]);
      expect((ok[0] as CreateResult).path).toBe("/tx");
      expect((ok[2] as SetDataResult).stat.version).toBe(1);
      const err = await zk.multi([Op.create("/tx/b", null, OPEN_ACL_UNSAFE), Op.check("/tx", 5), Op.create("/tx/c", null, OPEN_ACL_UNSAFE)]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeeperException);
      expect((err as KeeperException).code).toBe(Code.BADVERSION);
      expect((err as KeeperException).results).toEqual([new ErrorResult(0), new ErrorResult(Code.BADVERSION), new ErrorResult(Code.RUNTIMEINCONSISTENCY)]);
      expect(await zk.exists("/tx/b")).toBeNull();
      const viaBuilder = await zk.transaction().create("/tx/d", null).setData("/tx/d", Buffer.from("z")).commit();
      expect(viaBuilder).toHaveLength(2);
      expect(await zk.multi([])).toEqual([]);
      expect(() => Op.create("/x", null, OPEN_ACL_UNSAFE, 99)).toThrow("invalid flag");
      await expect(zk.multi([Op.getData("/tx"), Op.delete("/tx")])).rejects.toThrow("Mixing read and write operations");
    });

    it("multiRead: each read answers on its own, errors included", async () => {
      const { zk } = await connected(server.connectString);
      await zk.create("/mr", "data");
      await zk.create("/mr/k", null);
      const r = await zk.multiRead([Op.getData("/mr"), Op.getChildren("/mr"), Op.getData("/mr/none")]);
      expect(r[0]).toBeInstanceOf(GetDataResult);
      expect((r[0] as GetDataResult).data?.toString()).toBe("data");
      expect(r[1]).toEqual(new GetChildrenResult(["k"]));
      expect(r[2]).toEqual(new ErrorResult(Code.NONODE));
      expect(r.map((x) => x.type)).toEqual([OpCode.getData, OpCode.getChildren, OpCode.error]);
      await expect(zk.multiRead([Op.delete("/mr")])).rejects.toThrow("multiRead takes only");
    });

    it("sync, whoAmI and getConfig", async () => {
      const { zk } = await connected(server.connectString);
      await zk.sync("/");
      expect(await zk.whoAmI()).toEqual([{ authScheme: "ip", user: "127.0.0.1" }]);
      const cfg = await zk.getConfig();
      expect(cfg.stat.czxid).toBe(0n);
      expect(cfg.data === null || Buffer.isBuffer(cfg.data)).toBe(true);
    });

    it("pipelined requests complete in order", async () => {
      const { zk } = await connected(server.connectString);
      await zk.create("/pipe", null);
      const order: number[] = [];
      await Promise.all(Array.from({ length: 200 }, (_, i) => zk.create(`/pipe/n${i}`, String(i)).then(() => order.push(i))));
      expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(await zk.getAllChildrenNumber("/pipe")).toBe(200);
    });

    it("an unknown auth scheme fails the session: AuthFailed, then Closed, requests fail with AUTHFAILED", async () => {
      const r = await connected(server.connectString);
      r.zk.addAuthInfo("no-such-scheme", "x");
      await r.waitFor((e) => e.state === KeeperState.AuthFailed);
      await rejectsWith(r.zk.getData("/"), Code.AUTHFAILED);
      await r.zk.close();
      expect(r.events.map((e) => e.state)).toEqual([KeeperState.SyncConnected, KeeperState.AuthFailed, KeeperState.Closed]);
    });

    it("close is idempotent, delivers Closed last, and later calls fail with SESSIONEXPIRED", async () => {
      const r = await connected(server.connectString);
      await r.zk.create("/closing", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      const a = r.zk.close();
      const b = r.zk.close();
      expect(a).toBe(b);
      await a;
      expect(r.zk.getState()).toBe("CLOSED");
      expect(r.events.at(-1)?.state).toBe(KeeperState.Closed);
      await rejectsWith(r.zk.getData("/"), Code.SESSIONEXPIRED);
      // The session really ended on the server: its ephemeral is gone.
      const other = await connected(server.connectString);
      expect(await other.zk.exists("/closing")).toBeNull();
    });

    it("a handle that never connects: requests fail with CONNECTIONLOSS, close still resolves", async () => {
      const r = record("127.0.0.1:1", 3000);
      await rejectsWith(r.zk.getData("/"), Code.CONNECTIONLOSS);
      await r.zk.close();
      expect(r.events.map((e) => e.state)).toEqual([KeeperState.Closed]);
    });
  });
}
