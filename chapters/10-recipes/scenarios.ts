/**
 * Chapter 10's traced runs: Curator-style recipes (src/recipes) on real clients against
 * our server, in this process on 127.0.0.1, with a TCP proxy where a network has to
 * fail. The diagrams (diagrams.ts) are drawn from what the client (ClientTrace.ts) and
 * the recipes (RecipeTrace.ts) report to the tracer.
 *
 * What keeps a run the same every time:
 * - each run starts its own server on an empty data dir, with its wall clock pinned, so
 *   session ids, zxids and sequence numbers repeat;
 * - each step waits for the state that ends the previous one (a contender's watch is set
 *   before the next contender starts, the waiter holds the lock before the network comes
 *   back), so nothing depends on who is faster;
 * - the client's reconnect pause is "random" 0.5, i.e. 500 ms, and the holder of the
 *   expiry run does not inject its own expiry (sessionExpirationPercent 0): the server's
 *   expiry alone decides, so the order of events cannot depend on two timers racing;
 * - the protected names' uuids (random) and ports are taken out when drawing.
 */
import { CuratorFrameworkFactory, type CuratorFramework } from "../../src/recipes/framework/CuratorFramework.js";
import { ConnectionState } from "../../src/recipes/framework/ConnectionState.js";
import { ExponentialBackoffRetry } from "../../src/recipes/framework/RetryPolicy.js";
import { LeaderLatch } from "../../src/recipes/leader/LeaderLatch.js";
import { InterProcessMutex } from "../../src/recipes/locks/InterProcessMutex.js";
import { recordTrace, type TraceEvent } from "../../src/trace/index.js";
import { startTcpProxy, type TcpProxy } from "../../test/client/support/tcpProxy.js";
import { inQuietTempDir, startInProcessServer, type InProcessServer } from "../support/inProcessServer.js";

/** The lifeline of the server in every diagram. */
export const SERVER = "server";

interface Stage {
  readonly server: InProcessServer;
  readonly proxy: TcpProxy;
  /** A started client named `name` in trace events, connected. */
  client(name: string, opts?: { viaProxy?: boolean; sessionTimeoutMs?: number; injectExpiry?: boolean }): Promise<CuratorFramework>;
  /** Every address that means "the server" in trace events. */
  readonly addresses: ReadonlySet<string>;
}

/** Runs `fn` against a fresh server (tickTime 1000 ms: sessions of 2 to 20 s) and cleans up. */
async function onStage<T>(fn: (s: Stage) => Promise<T>): Promise<T> {
  return inQuietTempDir("chapter-10-diagram-", async (dir) => {
    const server = await startInProcessServer(dir, { config: { tickTime: 1000, minSessionTimeout: 2000, maxSessionTimeout: 20000 } });
    const proxy = await startTcpProxy(Number(server.connectString.split(":")[1]));
    const clients: CuratorFramework[] = [];
    const stage: Stage = {
      server,
      proxy,
      addresses: new Set([server.connectString, proxy.connectString, SERVER]),
      async client(name, opts = {}) {
        const c = CuratorFrameworkFactory.builder()
          .connectString(opts.viaProxy ? proxy.connectString : server.connectString)
          .sessionTimeoutMs(opts.sessionTimeoutMs ?? 20000)
          .connectionTimeoutMs(5000)
          .retryPolicy(new ExponentialBackoffRetry(100, 3))
          .sessionExpirationPercent(opts.injectExpiry === false ? 0 : 100)
          .zookeeperOptions({ traceName: name, random: () => 0.5 })
          .build();
        clients.push(c);
        // CONNECTED reaches the listeners a macrotask after blockUntilConnected resolves;
        // waiting for it keeps that event out of a recording that starts next.
        const connected = new Promise<void>((resolve) =>
          c.getConnectionStateListenable().addListener((_c, state) => {
            if (state === ConnectionState.CONNECTED) resolve();
          }),
        );
        c.start();
        if (!(await c.blockUntilConnected(10_000))) throw new Error(`${name} did not connect`);
        await connected;
        return c;
      },
    };
    try {
      // The parent of every recipe node exists up front: the runs draw the recipes, not mkdirs.
      const setup = await server.connect();
      for (const path of ["/lock", "/latch"]) await setup.create(path, null);
      return await fn(stage);
    } finally {
      for (const c of clients) await c.close();
      await proxy.close();
      await server.stop();
    }
  });
}

/** Resolves once `cond` holds, checked every few ms (a run's steps wait on states, never on time). */
async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The number of data watches a client's current handle holds (a waiting contender holds one). */
const dataWatches = (c: CuratorFramework) => c.getZookeeperClient().getZooKeeper().getWatches().data.length;

export interface Recorded {
  readonly events: TraceEvent[];
  readonly addresses: ReadonlySet<string>;
}

/**
 * T85: three contenders A, B, C on one InterProcessMutex path. A gets the lock; B and C
 * queue, each watching only the node just before its own. A's release wakes B alone;
 * B's release wakes C.
 */
export function threeContenders(): Promise<Recorded> {
  return onStage(async (s) => {
    const [a, b, c] = [await s.client("A"), await s.client("B"), await s.client("C")];
    const [ma, mb, mc] = [a, b, c].map((client) => new InterProcessMutex(client, "/lock"));
    const { events } = await recordTrace(async () => {
      await ma!.acquire();
      const waitingB = mb!.acquire();
      await until(() => dataWatches(b) === 1, "watch of B");
      const waitingC = mc!.acquire();
      await until(() => dataWatches(c) === 1, "watch of C");
      await ma!.release();
      await waitingB;
      await mb!.release();
      await waitingC;
      await mc!.release();
    });
    return { events, addresses: s.addresses };
  });
}

/**
 * T87: three LeaderLatches A, B, C on /latch, started in that order (A leads, B watches
 * A's node, C watches B's). Recorded: A closes, and leadership passes to B; C sleeps on.
 */
export function latchHandOver(): Promise<Recorded> {
  return onStage(async (s) => {
    const latches: LeaderLatch[] = [];
    const clients: CuratorFramework[] = [];
    for (const name of ["A", "B", "C"]) {
      const client = await s.client(name);
      const latch = new LeaderLatch(client, "/latch", name);
      latches.push(latch);
      clients.push(client);
      latch.start();
      await until(() => latch.hasLeadership() || dataWatches(client) === 1, `latch ${name} settled`);
    }
    const [a, b, c] = latches as [LeaderLatch, LeaderLatch, LeaderLatch];
    const { events } = await recordTrace(async () => {
      await a.close();
      await until(() => b.hasLeadership(), "B's leadership");
    });
    if (c.hasLeadership() || dataWatches(clients[2]!) !== 1) throw new Error("C was expected to sleep on, its watch on B's node unfired");
    await b.close();
    await c.close();
    return { events, addresses: s.addresses };
  });
}

/**
 * Connection loss vs expiry for a lock holder: H holds /lock through a proxy (session
 * 2000 ms), W waits for it. The network goes down for good: H is SUSPENDED at once, the
 * server expires H's session two to three seconds later, which deletes H's lock node and
 * wakes W, who now holds the lock, while H has heard nothing but SUSPENDED. Only when the
 * network comes back does H learn LOST (the server answers its session with timeOut 0)
 * and start a new session.
 */
export function holderExpires(): Promise<Recorded> {
  return onStage(async (s) => {
    const h = await s.client("H", { viaProxy: true, sessionTimeoutMs: 2000, injectExpiry: false });
    const w = await s.client("W");
    const states: ConnectionState[] = [];
    h.getConnectionStateListenable().addListener((_c, state) => {
      states.push(state);
    });
    const [mh, mw] = [h, w].map((client) => new InterProcessMutex(client, "/lock")) as [InterProcessMutex, InterProcessMutex];
    await mh.acquire();
    const waiting = mw.acquire();
    await until(() => dataWatches(w) === 1, "watch of W");
    const { events } = await recordTrace(async () => {
      s.proxy.setRefusing(true);
      s.proxy.dropConnections();
      await waiting;
      s.proxy.setRefusing(false);
      await until(() => states.includes(ConnectionState.RECONNECTED), "H's new session");
    });
    if (!mh.isAcquiredInThisProcess()) throw new Error("H's mutex was expected to still believe it holds the lock");
    await mw.release();
    return { events, addresses: s.addresses };
  });
}
