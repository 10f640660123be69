/**
 * Our recipes and Apache Curator 5.4's (a JVM running java/CuratorInterop.java) on the same
 * znodes, against our server: the layouts are Curator's, so the two implementations must
 * exclude each other in one mutex, elect one leader between their latches, share a
 * read/write lock, count together in a DistributedAtomicLong, pass items through one
 * DistributedQueue both ways, and read each other's SharedCount.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { DistributedAtomicLong } from "../../src/recipes/atomic/DistributedAtomicLong.js";
import { RetryNTimes } from "../../src/recipes/framework/RetryPolicy.js";
import { LeaderLatch } from "../../src/recipes/leader/LeaderLatch.js";
import { InterProcessMutex } from "../../src/recipes/locks/InterProcessMutex.js";
import { InterProcessReadWriteLock } from "../../src/recipes/locks/InterProcessReadWriteLock.js";
import { QueueBuilder, type QueueSerializer } from "../../src/recipes/queue/DistributedQueue.js";
import { SharedCount } from "../../src/recipes/shared/SharedCount.js";
import { servers, type RunningServer } from "../client/support/servers.js";
import { compileCuratorInterop, curatorAvailable, CuratorProcess, type CompiledCurator } from "./support/curatorJava.js";
import { sleep, startedClient, uniquePath, waitUntil } from "./support/curator.js";

const text: QueueSerializer<string> = { serialize: (s) => Buffer.from(s, "utf8"), deserialize: (b) => b.toString("utf8") };
const ours = servers.find((s) => s.name === "ours")!;

describe.skipIf(!curatorAvailable())("Apache Curator 5.4 and our recipes on the same znodes", () => {
  let server: RunningServer;
  let compiled: CompiledCurator;
  let curator: CuratorProcess;
  beforeAll(async () => {
    [server, compiled] = await Promise.all([ours.start(), compileCuratorInterop()]);
    curator = await CuratorProcess.start(compiled, server.connectString);
  }, 120_000);
  afterAll(async () => {
    await curator?.stop();
    compiled?.dispose();
    await server?.stop();
  });

  it("InterProcessMutex: 2 Curator threads and 2 of our clients, 25 increments each of one counter node, none lost", async () => {
    const lock = uniquePath("/interop-lock");
    const counter = uniquePath("/interop-counter");
    const clients = await Promise.all([1, 2].map(() => startedClient(server.connectString)));
    await clients[0]!.create().forPath(counter, "0");
    const from = curator.lines.length;
    curator.send(`mutex ${lock} ${counter} 25 2`);
    let holders = 0;
    let overlaps = 0;
    const names = new Set<string>();
    await Promise.all(
      clients.map(async (c) => {
        const mutex = new InterProcessMutex(c, lock);
        for (let i = 0; i < 25; i++) {
          await mutex.acquire();
          try {
            if (++holders > 1) overlaps++;
            for (const n of await c.getChildren().forPath(lock)) names.add(n);
            const v = Number((await c.getData().forPath(counter)).toString());
            await sleep(1);
            await c.setData().forPath(counter, String(v + 1));
          } finally {
            holders--;
            await mutex.release();
          }
        }
      }),
    );
    await curator.waitFor(/^mutex done$/, 60_000, from);
    expect(overlaps).toBe(0);
    expect((await clients[0]!.getData().forPath(counter)).toString()).toBe("100");
    // Curator's nodes and ours look alike: _c_<uuid>-lock-<sequence>.
    expect([...names].every((n) => /^_c_[0-9a-f-]{36}-lock-\d{10}$/.test(n))).toBe(true);
    expect(names.size).toBeGreaterThan(4);
  }, 90_000);

  it("LeaderLatch: one leader among Curator's latches and ours, handed over in queue order", async () => {
    const path = uniquePath("/interop-latch");
    const client = await startedClient(server.connectString);
    const from = curator.lines.length;
    curator.send(`latch-start ${path} j1`);
    await curator.waitFor(/^isLeader j1$/, 20_000, from);
    const t1 = new LeaderLatch(client, path, "t1");
    const t2 = new LeaderLatch(client, path, "t2");
    t1.start();
    await waitUntil(async () => (await client.getChildren().forPath(path)).length === 2, "t1 queued");
    t2.start();
    await waitUntil(async () => (await client.getChildren().forPath(path)).length === 3, "t2 queued");
    onTestFinished(async () => {
      for (const l of [t1, t2]) if (l.getState() === "STARTED") await l.close();
    });
    expect((await t1.getLeader()).id).toBe("j1");
    expect(t1.hasLeadership() || t2.hasLeadership()).toBe(false);
    curator.send("latch-close j1");
    await waitUntil(() => t1.hasLeadership(), "t1 to lead after j1");
    expect(t2.hasLeadership()).toBe(false);
    const j2From = curator.lines.length;
    curator.send(`latch-start ${path} j2`);
    await curator.waitFor(/^latch-started j2$/, 20_000, j2From);
    await waitUntil(async () => (await client.getChildren().forPath(path)).length === 3, "j2 queued");
    await t1.close();
    await waitUntil(() => t2.hasLeadership(), "t2 to lead after t1");
    expect(curator.lines.slice(j2From)).not.toContain("isLeader j2");
    await t2.close();
    await curator.waitFor(/^isLeader j2$/, 20_000, j2From);
    expect((await t1.getParticipants()).map((p) => p.id)).toEqual(["j2"]);
    curator.send("latch-close j2");
    await curator.waitFor(/^latch-closed j2$/, 20_000, j2From);
  });

  it("InterProcessReadWriteLock: Curator's writer keeps our reader out until it lets go", async () => {
    const path = uniquePath("/interop-rw");
    const client = await startedClient(server.connectString);
    const from = curator.lines.length;
    curator.send(`write-lock ${path}`);
    await curator.waitFor(/^write-locked$/, 20_000, from);
    const rw = new InterProcessReadWriteLock(client, path);
    expect(await rw.readLock().acquire(300)).toBe(false);
    const reading = rw.readLock().acquire();
    await sleep(100);
    curator.send(`write-unlock ${path}`);
    await curator.waitFor(/^write-unlocked$/, 20_000, from);
    await reading;
    expect(rw.readLock().isAcquiredInThisProcess()).toBe(true);
    const [node] = await client.getChildren().forPath(path);
    expect(node).toMatch(/^_c_[0-9a-f-]{36}-__READ__\d{10}$/);
    await rw.readLock().release();
  });

  it("DistributedAtomicLong: 50 increments by Curator and 50 by us make 100", async () => {
    const path = uniquePath("/interop-atomic");
    const client = await startedClient(server.connectString);
    const ours = new DistributedAtomicLong(client, path, new RetryNTimes(1000, 1));
    const from = curator.lines.length;
    curator.send(`atomic ${path} 50`);
    for (let i = 0; i < 50; i++) expect((await ours.increment()).succeeded()).toBe(true);
    await curator.waitFor(/^atomic done \d+$/, 60_000, from);
    expect((await ours.get()).postValue()).toBe(100n);
  }, 90_000);

  it("DistributedQueue: Curator's items come out here in order, and ours there", async () => {
    const path = uniquePath("/interop-queue");
    const client = await startedClient(server.connectString);
    const from = curator.lines.length;
    curator.send(`queue-put ${path} a b c`);
    await curator.waitFor(/^queue-put done$/, 20_000, from);
    const got: string[] = [];
    const consumer = QueueBuilder.builder(client, { consumeMessage: (m) => void got.push(m), stateChanged: () => undefined }, text, path).buildQueue();
    await consumer.start();
    await waitUntil(() => got.length === 3, "Curator's three items");
    await consumer.close();
    expect(got).toEqual(["a", "b", "c"]);
    const producer = QueueBuilder.builder(client, null, text, path).buildQueue();
    await producer.start();
    await producer.put("x");
    await producer.putMulti(["y", "z"]);
    await producer.close();
    const takeFrom = curator.lines.length;
    curator.send(`queue-take ${path} 3`);
    await curator.waitFor(/^queue-take done$/, 20_000, takeFrom);
    expect(curator.lines.slice(takeFrom).filter((l) => l.startsWith("queue-item "))).toEqual(["queue-item x", "queue-item y", "queue-item z"]);
  });

  it("SharedCount: Curator's setCount reaches our listener", async () => {
    const path = uniquePath("/interop-count");
    const client = await startedClient(server.connectString);
    const count = new SharedCount(client, path, 1);
    await count.start();
    onTestFinished(() => count.close());
    const seen: number[] = [];
    count.addListener({ countHasChanged: (_r, n) => seen.push(n) });
    const from = curator.lines.length;
    curator.send(`shared-set ${path} 42`);
    await curator.waitFor(/^shared-set done$/, 20_000, from);
    await waitUntil(() => count.getCount() === 42, "42 here");
    expect(seen).toContain(42);
  });
});
