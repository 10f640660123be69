/**
 * Sessions against a real server: a dropped connection is re-established with the same
 * session and every watch re-registered (setWatches), including changes made while the
 * client was away; a dead first host in the connect string is skipped; expiry is
 * surfaced exactly once, whether another handle closed the session or the server forgot it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { Code } from "../../src/jute/KeeperException.js";
import { EventType, KeeperState } from "../../src/jute/Watcher.js";
import { OPEN_ACL_UNSAFE } from "../../src/jute/ZooDefs.js";
import type { WatchedEvent } from "../../src/client/WatchedEvent.js";
import { freePort } from "../support/net.js";
import { servers, type RunningServer } from "./support/servers.js";
import { connected, record } from "./support/connected.js";
import { startTcpProxy, type TcpProxy } from "./support/tcpProxy.js";

const states = (events: WatchedEvent[]) => events.filter((e) => e.type === EventType.None).map((e) => e.state);
const { SyncConnected, Disconnected, Expired, Closed } = KeeperState;

for (const factory of servers) {
  describe.skipIf(!factory.available())(`sessions against ${factory.name}`, () => {
    let server: RunningServer;
    let proxy: TcpProxy;
    beforeAll(async () => {
      server = await factory.start();
      proxy = await startTcpProxy(server.port);
    });
    afterAll(async () => {
      await proxy?.close();
      await server?.stop();
    });

    it("a dropped connection comes back on the same session, watches intact", async () => {
      const a = await connected(proxy.connectString, 10000);
      const b = await connected(server.connectString);
      const sid = a.zk.getSessionId();
      await a.zk.create("/drop", "0");
      await a.zk.create("/drop/eph", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      await a.zk.getData("/drop", true);
      const before = proxy.accepted();
      proxy.dropConnections();
      await a.waitFor((e) => e.state === Disconnected);
      await a.waitFor((e) => e.state === SyncConnected, 10000, 2);
      expect(proxy.accepted()).toBe(before + 1);
      expect(a.zk.getSessionId()).toBe(sid);
      expect(await b.zk.exists("/drop/eph")).not.toBeNull();
      await b.zk.setData("/drop", "1");
      const e = await a.waitFor((ev) => ev.type === EventType.NodeDataChanged);
      expect(e.path).toBe("/drop");
      expect(states(a.events)).toEqual([SyncConnected, Disconnected, SyncConnected]);
    });

    it("changes made while the client was away fire its watches when it reconnects", async () => {
      const a = await connected(proxy.connectString, 20000);
      const b = await connected(server.connectString);
      await a.zk.create("/away", "0");
      const fired: string[] = [];
      const w = (ev: WatchedEvent) => {
        if (ev.type !== EventType.None) fired.push(`${ev.type} ${ev.path}`);
      };
      await a.zk.getData("/away", w);
      await a.zk.getChildren("/away", w);
      expect(await a.zk.exists("/away-new", w)).toBeNull();
      proxy.setRefusing(true);
      proxy.dropConnections();
      await a.waitFor((ev) => ev.state === Disconnected);
      await b.zk.setData("/away", "1");
      await b.zk.create("/away/kid", null);
      await b.zk.create("/away-new", null);
      expect(fired).toEqual([]);
      proxy.setRefusing(false);
      await a.waitFor((ev) => ev.state === SyncConnected, 15000, 2);
      // setWatches carried lastZxid: the server compares and fires what changed since.
      const deadline = Date.now() + 5000;
      while (fired.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(fired.sort()).toEqual([`${EventType.NodeCreated} /away-new`, `${EventType.NodeDataChanged} /away`, `${EventType.NodeChildrenChanged} /away`].sort());
    });

    it("a request queued while disconnected is sent on the next connection or fails with CONNECTIONLOSS, never hangs", async () => {
      const a = await connected(proxy.connectString, 10000);
      await a.zk.create("/inflight", null);
      proxy.setRefusing(true);
      proxy.dropConnections();
      await a.waitFor((ev) => ev.state === Disconnected);
      const waiting = a.zk.getData("/inflight");
      await new Promise((r) => setTimeout(r, 300));
      proxy.setRefusing(false);
      // Queued while disconnected: either sent on the next connection, or failed by a
      // refused attempt in between. Both are what Java does; what never happens is a hang.
      const outcome = await waiting.then(
        (r) => r.stat.czxid > 0n,
        (e: { code: number }) => e.code,
      );
      expect([true, Code.CONNECTIONLOSS]).toContain(outcome);
      await a.waitFor((ev) => ev.state === SyncConnected, 15000, 2);
      expect((await a.zk.getData("/inflight")).stat.numChildren).toBe(0);
    });

    it("a dead first host in the connect string is skipped", async () => {
      const dead = await freePort();
      // random() near 1 keeps the shuffle from reordering: the dead host is tried first.
      const a = await connected(`127.0.0.1:${dead},${server.connectString}`, 10000, { random: () => 0.999 });
      expect(a.zk.getRemoteSocketAddress()?.port).toBe(server.port);
      expect(await a.zk.exists("/")).not.toBeNull();
    });

    it("expiry is surfaced once when another handle with the same id and password closes the session", async () => {
      const a = await connected(proxy.connectString, 10000);
      await a.zk.create("/exp-eph", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      // Keep A away while B takes over the session and ends it.
      proxy.setRefusing(true);
      proxy.dropConnections();
      await a.waitFor((ev) => ev.state === Disconnected);
      const b = await connected(server.connectString, 10000, { sessionId: a.zk.getSessionId(), sessionPasswd: a.zk.getSessionPasswd() });
      expect(b.zk.getSessionId()).toBe(a.zk.getSessionId());
      expect(await b.zk.exists("/exp-eph")).not.toBeNull();
      await b.zk.close();
      const pending = a.zk.getData("/").catch((e: { code: number }) => e.code);
      proxy.setRefusing(false);
      await a.waitFor((ev) => ev.state === Expired, 15000);
      await a.waitFor((ev) => ev.state === Closed);
      expect([Code.SESSIONEXPIRED, Code.CONNECTIONLOSS]).toContain(await pending);
      await expect(a.zk.getData("/")).rejects.toMatchObject({ code: Code.SESSIONEXPIRED });
      await a.zk.close();
      expect(states(a.events)).toEqual([SyncConnected, Disconnected, Expired, Closed]);
      const c = await connected(server.connectString);
      expect(await c.zk.exists("/exp-eph")).toBeNull();
    });

    it("a session the server has not heard from within its timeout expires, and the client learns it once, on reconnecting", async () => {
      const a = await connected(proxy.connectString, 4000);
      expect(a.zk.getSessionTimeout()).toBe(4000);
      await a.zk.create("/silent-eph", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      proxy.setRefusing(true);
      proxy.dropConnections();
      await a.waitFor((ev) => ev.state === Disconnected);
      // The server checks expiry every tick (2 s): wait out timeout + a tick, and then
      // until its ephemeral is gone, so that a server running late cannot let it back in.
      await new Promise((r) => setTimeout(r, 7000));
      const b = await connected(server.connectString);
      for (const deadline = Date.now() + 15000; (await b.zk.exists("/silent-eph")) !== null; ) {
        expect(Date.now(), "the session's ephemeral outlived it by 15 s").toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 100));
      }
      proxy.setRefusing(false);
      await a.waitFor((ev) => ev.state === Expired, 15000);
      await a.zk.close();
      expect(states(a.events)).toEqual([SyncConnected, Disconnected, Expired, Closed]);
    });

    it("a wrong password for an existing session is refused as expired", async () => {
      const a = await connected(server.connectString, 10000);
      const b = record(server.connectString, 10000, { sessionId: a.zk.getSessionId(), sessionPasswd: Buffer.alloc(16, 9) });
      await b.waitFor((ev) => ev.state === Expired);
      await b.zk.close();
      expect(states(b.events)).toEqual([Expired, Closed]);
      expect(await a.zk.exists("/")).not.toBeNull();
    });
  });

  describe.skipIf(!factory.available())(`server restarts (${factory.name})`, () => {
    it("a server restarted on its data keeps the session and its ephemerals", async () => {
      // Our own data dir: the factory deletes the ones it makes when the server stops.
      const dataDir = mkdtempSync(join(tmpdir(), "client-restart-"));
      onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
      let srv = await factory.start({ dataDir, tickTime: 500 });
      onTestFinished(() => srv.stop());
      const a = await connected(srv.connectString, 10000);
      const sid = a.zk.getSessionId();
      await a.zk.create("/restart-eph", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      await srv.stop();
      await a.waitFor((ev) => ev.state === Disconnected);
      srv = await factory.start({ port: srv.port, dataDir, tickTime: 500 });
      await a.waitFor((ev) => ev.state === SyncConnected, 20000, 1);
      expect(a.zk.getSessionId()).toBe(sid);
      expect(await a.zk.exists("/restart-eph")).not.toBeNull();
      expect(states(a.events)).toEqual([SyncConnected, Disconnected, SyncConnected]);
    });
  });
}
