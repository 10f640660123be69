/**
 * Caches against our server and Apache ZooKeeper 3.8: PathChildrenCache events with data
 * (T81) [003 L50–63], NodeCache following one node (T82) [003 L65–79], TreeCache events
 * for a whole subtree (T83) [003 L81–92], Curator 5's CuratorCache (G19) on a persistent
 * recursive watch and through its TreeCache bridge; and every cache converging to the
 * real tree after bursts of changes made while its connection is cut, and after its
 * session is lost.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { ZooKeeper } from "../../src/client/ZooKeeper.js";
import { makePath } from "../../src/recipes/framework/ZKPaths.js";
import type { ChildData } from "../../src/recipes/cache/ChildData.js";
import { CuratorCache, CuratorCacheEventType, CuratorCacheListenerFactory, CuratorCacheOptions } from "../../src/recipes/cache/CuratorCache.js";
import { NodeCache } from "../../src/recipes/cache/NodeCache.js";
import { PathChildrenCache, PathChildrenCacheEventType, StartMode, type PathChildrenCacheEvent } from "../../src/recipes/cache/PathChildrenCache.js";
import { TreeCache, TreeCacheEventType, type TreeCacheEvent } from "../../src/recipes/cache/TreeCache.js";
import { servers, type RunningServer } from "../client/support/servers.js";
import { type TcpProxy } from "../client/support/tcpProxy.js";
import { ConnectionState, sleep, startedClient, uniquePath, waitUntil, rawClient, useServer, clientVia } from "./support/curator.js";

/** Every node of a subtree with its data, read directly from the server. */
async function snapshot(zk: ZooKeeper, root: string, depth = Infinity): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (path: string, d: number) => {
    const { data } = await zk.getData(path);
    out.set(path, data?.toString() ?? "");
    if (d >= depth) return;
    for (const c of await zk.getChildren(path)) await walk(makePath(path, c), d + 1);
  };
  await walk(root, 0);
  return out;
}

function asMap(nodes: readonly ChildData[]): Map<string, string> {
  return new Map(nodes.map((n) => [n.path, n.data?.toString() ?? ""]));
}

/** A random burst: creates, updates and deletes below `root`, up to two levels deep. */
async function burst(zk: ZooKeeper, root: string, ops: number, seed: number): Promise<void> {
  let x = seed;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  for (let i = 0; i < ops; i++) {
    const a = `${root}/a${rnd(4)}`;
    const b = `${a}/b${rnd(3)}`;
    const target = rnd(2) === 0 ? a : b;
    const what = rnd(3);
    try {
      if (what === 0) await zk.create(target, `v${i}`);
      else if (what === 1) await zk.setData(target, `v${i}`);
      else if (target === b || (await zk.getChildren(target)).length === 0) await zk.delete(target);
    } catch {
      // NONODE / NODEEXISTS / NOTEMPTY: the tree was not in the shape this op needed.
    }
  }
}


for (const factory of servers) {
  describe.skipIf(!factory.available())(`caches against ${factory.name}`, () => {
    const env = useServer(factory);

    it("T81 PathChildrenCache(cacheData=true): CHILD_ADDED, CHILD_UPDATED, CHILD_REMOVED with data", async () => {
      const client = await startedClient(env.server.connectString, { namespace: uniquePath("base") });
      const events: PathChildrenCacheEvent[] = [];
      // As the seed: new PathChildrenCache(client, "/nodeA", true), start, then add the listener.
      const cache = new PathChildrenCache(client, "/nodeA", true);
      await cache.start();
      onTestFinished(() => cache.close());
      cache.getListenable().addListener((_c, e) => {
        // (A CONNECTION_RECONNECTED may come first: the cache may still hear the client's CONNECTED.)
        if (e.data !== null) events.push(e);
      });
      await client.create().creatingParentContainersIfNeeded().forPath("/nodeA/c1", "one");
      await waitUntil(() => events.length >= 1, "CHILD_ADDED");
      await client.setData().forPath("/nodeA/c1", "uno");
      await waitUntil(() => events.length >= 2, "CHILD_UPDATED");
      await client.delete().forPath("/nodeA/c1");
      await waitUntil(() => events.length >= 3, "CHILD_REMOVED");
      await sleep(50);
      expect(events.map((e) => [e.type, e.data?.path, e.data?.data?.toString()])).toEqual([
        [PathChildrenCacheEventType.CHILD_ADDED, "/nodeA/c1", "one"],
        [PathChildrenCacheEventType.CHILD_UPDATED, "/nodeA/c1", "uno"],
        [PathChildrenCacheEventType.CHILD_REMOVED, "/nodeA/c1", "uno"],
      ]);
      expect(cache.getCurrentData()).toEqual([]);
    });

    it("PathChildrenCache: cacheData=false keeps Stats only; POST_INITIALIZED_EVENT and BUILD_INITIAL_CACHE", async () => {
      const client = await startedClient(env.server.connectString);
      const path = uniquePath("/pcc");
      for (const c of ["x", "y"]) await client.create().creatingParentsIfNeeded().forPath(`${path}/${c}`, c);
      const noData = new PathChildrenCache(client, path, false);
      const init: PathChildrenCacheEvent[] = [];
      noData.getListenable().addListener((_c, e) => {
        if (e.type === PathChildrenCacheEventType.INITIALIZED) init.push(e);
      });
      await noData.start(StartMode.POST_INITIALIZED_EVENT);
      onTestFinished(() => noData.close());
      await waitUntil(() => init.length === 1, "INITIALIZED");
      expect(init[0]!.initialData!.map((d) => [d.path, d.data])).toEqual([
        [`${path}/x`, null],
        [`${path}/y`, null],
      ]);
      const built = new PathChildrenCache(client, path, true);
      const events: PathChildrenCacheEvent[] = [];
      built.getListenable().addListener((_c, e) => {
        events.push(e);
      });
      await built.start(StartMode.BUILD_INITIAL_CACHE);
      onTestFinished(() => built.close());
      expect(built.getCurrentData().map((d) => d.data!.toString())).toEqual(["x", "y"]);
      await sleep(100);
      expect(events.filter((e) => e.type === PathChildrenCacheEventType.CHILD_ADDED)).toEqual([]);
    });

    it("T82 NodeCache: a change reaches the listener, a delete makes currentData null", async () => {
      const client = await startedClient(env.server.connectString, { namespace: uniquePath("base") });
      await client.create().forPath("/nodeA", "init");
      const cache = new NodeCache(client, "/nodeA");
      const seen: Array<string | null> = [];
      // The seed's listener: print the data, or "deleted" when getCurrentData() is null.
      cache.getListenable().addListener(() => {
        const current = cache.getCurrentData();
        seen.push(current === null ? null : current.data!.toString());
      });
      await cache.start(true);
      onTestFinished(() => cache.close());
      expect(cache.getCurrentData()!.data!.toString()).toBe("init");
      await client.setData().forPath("/nodeA", "changed");
      await waitUntil(() => seen.includes("changed"), "the change");
      await client.delete().forPath("/nodeA");
      await waitUntil(() => seen.includes(null), "the delete");
      expect(cache.getCurrentData()).toBeNull();
      await client.create().forPath("/nodeA", "again");
      await waitUntil(() => seen.includes("again"), "the re-create");
      expect(seen).toEqual(["changed", null, "again"]);
      // G19: the seed's third argument `true` is dataIsCompressed, which is not supported.
      expect(() => new NodeCache(client, "/nodeA", true)).toThrow(/dataIsCompressed/);
    });

    it("T83 TreeCache: events for the node and all its descendants", async () => {
      const client = await startedClient(env.server.connectString, { namespace: uniquePath("base") });
      await client.create().forPath("/nodeA", "root");
      const events: TreeCacheEvent[] = [];
      const cache = new TreeCache(client, "/nodeA");
      cache.getListenable().addListener((_c, e) => {
        events.push(e);
      });
      await cache.start();
      onTestFinished(() => cache.close());
      await waitUntil(() => events.some((e) => e.type === TreeCacheEventType.INITIALIZED), "INITIALIZED");
      await client.create().forPath("/nodeA/b", "b");
      await waitUntil(() => cache.getCurrentData("/nodeA/b") !== undefined, "b");
      await client.create().forPath("/nodeA/b/c", "c");
      await waitUntil(() => cache.getCurrentData("/nodeA/b/c") !== undefined, "c");
      await client.setData().forPath("/nodeA/b/c", "c2");
      await waitUntil(() => cache.getCurrentData("/nodeA/b/c")?.data?.toString() === "c2", "c2");
      await client.delete().deletingChildrenIfNeeded().forPath("/nodeA/b");
      await waitUntil(() => cache.getCurrentData("/nodeA/b") === undefined, "b removed");
      await sleep(50);
      const log = events.filter((e) => e.type !== TreeCacheEventType.INITIALIZED).map((e) => `${e.type} ${e.data!.path} ${e.data!.data!.toString()}`);
      expect(log).toEqual([
        "NODE_ADDED /nodeA root",
        "NODE_ADDED /nodeA/b b",
        "NODE_ADDED /nodeA/b/c c",
        "NODE_UPDATED /nodeA/b/c c2",
        "NODE_REMOVED /nodeA/b/c c2",
        "NODE_REMOVED /nodeA/b b",
      ]);
      expect([...cache.getCurrentChildren("/nodeA")!.keys()]).toEqual([]);
    });

    it("CuratorCache on a persistent recursive watch: created, changed, deleted, initialized", async () => {
      const client = await startedClient(env.server.connectString);
      const path = uniquePath("/cc");
      await client.create().forPath(path, "r");
      await client.create().forPath(`${path}/pre`, "p");
      const log: string[] = [];
      const cache = CuratorCache.build(client, path);
      cache.listenable().addListener(
        CuratorCacheListenerFactory.builder()
          .forCreates((n) => log.push(`created ${n.path}`))
          .forChanges((o, n) => log.push(`changed ${n.path} ${o.data!.toString()}->${n.data!.toString()}`))
          .forDeletes((o) => log.push(`deleted ${o.path}`))
          .forInitialized(() => log.push("initialized"))
          .build(),
      );
      cache.start();
      onTestFinished(() => cache.close());
      await waitUntil(() => log.includes("initialized"), "initialized");
      expect(cache.isCuratorCache()).toBe(true);
      expect(client.getZookeeperClient().getZooKeeper().getWatches().persistentRecursive).toEqual([path]);
      await client.create().forPath(`${path}/a`, "1");
      await client.create().forPath(`${path}/a/b`, "2");
      await client.setData().forPath(`${path}/a`, "3");
      await client.delete().forPath(`${path}/a/b`);
      await waitUntil(() => log.includes(`deleted ${path}/a/b`), "the delete");
      expect(log.slice(log.indexOf("initialized") + 1)).toEqual([`created ${path}/a`, `created ${path}/a/b`, `changed ${path}/a 1->3`, `deleted ${path}/a/b`]);
      expect(cache.stream().map((n) => n.path)).toEqual([path, `${path}/a`, `${path}/pre`]);
      const single = CuratorCache.build(client, `${path}/a`, CuratorCacheOptions.SINGLE_NODE_CACHE);
      single.start();
      onTestFinished(() => single.close());
      await waitUntil(() => single.size() === 1, "the single node");
      expect(single.get(`${path}/a`)!.data!.toString()).toBe("3");
    });

    it("caches converge to the tree after bursts of changes made while their connection is cut, twice", async () => {
      await convergeAcrossOutages(env.server, env.proxy, 10_000, "cut");
    });

    it("caches converge to the tree after their session is lost (changes made meanwhile)", async () => {
      await convergeAcrossOutages(env.server, env.proxy, 1500, "lose");
    });

    it("ZOOKEEPER-4466 (3.8): a standard watch by the same session on a persistent watch's path ends the persistent one", async () => {
      // Why convergeAcrossOutages gives CuratorCache a session of its own: on a 3.8 server a
      // session has one watch mode per path, so TreeCache's getData watch on the cache root
      // turns CuratorCache's persistent recursive watch into a one-shot watch.
      const client = await startedClient(env.server.connectString);
      const path = uniquePath("/mode");
      await client.create().forPath(path, "0");
      const cache = CuratorCache.build(client, path);
      cache.start();
      onTestFinished(() => cache.close());
      await waitUntil(() => cache.size() === 1, "the root cached");
      await client.getData().usingWatcher(() => undefined).forPath(path);
      const zk = rawClient(env.server.connectString);
      await zk.setData(path, "1"); // fires both, and both are gone now
      await waitUntil(() => cache.get(path)?.data?.toString() === "1", "the change");
      await zk.create(`${path}/child`, "c");
      await sleep(300);
      expect(cache.get(`${path}/child`)).toBeUndefined();
    });
  });
}

/**
 * Starts every kind of cache on one subtree, then bursts of changes around outages; all
 * must end equal to the tree. CuratorCache gets a session of its own (ZOOKEEPER-4466).
 */
async function convergeAcrossOutages(server: RunningServer, proxy: TcpProxy, sessionTimeoutMs: number, how: "cut" | "lose"): Promise<void> {
  const a = await clientVia(proxy, sessionTimeoutMs);
  const b = await clientVia(proxy, sessionTimeoutMs);
  const zk = rawClient(server.connectString);
  const root = uniquePath("/conv");
  await zk.create(root, "root");
  await burst(zk, root, 30, 1);
  const tree = new TreeCache(a.client, root);
  const children = new PathChildrenCache(a.client, root, true);
  const node = new NodeCache(a.client, `${root}/a1`);
  const bridge = CuratorCache.bridgeBuilder(a.client, root).withPersistentWatches(false).build();
  const curator = CuratorCache.build(b.client, root);
  await tree.start();
  await children.start();
  await node.start();
  curator.start();
  bridge.start();
  onTestFinished(() => {
    for (const c of [tree, children, node, curator, bridge]) c.close();
  });
  expect(bridge.isCuratorCache()).toBe(false);
  const rounds = 2;
  for (let round = 0; round < rounds; round++) {
    await burst(zk, root, 40, 100 + round); // while connected
    const count = (states: ConnectionState[], s: ConnectionState) => states.filter((x) => x === s).length;
    const lostBefore = [a, b].map((c) => count(c.states, ConnectionState.LOST));
    const reconnectedBefore = [a, b].map((c) => count(c.states, ConnectionState.RECONNECTED));
    proxy.setRefusing(true);
    proxy.dropConnections();
    await burst(zk, root, 40, 200 + round); // while the caches cannot see
    if (how === "lose") await waitUntil(() => [a, b].every((c, i) => count(c.states, ConnectionState.LOST) > lostBefore[i]!), "LOST", 10_000);
    await burst(zk, root, 20, 300 + round);
    proxy.setRefusing(false);
    await waitUntil(() => [a, b].every((c, i) => count(c.states, ConnectionState.RECONNECTED) > reconnectedBefore[i]!), "RECONNECTED", 15_000);
  }
  await burst(zk, root, 20, 999); // and once more, connected
  const expectedTree = await snapshot(zk, root);
  const expectedChildren = new Map([...expectedTree].filter(([p]) => p.split("/").length === root.split("/").length + 1));
  const converged = async (what: string, got: () => Map<string, string>, want: Map<string, string>) => {
    const diff = () => {
      const g = got();
      const missing = [...want].filter(([p, d]) => g.get(p) !== d).map(([p, d]) => `${p}=${d} (cached: ${g.get(p)})`);
      const extra = [...g.keys()].filter((p) => !want.has(p));
      return missing.length === 0 && extra.length === 0 ? null : `missing or stale: ${missing.join(", ")}; extra: ${extra.join(", ")}`;
    };
    await waitUntil(() => diff() === null, `${what} to converge`, 15_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${diff()}`);
    });
  };
  await converged("TreeCache", () => asMap(tree.getAll()), expectedTree);
  await converged("PathChildrenCache", () => asMap(children.getCurrentData()), expectedChildren);
  await converged("CuratorCache", () => asMap(curator.stream()), expectedTree);
  await converged("CuratorCache (TreeCache bridge)", () => asMap(bridge.stream()), expectedTree);
  const a1 = expectedTree.get(`${root}/a1`);
  await waitUntil(() => (node.getCurrentData()?.data?.toString() ?? undefined) === a1, "NodeCache to converge", 15_000);
  // Converged is not a coincidence of timing: one more change still arrives everywhere.
  await zk.create(`${root}/final`, "f", undefined, CreateMode.PERSISTENT);
  const has = () => ({ tree: tree.getCurrentData(`${root}/final`) !== undefined, curator: curator.get(`${root}/final`) !== undefined, children: children.getCurrentData(`${root}/final`) !== undefined, bridge: bridge.get(`${root}/final`) !== undefined });
  await waitUntil(() => Object.values(has()).every((x) => x), "the final node everywhere").catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(has())}`);
  });
  expect(curator.stream().some((n) => n.path === `${root}/final`)).toBe(true);
  expect(CuratorCacheEventType.NODE_CREATED).toBe("NODE_CREATED");
}
