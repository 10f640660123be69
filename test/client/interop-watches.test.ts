/**
 * Watches against a real server: one-shot watches fire once and for the right events,
 * persistent and recursive watches keep firing, watch removal notifies the removed
 * watchers, and events and results reach the application in the order the server sent
 * them. Also the chroot: applied to every path, invisible in every result and event.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { Code } from "../../src/jute/KeeperException.js";
import { EventType, KeeperState, WatcherType } from "../../src/jute/Watcher.js";
import { OPEN_ACL_UNSAFE } from "../../src/jute/ZooDefs.js";
import { Op } from "../../src/client/Op.js";
import type { CreateResult } from "../../src/client/OpResult.js";
import type { WatchedEvent } from "../../src/client/WatchedEvent.js";
import { AddWatchMode } from "../../src/client/ZooKeeper.js";
import { servers, type RunningServer } from "./support/servers.js";
import { connected } from "./support/connected.js";

/** A watcher that logs "type path" and lets a test wait for a number of events. */
function logger() {
  const log: string[] = [];
  let wake: (() => void) | null = null;
  const watcher = (e: WatchedEvent) => {
    log.push(e.type === EventType.None ? `None ${e.state}` : `${e.type} ${e.path}`);
    wake?.();
  };
  const until = async (n: number, ms = 10000) => {
    const deadline = Date.now() + ms;
    while (log.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${log.length} of ${n} events: ${log.join(", ")}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
    return log;
  };
  return { log, watcher, until };
}

const { NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged, DataWatchRemoved, ChildWatchRemoved, PersistentWatchRemoved } = EventType;

for (const factory of servers) {
  describe.skipIf(!factory.available())(`watches against ${factory.name}`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await factory.start();
    });
    afterAll(() => server?.stop());

    it("one-shot watches fire once, for their event types only", async () => {
      const a = await connected(server.connectString);
      const b = await connected(server.connectString);
      const w = logger();
      expect(await a.zk.exists("/os", w.watcher)).toBeNull();
      await b.zk.create("/os", "1");
      await w.until(1);
      await a.zk.getData("/os", w.watcher);
      await a.zk.getChildren("/os", w.watcher);
      await b.zk.setData("/os", "2"); // data watch fires, child watch does not
      await b.zk.setData("/os", "3"); // nothing is left to fire
      await b.zk.create("/os/k", null); // the child watch
      await b.zk.create("/os/k2", null); // nothing
      await w.until(3);
      await b.zk.sync("/");
      await a.zk.sync("/");
      expect(w.log).toEqual([`${NodeCreated} /os`, `${NodeDataChanged} /os`, `${NodeChildrenChanged} /os`]);
    });

    it("a delete fires data and child watches of the node, and the parent's child watch", async () => {
      const a = await connected(server.connectString);
      const w = logger();
      await a.zk.create("/del", null);
      await a.zk.create("/del/x", null);
      await a.zk.getData("/del/x", w.watcher);
      await a.zk.getChildren("/del/x", w.watcher);
      await a.zk.getChildren("/del", w.watcher);
      await a.zk.delete("/del/x");
      // One watcher object, registered three ways: once per event, two events.
      expect(await w.until(2)).toEqual([`${NodeDeleted} /del/x`, `${NodeChildrenChanged} /del`]);
    });

    it("the default watcher (watch = true) gets node events too", async () => {
      const a = await connected(server.connectString);
      await a.zk.create("/dflt", null);
      await a.zk.getData("/dflt", true);
      await a.zk.setData("/dflt", "x");
      const e = await a.waitFor((ev) => ev.type === NodeDataChanged);
      expect(e.path).toBe("/dflt");
      expect(e.state).toBe(KeeperState.SyncConnected);
    });

    it("events and results arrive in the order the server sent them", async () => {
      const a = await connected(server.connectString);
      const order: string[] = [];
      await a.zk.create("/ord", "0");
      await a.zk.getData("/ord", () => order.push("watch"));
      // The server fires the watch before it answers the setData that triggered it.
      const p1 = a.zk.setData("/ord", "1").then(() => order.push("set1"));
      const p2 = a.zk.getData("/ord").then(() => order.push("get"));
      await Promise.all([p1, p2]);
      expect(order).toEqual(["watch", "set1", "get"]);
    });

    it("a persistent recursive watch reports a subtree's changes in order, and stays", async () => {
      const a = await connected(server.connectString);
      const b = await connected(server.connectString);
      const w = logger();
      await a.zk.addWatch("/rec", AddWatchMode.PERSISTENT_RECURSIVE, w.watcher); // before the node exists
      await b.zk.create("/rec", null);
      await b.zk.create("/rec/a", "1");
      await b.zk.setData("/rec/a", "2");
      await b.zk.create("/rec/a/b", null);
      await b.zk.delete("/rec/a/b");
      await b.zk.setData("/rec/a", "3");
      // Recursive watches never report NodeChildrenChanged.
      expect(await w.until(6)).toEqual([`${NodeCreated} /rec`, `${NodeCreated} /rec/a`, `${NodeDataChanged} /rec/a`, `${NodeCreated} /rec/a/b`, `${NodeDeleted} /rec/a/b`, `${NodeDataChanged} /rec/a`]);
      expect(a.zk.getWatches().persistentRecursive).toEqual(["/rec"]);
    });

    it("a persistent watch reports its node's data and children, repeatedly", async () => {
      const a = await connected(server.connectString);
      const w = logger();
      await a.zk.create("/pers", null);
      await a.zk.addWatch("/pers", AddWatchMode.PERSISTENT, w.watcher);
      await a.zk.setData("/pers", "1");
      await a.zk.setData("/pers", "2");
      await a.zk.create("/pers/c", null);
      await a.zk.setData("/pers/c", "x"); // not the watched node
      await a.zk.delete("/pers/c");
      expect(await w.until(4)).toEqual([`${NodeDataChanged} /pers`, `${NodeDataChanged} /pers`, `${NodeChildrenChanged} /pers`, `${NodeChildrenChanged} /pers`]);
    });

    it("removeWatches and removeAllWatches tell the removed watchers, and NOWATCHER when none", async () => {
      const a = await connected(server.connectString);
      const w1 = logger();
      const w2 = logger();
      await a.zk.create("/rm", null);
      await a.zk.getData("/rm", w1.watcher);
      await a.zk.getData("/rm", w2.watcher);
      await a.zk.getChildren("/rm", w2.watcher);
      await a.zk.removeWatches("/rm", w1.watcher, WatcherType.Data);
      expect(await w1.until(1)).toEqual([`${DataWatchRemoved} /rm`]);
      await expect(a.zk.removeWatches("/rm", w1.watcher, WatcherType.Data)).rejects.toMatchObject({ code: Code.NOWATCHER, path: "/rm" });
      await a.zk.removeAllWatches("/rm", WatcherType.Any);
      expect((await w2.until(2)).sort()).toEqual([`${DataWatchRemoved} /rm`, `${ChildWatchRemoved} /rm`].sort());
      await a.zk.addWatch("/rm", AddWatchMode.PERSISTENT, w1.watcher);
      await a.zk.removeAllWatches("/rm", WatcherType.Any);
      expect(await w1.until(2)).toEqual([`${DataWatchRemoved} /rm`, `${PersistentWatchRemoved} /rm`]);
      await a.zk.setData("/rm", "x");
      await a.zk.sync("/");
      expect(w1.log).toHaveLength(2);
      expect(w2.log).toHaveLength(2);
    });

    it("a chroot is applied to every path and never shows in results or events", async () => {
      const root = await connected(server.connectString);
      await root.zk.create("/app", null);
      const app = await connected(`${server.connectString}/app`);
      const w = logger();
      const made = await app.zk.create("/x", "1");
      expect(made.path).toBe("/x");
      expect((await root.zk.getData("/app/x")).data?.toString()).toBe("1");
      const seq = await app.zk.create("/s-", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
      expect(seq.path).toMatch(/^\/s-\d{10}$/);
      expect((await app.zk.getChildren("/")).sort()).toEqual(["s-" + seq.path.slice(3), "x"].sort());
      expect(await app.zk.getEphemerals("/")).toEqual([seq.path]);
      const tx = await app.zk.multi([Op.create("/y", null, OPEN_ACL_UNSAFE)]);
      expect((tx[0] as CreateResult).path).toBe("/y");
      await app.zk.getData("/x", w.watcher);
      await app.zk.getChildren("/", w.watcher);
      await root.zk.setData("/app/x", "2");
      await root.zk.create("/app/z", null);
      // The chroot itself comes back as "/".
      expect(await w.until(2)).toEqual([`${NodeDataChanged} /x`, `${NodeChildrenChanged} /`]);
      const rec = logger();
      await app.zk.addWatch("/deep", AddWatchMode.PERSISTENT_RECURSIVE, rec.watcher);
      await root.zk.create("/app/deep", null);
      await root.zk.create("/app/deep/er", null);
      expect(await rec.until(2)).toEqual([`${NodeCreated} /deep`, `${NodeCreated} /deep/er`]);
      expect(w.log.filter((l) => l.includes("/app"))).toEqual([]);
      await app.zk.sync("/x");
      await expect(app.zk.getData("/none")).rejects.toMatchObject({ code: Code.NONODE, path: "/none" });
      // Outside the chroot is out of reach.
      expect(await app.zk.exists("/app")).toBeNull();
    });
  });
}
