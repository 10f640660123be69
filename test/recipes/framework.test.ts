/**
 * The CuratorFramework facade against our server and Apache ZooKeeper 3.8: the seed's
 * client and CRUD calls (T79, T80) [003 L10–39], the builders' options, namespaces and
 * watches, transactions; connection states through a TCP proxy (SUSPENDED, RECONNECTED,
 * LOST by injected and by server-side expiry) and a server restart within the session
 * timeout; and the retry policies on their own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { Code, KeeperException } from "../../src/jute/KeeperException.js";
import { EventType } from "../../src/jute/Watcher.js";
import type { WatchedEvent } from "../../src/client/WatchedEvent.js";
import { AddWatchMode } from "../../src/client/ZooKeeper.js";
import { CuratorFrameworkFactory, type CuratorEvent } from "../../src/recipes/framework/CuratorFramework.js";
import { newStat } from "../../src/recipes/framework/builders.js";
import { BoundedExponentialBackoffRetry, ExponentialBackoffRetry, RetryForever, RetryNTimes, RetryOneTime, RetryUntilElapsed, shouldRetry, type RetrySleeper } from "../../src/recipes/framework/RetryPolicy.js";
import { isProtectedZNode, normalize } from "../../src/recipes/framework/ZKPaths.js";
import { startApacheZooKeeper, apacheZooKeeperAvailable } from "../support/apacheZooKeeper.js";
import { startOurServerProcess } from "../support/ourServerProcess.js";
import { servers } from "../client/support/servers.js";
import { ConnectionState, recordStates, sleep, startedClient, uniquePath, waitUntil, rawClient, useServer } from "./support/curator.js";


function code(e: unknown): number | undefined {
  return e instanceof KeeperException ? e.code : undefined;
}

for (const factory of servers) {
  describe.skipIf(!factory.available())(`CuratorFramework against ${factory.name}`, () => {
    const env = useServer(factory);

    it("T79 create with namespace \"base\" and a missing parent: /base/nodeA holds \"init\"", async () => {
      const ns = uniquePath("base");
      const client = await startedClient(env.server.connectString, { namespace: ns });
      // The seed's call, word for word [003 L19–21].
      const path = await client.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT).forPath("/nodeA", "init");
      expect(path).toBe("/nodeA");
      const deep = await client.create().creatingParentContainersIfNeeded().forPath("/p/q/nodeB", "b");
      expect(deep).toBe("/p/q/nodeB");
      const zk = rawClient(env.server.connectString);
      expect((await zk.getData(`/${ns}/nodeA`)).data!.toString()).toBe("init");
      expect((await zk.getData(`/${ns}/p/q/nodeB`)).data!.toString()).toBe("b");
      // The namespace and the parents exist (container-ness: see the container test below).
      expect((await zk.getChildren(`/${ns}`)).sort()).toEqual(["nodeA", "p"]);
    });

    it("T80 getData returns \"init\", setData changes it, delete removes it", async () => {
      const client = await startedClient(env.server.connectString, { namespace: uniquePath("base") });
      await client.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT).forPath("/nodeA", "init");
      expect((await client.getData().forPath("/nodeA")).toString()).toBe("init");
      const stat = await client.setData().forPath("/nodeA", "liuzaixing");
      expect(stat.version).toBe(1);
      expect((await client.getData().forPath("/nodeA")).toString()).toBe("liuzaixing");
      await client.delete().forPath("/nodeA");
      expect(await client.checkExists().forPath("/nodeA")).toBeNull();
      await expect(client.delete().forPath("/nodeA")).rejects.toMatchObject({ code: Code.NONODE });
      await client.delete().quietly().forPath("/nodeA");
    });

    it("withProtection names the node _c_<uuid>-<name>, and a sequential create appends the counter", async () => {
      const client = await startedClient(env.server.connectString);
      const base = uniquePath("/prot");
      const p = await client.create().creatingParentsIfNeeded().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(`${base}/lock-`, "x");
      const name = p.substring(base.length + 1);
      expect(name).toMatch(/^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-\d{10}$/);
      expect(isProtectedZNode(name)).toBe(true);
      expect(normalize(name)).toMatch(/^lock-\d{10}$/);
      const stat = await client.checkExists().forPath(p);
      expect(stat!.ephemeralOwner).toBe(client.getZookeeperClient().getZooKeeper().getSessionId());
    });

    it("builder options: orSetData, idempotent, storingStatIn, versions, default data, deletingChildrenIfNeeded", async () => {
      const client = await startedClient(env.server.connectString);
      const base = uniquePath("/opts");
      await client.create().creatingParentsIfNeeded().forPath(`${base}/a`, "1");
      await expect(client.create().forPath(`${base}/a`, "2")).rejects.toMatchObject({ code: Code.NODEEXISTS });
      await client.create().orSetData().forPath(`${base}/a`, "2");
      expect((await client.getData().forPath(`${base}/a`)).toString()).toBe("2");
      await client.create().idempotent().forPath(`${base}/a`, "2");
      await expect(client.create().idempotent().forPath(`${base}/a`, "3")).rejects.toMatchObject({ code: Code.NODEEXISTS });
      const stat = newStat();
      await client.getData().storingStatIn(stat).forPath(`${base}/a`);
      expect(stat.version).toBe(1);
      await expect(client.setData().withVersion(0).forPath(`${base}/a`, "x")).rejects.toMatchObject({ code: Code.BADVERSION });
      await client.setData().withVersion(1).forPath(`${base}/a`, "x");
      // forPath without data stores the client's default data (its IP address, as Curator).
      await client.create().forPath(`${base}/b`);
      expect((await client.getData().forPath(`${base}/b`)).toString()).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      await client.create().creatingParentsIfNeeded().forPath(`${base}/c/d/e`, "");
      await expect(client.delete().forPath(`${base}/c`)).rejects.toMatchObject({ code: Code.NOTEMPTY });
      await client.delete().deletingChildrenIfNeeded().forPath(base);
      expect(await client.checkExists().forPath(base)).toBeNull();
    });

    it("transaction: all or nothing, per-op results without the namespace", async () => {
      const ns = uniquePath("tx");
      const client = await startedClient(env.server.connectString, { namespace: ns });
      await client.create().forPath("/t", "0");
      const op = client.transactionOp();
      const results = await client.transaction().forOperations([
        op.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath("/t/s-", "a"),
        op.setData().withVersion(0).forPath("/t", "1"),
        op.check().withVersion(1).forPath("/t"),
      ]);
      expect(results.map((r) => r.type)).toEqual(["CREATE", "SET_DATA", "CHECK"]);
      expect(results[0]!.resultPath).toBe("/t/s-0000000000");
      expect(results[1]!.resultStat!.version).toBe(1);
      const failed = await client
        .transaction()
        .forOperations([op.create().forPath("/t/x", "x"), op.delete().withVersion(7).forPath("/t")])
        .catch((e: unknown) => e);
      expect(code(failed)).toBe(Code.BADVERSION);
      expect(await client.checkExists().forPath("/t/x")).toBeNull();
    });

    it("watchers receive paths without the namespace; usingNamespace shares the connection", async () => {
      const ns = uniquePath("w");
      const client = await startedClient(env.server.connectString, { namespace: ns });
      await client.create().forPath("/n", "0");
      const seen: WatchedEvent[] = [];
      const watcher = (e: WatchedEvent) => seen.push(e);
      await client.getData().usingWatcher(watcher).forPath("/n");
      // The same watcher twice on one path is one watch (one event).
      await client.checkExists().usingWatcher(watcher).forPath("/n");
      const other = client.usingNamespace(null);
      expect(other.getZookeeperClient()).toBe(client.getZookeeperClient());
      await other.setData().forPath(`/${ns}/n`, "1");
      await waitUntil(() => seen.length > 0, "the data watch");
      await sleep(50);
      expect(seen.map((e) => [e.type, e.path])).toEqual([[EventType.NodeDataChanged, "/n"]]);
      // watched(): the event goes to the CuratorListeners.
      const curatorEvents: CuratorEvent[] = [];
      client.getCuratorListenable().addListener((_c, e) => {
        if (e.watchedEvent.type !== EventType.None) curatorEvents.push(e);
      });
      await client.getChildren().watched().forPath("/n");
      await client.create().forPath("/n/c");
      await waitUntil(() => curatorEvents.length > 0, "the watched() event");
      expect(curatorEvents[0]!.watchedEvent.type).toBe(EventType.NodeChildrenChanged);
      expect(curatorEvents[0]!.watchedEvent.path).toBe("/n");
    });

    it("watchers(): a persistent recursive watch sees the subtree, remove() ends it", async () => {
      const ns = uniquePath("pw");
      const client = await startedClient(env.server.connectString, { namespace: ns });
      await client.create().forPath("/r", "");
      const seen: string[] = [];
      const watcher = (e: WatchedEvent) => seen.push(`${e.type}:${e.path}`);
      await client.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(watcher).forPath("/r");
      await client.create().forPath("/r/a", "");
      await client.create().forPath("/r/a/b", "");
      await client.setData().forPath("/r/a/b", "1");
      await waitUntil(() => seen.length >= 3, "three recursive events");
      expect(seen).toEqual([`${EventType.NodeCreated}:/r/a`, `${EventType.NodeCreated}:/r/a/b`, `${EventType.NodeDataChanged}:/r/a/b`]);
      await client.watchers().remove(watcher).forPath("/r");
      await client.delete().forPath("/r/a/b");
      await sleep(100);
      expect(seen.filter((s) => s.startsWith(`${EventType.NodeDeleted}`))).toEqual([]);
    });

    it("connection states: CONNECTED, then SUSPENDED and RECONNECTED on a cut connection; an operation issued meanwhile completes", async () => {
      const client = CuratorFrameworkFactory.builder().connectString(env.proxy.connectString).sessionTimeoutMs(8000).connectionTimeoutMs(4000).retryPolicy(new ExponentialBackoffRetry(100, 5)).build();
      const states = recordStates(client);
      client.start();
      onTestFinished(() => client.close());
      await client.blockUntilConnected(10_000);
      const sessionId = client.getZookeeperClient().getZooKeeper().getSessionId();
      await waitUntil(() => states.length === 1, "CONNECTED");
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      await waitUntil(() => states.includes(ConnectionState.SUSPENDED), "SUSPENDED");
      const path = uniquePath("/while-suspended");
      const pending = client.create().forPath(path, "x");
      await sleep(300);
      env.proxy.setRefusing(false);
      expect(await pending).toBe(path);
      await waitUntil(() => states.includes(ConnectionState.RECONNECTED), "RECONNECTED");
      expect(states).toEqual([ConnectionState.CONNECTED, ConnectionState.SUSPENDED, ConnectionState.RECONNECTED]);
      expect(client.getZookeeperClient().getZooKeeper().getSessionId()).toBe(sessionId);
    });

    it("LOST when SUSPENDED lasts a session timeout (injected expiry); a new session follows and the old ephemerals go", async () => {
      const client = CuratorFrameworkFactory.builder().connectString(env.proxy.connectString).sessionTimeoutMs(1500).connectionTimeoutMs(1000).retryPolicy(new RetryNTimes(1, 50)).build();
      const states = recordStates(client);
      client.start();
      onTestFinished(() => client.close());
      await client.blockUntilConnected(10_000);
      const first = client.getZookeeperClient().getZooKeeper().getSessionId();
      const eph = uniquePath("/eph");
      await client.create().withMode(CreateMode.EPHEMERAL).forPath(eph, "x");
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      await waitUntil(() => states.includes(ConnectionState.LOST), "LOST", 10_000);
      // Nothing can succeed while away: the retry policy gives up with CONNECTIONLOSS.
      const failed = await client.checkExists().forPath("/").catch((e: unknown) => e);
      expect(code(failed)).toBe(Code.CONNECTIONLOSS);
      env.proxy.setRefusing(false);
      await waitUntil(() => states.at(-1) === ConnectionState.RECONNECTED, "RECONNECTED after LOST", 10_000);
      expect(states).toEqual([ConnectionState.CONNECTED, ConnectionState.SUSPENDED, ConnectionState.LOST, ConnectionState.RECONNECTED]);
      expect(client.getZookeeperClient().getZooKeeper().getSessionId()).not.toBe(first);
      expect(client.getZookeeperClient().getInstanceIndex()).toBe(2);
      // The old session is left to the env.server, which expires it and its ephemeral.
      const zk = rawClient(env.server.connectString);
      await waitUntil(async () => (await zk.exists(eph)) === null, "the old session's ephemeral to go", 10_000);
    });

    it("LOST from the server's Expired when the expiry injection is off", async () => {
      const client = CuratorFrameworkFactory.builder().connectString(env.proxy.connectString).sessionTimeoutMs(1500).connectionTimeoutMs(1000).retryPolicy(new RetryNTimes(1, 50)).sessionExpirationPercent(0).build();
      const states = recordStates(client);
      client.start();
      onTestFinished(() => client.close());
      await client.blockUntilConnected(10_000);
      const eph = uniquePath("/eph");
      await client.create().withMode(CreateMode.EPHEMERAL).forPath(eph, "x");
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      await waitUntil(() => states.includes(ConnectionState.SUSPENDED), "SUSPENDED");
      await sleep(3000); // twice the session: an injected LOST would have come by now
      expect(states).not.toContain(ConnectionState.LOST);
      // Reconnect only once the server has expired the session (its ephemeral is gone);
      // a server running late would otherwise let the old session back in.
      const zk = rawClient(env.server.connectString);
      await waitUntil(async () => (await zk.exists(eph)) === null, "the server to expire the session", 10_000);
      env.proxy.setRefusing(false);
      await waitUntil(() => states.at(-1) === ConnectionState.RECONNECTED, "RECONNECTED on a new session", 10_000);
      expect(states).toEqual([ConnectionState.CONNECTED, ConnectionState.SUSPENDED, ConnectionState.LOST, ConnectionState.RECONNECTED]);
    });

    it("guaranteed delete: fails while disconnected, finishes in the background once reconnected", async () => {
      const client = CuratorFrameworkFactory.builder().connectString(env.proxy.connectString).sessionTimeoutMs(8000).connectionTimeoutMs(300).retryPolicy(new RetryNTimes(1, 50)).build();
      client.start();
      onTestFinished(() => client.close());
      await client.blockUntilConnected(10_000);
      const path = uniquePath("/gd");
      await client.create().forPath(path, "x");
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      const failed = await client.delete().guaranteed().forPath(path).catch((e: unknown) => e);
      expect(code(failed)).toBe(Code.CONNECTIONLOSS);
      expect(client.core.failedDeleteManager.pendingPaths()).toEqual([path]);
      env.proxy.setRefusing(false);
      const zk = rawClient(env.server.connectString);
      await waitUntil(async () => (await zk.exists(path)) === null, "the background delete", 10_000);
      await waitUntil(() => client.core.failedDeleteManager.pendingPaths().length === 0, "the pending set to empty");
    });
  });
}

describe.skipIf(!servers.find((s) => s.name === "ours")!.available())("a server restart within the session timeout", () => {
  it("keeps the session: SUSPENDED, then RECONNECTED, the ephemeral node survives", async () => {
    const ours = servers.find((s) => s.name === "ours")!;
    const dataDir = mkdtempSync(join(tmpdir(), "recipes-restart-"));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    let server = await ours.start({ dataDir });
    onTestFinished(() => server.stop());
    const client = await startedClient(server.connectString, { sessionTimeoutMs: 10_000, connectionTimeoutMs: 5000 });
    const states = recordStates(client);
    const sid = client.getZookeeperClient().getZooKeeper().getSessionId();
    const eph = uniquePath("/eph");
    await client.create().withMode(CreateMode.EPHEMERAL).forPath(eph, "x");
    await server.stop();
    await waitUntil(() => states.includes(ConnectionState.SUSPENDED), "SUSPENDED");
    server = await ours.start({ dataDir, port: server.port });
    await waitUntil(() => states.includes(ConnectionState.RECONNECTED), "RECONNECTED", 15_000);
    expect(states.filter((s) => s !== ConnectionState.CONNECTED)).toEqual([ConnectionState.SUSPENDED, ConnectionState.RECONNECTED]);
    expect(client.getZookeeperClient().getZooKeeper().getSessionId()).toBe(sid);
    expect(await client.checkExists().forPath(eph)).not.toBeNull();
  });
});

/** Servers whose container manager runs every 200 ms, to see containers disappear. */
const containerServers = [
  { name: "ours", available: () => true, start: () => startOurServerProcess({ extraConfig: { "znode.container.checkIntervalMs": 200 } }) },
  { name: "apache", available: apacheZooKeeperAvailable, start: () => startApacheZooKeeper({ systemProperties: { "znode.container.checkIntervalMs": "200" } }) },
];

for (const s of containerServers) {
  describe.skipIf(!s.available())(`containers on ${s.name}`, () => {
    it("T79 the namespace and parents made by creatingParentContainersIfNeeded are containers: they go once emptied", async () => {
      const server = await s.start();
      onTestFinished(async () => {
        await server.stop();
      });
      const client = await startedClient(server.connectString, { namespace: "base" });
      await client.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT).forPath("/p/nodeA", "init");
      await client.create().creatingParentsIfNeeded().forPath("/q/nodeB", "b");
      const zk = rawClient(server.connectString);
      await client.delete().forPath("/p/nodeA");
      await client.delete().forPath("/q/nodeB");
      // /base/p was a container: emptied, the server deletes it; /base/q was persistent.
      await waitUntil(async () => (await zk.exists("/base/p")) === null, "the container /base/p to be deleted", 10_000);
      expect(await zk.exists("/base/q")).not.toBeNull();
      await client.delete().forPath("/q");
      await waitUntil(async () => (await zk.exists("/base")) === null, "the namespace container /base to be deleted", 10_000);
    });
  });
}

describe("retry policies", () => {
  const sleeps: number[] = [];
  const sleeper: RetrySleeper = {
    sleepFor: async (ms) => {
      sleeps.push(ms);
    },
  };

  it("shouldRetry: connection-type codes only", () => {
    expect([Code.CONNECTIONLOSS, Code.OPERATIONTIMEOUT, Code.SESSIONMOVED, Code.SESSIONEXPIRED, Code.NEWCONFIGNOQUORUM].every(shouldRetry)).toBe(true);
    expect([Code.NONODE, Code.NODEEXISTS, Code.BADVERSION, Code.NOAUTH, Code.OK].some(shouldRetry)).toBe(false);
  });

  it("ExponentialBackoffRetry(1000, 3): base × random in [1, 2^(n+1)), three retries", async () => {
    sleeps.length = 0;
    const top = new ExponentialBackoffRetry(1000, 3, undefined, () => 0.999999);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await top.allowRetry(i, 0, sleeper));
    expect(results).toEqual([true, true, true, false]);
    expect(sleeps).toEqual([1000, 3000, 7000]);
    sleeps.length = 0;
    await new ExponentialBackoffRetry(1000, 3, undefined, () => 0).allowRetry(2, 0, sleeper);
    expect(sleeps).toEqual([1000]);
    expect(new ExponentialBackoffRetry(1, 100).getN()).toBe(29);
    sleeps.length = 0;
    await new BoundedExponentialBackoffRetry(100, 250, 10, () => 0.999).allowRetry(5, 0, sleeper);
    expect(sleeps).toEqual([250]);
  });

  it("RetryNTimes, RetryOneTime, RetryForever, RetryUntilElapsed", async () => {
    sleeps.length = 0;
    const n = new RetryNTimes(2, 50);
    expect([await n.allowRetry(0, 0, sleeper), await n.allowRetry(1, 0, sleeper), await n.allowRetry(2, 0, sleeper)]).toEqual([true, true, false]);
    expect(await new RetryOneTime(10).allowRetry(1, 0, sleeper)).toBe(false);
    expect(await new RetryForever(5).allowRetry(1_000_000, 1e9, sleeper)).toBe(true);
    const u = new RetryUntilElapsed(1000, 7);
    expect(await u.allowRetry(50, 999, sleeper)).toBe(true);
    expect(await u.allowRetry(51, 1000, sleeper)).toBe(false);
    expect(sleeps).toEqual([50, 50, 5, 7, 7]);
  });
});
