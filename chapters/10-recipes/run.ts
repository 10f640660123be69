/**
 * Chapter 10's example: the recipes of 003's tour of Curator, on our server, narrated.
 * Run with `npm run chapter -- recipes`.
 *
 * Starts our server as its own process (bin/zk-server.js with this folder's zoo.cfg, a
 * temp data dir, 127.0.0.1, a free port), then:
 *   2. the seed's client (namespace "base"): create with container parents, read, update,
 *      delete (T79, T80), and the empty namespace node disappearing;
 *   3. a NodeCache and a PathChildrenCache on /nodeA reacting to changes (T81, T82, G19);
 *   4. three contenders on one lock: their nodes, who watches whom, each release waking
 *      only the next (T85); a contender that times out; ten owners through a multi-lock
 *      (T84, G20);
 *   5. three LeaderLatches handing leadership over (T87, G21), and two LeaderSelectors
 *      taking turns (T88);
 *   6. a lock holder whose connection drops (SUSPENDED, then RECONNECTED: same session)
 *      and then fails for good (its session expires, the lock passes to the waiter, and
 *      its own mutex never notices).
 * Lines like `A: lock waiting node=… watching=…` are the recipes' trace events
 * (src/recipes/framework/RecipeTrace.ts) as they happen; `curator -> server` lines in
 * step 2 are the frames the client writes (src/client/ClientTrace.ts).
 *
 * Ctrl-C aborts `signal`: the current wait ends, every client is closed, the server stopped.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateMode } from "../../src/jute/CreateMode.js";
import type { ZooKeeper } from "../../src/client/ZooKeeper.js";
import { NodeCache } from "../../src/recipes/cache/NodeCache.js";
import { PathChildrenCache } from "../../src/recipes/cache/PathChildrenCache.js";
import { ConnectionState } from "../../src/recipes/framework/ConnectionState.js";
import { CuratorFrameworkFactory, type CuratorFramework, type CuratorFrameworkBuilder } from "../../src/recipes/framework/CuratorFramework.js";
import { isRecipeEvent, RecipeEvent } from "../../src/recipes/framework/RecipeTrace.js";
import { BoundedExponentialBackoffRetry, ExponentialBackoffRetry } from "../../src/recipes/framework/RetryPolicy.js";
import { getNodeFromPath } from "../../src/recipes/framework/ZKPaths.js";
import { LeaderLatch } from "../../src/recipes/leader/LeaderLatch.js";
import { LeaderSelector, LeaderSelectorListenerAdapter } from "../../src/recipes/leader/LeaderSelector.js";
import { InterProcessMultiLock, withLock } from "../../src/recipes/locks/InterProcessMultiLock.js";
import { InterProcessMutex } from "../../src/recipes/locks/InterProcessMutex.js";
import { describeEvent, TRACE_CHANNEL, type TraceEvent } from "../../src/trace/index.js";
import { setLogLevel } from "../../src/util/Logger.js";
import { startTcpProxy, type TcpProxy } from "../../test/client/support/tcpProxy.js";
import { connectClient, exampleHome, narrator } from "../support/narration.js";
import { pickPort, startServer, writeConfig, type ServerChild } from "../support/serverProcess.js";

const TEMPLATE = join(import.meta.dirname, "zoo.cfg");

class Stopped extends Error {}

/** `_c_45a67f67-11b2-40b2-9ddc-144a5caad47e-lock-…` → `_c_45a67f67…-lock-…`: a protected name's uuid, shortened. */
const shortUuids = (text: string) => text.replace(/_c_([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/g, "_c_$1…-");

export default async function run(signal: AbortSignal): Promise<void> {
  const { step, say, show } = narrator(signal);
  const { home, dataDir, dispose } = exampleHome("zk-chapter10-");
  // The recipes log what the narration says (and LeaderLatch logs an ERROR when its node
  // went with a session); ZK_LOG_LEVEL brings the log back.
  if (!process.env.ZK_LOG_LEVEL) setLogLevel("OFF");
  let server: ServerChild | null = null;
  let proxy: TcpProxy | null = null;
  let zk: ZooKeeper | null = null;
  const clients: CuratorFramework[] = [];
  const closers: Array<() => unknown> = [];

  // The recipes' trace events of the clients being narrated, and (step 2) one client's frames.
  const narrated = new Set<string>();
  let framesOf: string | null = null;
  const nodeOwner = new Map<string, string>();
  const onTrace = (message: unknown) => {
    const e = message as TraceEvent;
    if (e.kind === "state" && e.label === RecipeEvent.LOCK_CREATED) nodeOwner.set(String(e.fields.node), e.node);
    // CONNECTED reaches the listeners a moment after a client is ready: at no fixed point in the story.
    const connected = e.kind === "state" && e.fields.state === ConnectionState.CONNECTED;
    if (e.kind === "state" && isRecipeEvent(e) && narrated.has(e.node) && !connected) show([`  ${shortUuids(describeEvent(e))}`]);
    else if (e.kind === "message" && e.from === framesOf && e.label !== "ping") show([`  ${framesOf} -> server  ${e.label} ${e.fields.path ?? ""}`]);
  };

  const check = () => {
    if (signal.aborted) throw new Stopped();
  };
  /** Waits for `cond` (polled), ending early on Ctrl-C. */
  const until = async (cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      check();
      if (await cond()) return;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await sleep(10, undefined, { signal }).catch(() => undefined);
    }
  };
  /** A promise whose failure after Ctrl-C (its client closed) is nobody's concern. */
  const background = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined);
    return p;
  };
  const curator = async (name: string, connectString: string, build?: (b: CuratorFrameworkBuilder) => unknown) => {
    const b = CuratorFrameworkFactory.builder()
      .connectString(connectString)
      .sessionTimeoutMs(10000)
      .connectionTimeoutMs(5000)
      .retryPolicy(new ExponentialBackoffRetry(100, 3))
      .namespace("base")
      .zookeeperOptions({ traceName: name });
    build?.(b);
    const c = b.build();
    clients.push(c);
    c.start();
    await c.blockUntilConnected(15_000);
    check();
    return c;
  };
  const watchesOf = (c: CuratorFramework) => c.getZookeeperClient().getZooKeeper().getWatches().data;

  subscribe(TRACE_CHANNEL, onTrace);
  try {
    // -----------------------------------------------------------------------------------
    await step("1. Our server");
    const port = await pickPort();
    const address = `127.0.0.1:${port}`;
    server = await startServer(writeConfig(TEMPLATE, home, dataDir, port), port);
    await say(`zk-server runs chapters/10-recipes/zoo.cfg as process ${server.pid} on ${address}`);
    await say("(tickTime 1000, sessions of 2 to 10 s, empty containers removed every 500 ms).");
    zk = await connectClient(address, 10000);

    // -----------------------------------------------------------------------------------
    await step("2. The seed's client: namespace \"base\", create, read, update, delete (T79, T80)");
    await say("CuratorFrameworkFactory.builder().connectString(...).sessionTimeoutMs(5000).connectionTimeoutMs(5000)");
    await say("  .retryPolicy(new ExponentialBackoffRetry(1000, 3)).namespace(\"base\").build(), then start():");
    const seed = await curator("curator", address, (b) => b.sessionTimeoutMs(5000).retryPolicy(new ExponentialBackoffRetry(1000, 3)));
    await say(`connected; the server granted a ${seed.getZookeeperClient().getLastNegotiatedSessionTimeoutMs()} ms session.`);
    await say('create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT).forPath("/nodeA", "init"):');
    framesOf = "curator";
    const created = await seed.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT).forPath("/nodeA", "init");
    framesOf = null;
    await say(`=> "${created}". Before its first operation the client made the namespace node: exists /base, then`);
    await say("   createContainer /base (a container: the server deletes it once its last child is gone).");
    await say(`A plain handle sees getChildren("/") = [${(await zk.getChildren("/")).sort().join(", ")}] and /base/nodeA = "${(await zk.getData("/base/nodeA")).data}".`);
    await say(`getData().forPath("/nodeA") = "${(await seed.getData().forPath("/nodeA")).toString()}"`);
    const updated = await seed.setData().forPath("/nodeA", "liuzaixing");
    await say(`setData().forPath("/nodeA", "liuzaixing") -> version ${updated.version}; getData = "${(await seed.getData().forPath("/nodeA")).toString()}"`);
    await seed.delete().forPath("/nodeA");
    await say(`delete().forPath("/nodeA"); checkExists().forPath("/nodeA") = ${String(await seed.checkExists().forPath("/nodeA"))}`);
    const emptiedAt = Date.now();
    await until(async () => (await zk!.exists("/base")) === null, "container removal", 10_000);
    await say(`/base, now empty, was deleted by the server's container manager ${Date.now() - emptiedAt} ms later:`);
    await say("that is the only way to see a container from a client (its Stat shows ephemeralOwner 0).");

    // -----------------------------------------------------------------------------------
    await step("3. Caches follow /nodeA (T81, T82)");
    try {
      new NodeCache(seed, "/nodeA", true);
    } catch (e) {
      await say(`new NodeCache(client, "/nodeA", true) -> ${(e as Error).name}: ${(e as Error).message}`);
      await say("(G19: the seed's `true` is dataIsCompressed; PathChildrenCache's third argument is cacheData.)");
    }
    const heard: string[] = [];
    const hear = (line: string) => {
      heard.push(line);
      show([`  listener: ${line}`]);
    };
    const nodeCache = new NodeCache(seed, "/nodeA");
    nodeCache.getListenable().addListener(() => {
      const current = nodeCache.getCurrentData();
      hear(current === null ? "NodeCache: node deleted" : `NodeCache: node data ${current.data?.toString()}`);
    });
    const childrenCache = new PathChildrenCache(seed, "/nodeA", true);
    childrenCache.getListenable().addListener((_c, event) => {
      if (event.data === null) return; // connection events
      hear(`PathChildrenCache: ${event.type} ${event.data.path}=${event.data.data?.toString()}`);
    });
    closers.push(() => nodeCache.close(), () => childrenCache.close());
    await nodeCache.start();
    await childrenCache.start();
    await say("new NodeCache(client, \"/nodeA\") and new PathChildrenCache(client, \"/nodeA\", true), each with a listener, started.");
    const change = async (what: string, doIt: () => Promise<unknown>, expect: string) => {
      await say(what);
      await doIt();
      await until(() => heard.includes(expect), `"${expect}"`, 10_000);
    };
    await change('create /nodeA "v1"', () => seed.create().creatingParentContainersIfNeeded().forPath("/nodeA", "v1"), "NodeCache: node data v1");
    await change('create /nodeA/c1 "x"', () => seed.create().forPath("/nodeA/c1", "x"), "PathChildrenCache: CHILD_ADDED /nodeA/c1=x");
    await change('setData /nodeA/c1 "y"', () => seed.setData().forPath("/nodeA/c1", "y"), "PathChildrenCache: CHILD_UPDATED /nodeA/c1=y");
    await change("delete /nodeA/c1", () => seed.delete().forPath("/nodeA/c1"), "PathChildrenCache: CHILD_REMOVED /nodeA/c1=y");
    await change('setData /nodeA "v2"', () => seed.setData().forPath("/nodeA", "v2"), "NodeCache: node data v2");
    await change("delete /nodeA", () => seed.delete().forPath("/nodeA"), "NodeCache: node deleted");
    await say("Each cache re-read what its watch told it had changed, and told its listener once per real change.");
    nodeCache.close();
    childrenCache.close();

    // -----------------------------------------------------------------------------------
    await step("4. Three contenders on one lock (T85), a timeout, a multi-lock (T84)");
    const [a, b, c] = [await curator("A", address), await curator("B", address), await curator("C", address)];
    for (const n of ["A", "B", "C", "D"]) narrated.add(n);
    const [ma, mb, mc] = [a, b, c].map((client) => new InterProcessMutex(client, "/lock"));
    await say('A, B and C, each its own client and session, call new InterProcessMutex(client, "/lock").acquire() in turn:');
    await ma!.acquire();
    const waitingB = background(mb!.acquire());
    await until(() => watchesOf(b).length === 1, "B's watch");
    const waitingC = background(mc!.acquire());
    await until(() => watchesOf(c).length === 1, "C's watch");
    await say("The queue is the children of /base/lock in sequence order; each waiter watches one node:");
    const watchers = new Map([...[["B", b], ["C", c]] as const].map(([n, cl]) => [getNodeFromPath(watchesOf(cl)[0]!), n]));
    for (const full of await ma!.getParticipantNodes()) {
      const node = getNodeFromPath(full);
      const watcher = watchers.get(node);
      show([`  ${node}  ${nodeOwner.get(node) ?? "?"}${watcher ? `, watched by ${watcher}` : ""}`]);
    }
    await say("A releases: its node is deleted, and only B's watch fires.");
    await ma!.release();
    await waitingB;
    await say(`B holds the lock; C's watch on B's node is still set, unfired: ${shortUuids(watchesOf(c).map(getNodeFromPath).join(", "))}.`);
    await say("B releases, which wakes C:");
    await mb!.release();
    await waitingC;
    await say("A fourth contender D tries with acquire(300): it queues behind C, waits 300 ms, and deletes its own node.");
    const d = await curator("D", address);
    const gotIt = await new InterProcessMutex(d, "/lock").acquire(300);
    await say(`D's acquire(300) = ${gotIt}; /base/lock now holds ${shortUuids((await mc!.getParticipantNodes()).map(getNodeFromPath).join(", "))} (C's alone).`);
    await mc!.release();
    for (const n of ["A", "B", "C", "D"]) narrated.delete(n);
    await say("The seed's T84: ten \"threads\" through one InterProcessMultiLock([\"/lock\"]), each with its own owner token,");
    await say("each inside withLock(lock, fn, { owner }) -- the tryLock helper the seed does not show (G20):");
    const multi = new InterProcessMultiLock(a, ["/lock"]);
    let inside = 0;
    let most = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        withLock(multi, async () => {
          most = Math.max(most, ++inside);
          await sleep(5);
          inside--;
          done++;
        }, { owner: `thread${i}` }),
      ),
    );
    await say(`${done} critical sections ran, at most ${most} at a time.`);

    // -----------------------------------------------------------------------------------
    await step("5. Leadership: three LeaderLatches hand over (T87, G21), two LeaderSelectors take turns (T88)");
    for (const n of ["A", "B", "C"]) narrated.add(n);
    const latches: LeaderLatch[] = [];
    for (const [name, client] of [["A", a], ["B", b], ["C", c]] as const) {
      const latch = new LeaderLatch(client, "/latch", name);
      latches.push(latch);
      closers.push(() => (latch.getState() === "STARTED" ? latch.close() : undefined));
      latch.start();
      await until(() => latch.hasLeadership() || watchesOf(client).length === 1, `latch ${name}`);
    }
    await say("The seed's loop closes `temp` before it is ever assigned (G21: a NullPointerException). What it meant:");
    await say("find the latch with hasLeadership(), close it, and watch another take over:");
    for (let round = 0; round < 2; round++) {
      const leader = latches.find((l) => l.hasLeadership())!;
      await say(`the leader is ${leader.getId()}: close() it.`);
      await leader.close();
      await until(() => latches.some((l) => l.hasLeadership()), "a new leader");
    }
    await say(`the leader is ${latches.find((l) => l.hasLeadership())!.getId()}; each hand-over woke exactly one latch.`);
    await latches[2]!.close();
    await say('Two LeaderSelectors on "/leaderElection"; takeLeadership works for 300 ms and returns, which gives leadership up:');
    let turns = 0;
    const selectors = [a, b].map((client, i) => {
      const selector = new LeaderSelector(client, "/leaderElection", new (class extends LeaderSelectorListenerAdapter {
        async takeLeadership(_client: CuratorFramework, leadership: AbortSignal): Promise<void> {
          await sleep(300, undefined, { signal: leadership }).catch(() => undefined);
          turns++;
        }
      })());
      selector.setId(["A", "B"][i]!);
      closers.push(() => selector.close().catch(() => undefined));
      return selector;
    });
    // A first: two starts in one tick race over two sockets to the server.
    selectors[0]!.start();
    await until(() => selectors[0]!.hasLeadership(), "A to lead");
    selectors[1]!.start();
    await until(() => turns === 2, "two turns");
    await say("each participant led once, one after the other (no autoRequeue(), so neither queues again).");
    for (const n of ["A", "B", "C"]) narrated.delete(n);

    // -----------------------------------------------------------------------------------
    await step("6. A lock holder loses its connection, then its session");
    proxy = await startTcpProxy(port);
    const states: ConnectionState[] = [];
    const h = await curator("H", proxy.connectString, (b) => b.sessionTimeoutMs(6000).connectionTimeoutMs(1000).retryPolicy(new BoundedExponentialBackoffRetry(100, 400, 50)));
    h.getConnectionStateListenable().addListener((_c, s) => {
      states.push(s);
    });
    const w = await curator("W", address);
    for (const n of ["H", "W"]) narrated.add(n);
    const sessionMs = h.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
    await say(`H reaches the server through a TCP proxy (the network we can cut), with a ${sessionMs} ms session; W connects directly.`);
    await say("Why not shorter: a client of one server comes back 1.1 to 2.1 s after a drop (100 ms of cleanup, a 1 s");
    await say("pause for having tried every server, then a random 0-999 ms), and the server may last have heard from it");
    await say("a ping interval (a third of the session) before the drop. A 2 s session could expire in a brief drop.");
    const mh = new InterProcessMutex(h, "/lock");
    const mw = new InterProcessMutex(w, "/lock");
    await mh.acquire();
    const waitingW = background(mw.acquire());
    await until(() => watchesOf(w).length === 1, "W's watch");
    await say("The connection drops for a moment (the proxy closes it; the next attempt gets through):");
    proxy.dropConnections();
    await until(() => states.includes(ConnectionState.RECONNECTED), "RECONNECTED");
    await say(`SUSPENDED, then RECONNECTED: the same session, so H's node ${shortUuids(getNodeFromPath(mh.getLockPath()!))} is still there and W still waits.`);
    await say("SUSPENDED only means \"may be lost\". Under the default (Standard) error policy a LeaderLatch or a");
    await say("LeaderSelector gives leadership up right there; a lock holder should stop touching what the lock guards.");
    await say("Cutting H's network for good...");
    const before = states.length;
    proxy.setRefusing(true);
    proxy.dropConnections();
    await waitingW;
    await until(() => states.slice(before).includes(ConnectionState.LOST), "LOST", 15_000);
    await say(`The server heard nothing from H for ${sessionMs / 1000} s and expired its session: H's ephemeral lock node went with it,`);
    await say("which woke W. H posted LOST on its own, once SUSPENDED had lasted a whole session timeout (the two");
    await say("happen about together, in either order). The network comes back; H starts a new session:");
    proxy.setRefusing(false);
    await until(() => states.slice(before).includes(ConnectionState.RECONNECTED), "RECONNECTED", 15_000);
    const hNode = mh.getLockPath()!;
    await say(`H's mutex: isAcquiredInThisProcess() = ${mh.isAcquiredInThisProcess()}, but its node ${shortUuids(getNodeFromPath(hNode))} exists: ${(await h.checkExists().forPath(hNode)) !== null}.`);
    await say(`W's mutex: isAcquiredInThisProcess() = ${mw.isAcquiredInThisProcess()}. The lock is W's; only H's connection states said so.`);
    await mh.release();
    await say("H.release() deleted nothing (the node was gone) and forgot the owner; W releases too.");
    await mw.release();
    for (const n of ["H", "W"]) narrated.delete(n);
    show(["", "done."]);
  } catch (e) {
    if (!(e instanceof Stopped) && !signal.aborted) throw e;
  } finally {
    unsubscribe(TRACE_CHANNEL, onTrace);
    for (const close of closers) await Promise.resolve(close()).catch(() => undefined);
    await Promise.all(clients.map((cl) => cl.close().catch(() => undefined)));
    await zk?.close().catch(() => undefined);
    await proxy?.close();
    await server?.stop();
    dispose();
  }
}
