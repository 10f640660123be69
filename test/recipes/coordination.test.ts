/**
 * Barriers, counters and the queue against our server and Apache ZooKeeper 3.8:
 * DistributedBarrier, DistributedDoubleBarrier (enter together, leave together),
 * DistributedAtomicLong under concurrent increments (with and without lock promotion),
 * SharedCount (listeners, trySetCount, the 4-byte encoding), and DistributedQueue (FIFO,
 * the item byte format, lock-path mode with requeue on a failing consumer); and each of
 * them, and the semaphore, across a cut connection or a lost session.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { ZooKeeper } from "../../src/client/ZooKeeper.js";
import { DistributedAtomicLong, bytesToLong, longToBytes } from "../../src/recipes/atomic/DistributedAtomicLong.js";
import { DistributedBarrier } from "../../src/recipes/barriers/DistributedBarrier.js";
import { DistributedDoubleBarrier } from "../../src/recipes/barriers/DistributedDoubleBarrier.js";
import { RetryNTimes } from "../../src/recipes/framework/RetryPolicy.js";
import { DistributedQueue, ErrorMode, QueueBuilder, deserializeItems, serializeItems, type QueueSerializer } from "../../src/recipes/queue/DistributedQueue.js";
import { SharedCount } from "../../src/recipes/shared/SharedCount.js";
import { InterProcessSemaphoreV2 } from "../../src/recipes/locks/InterProcessSemaphoreV2.js";
import { servers } from "../client/support/servers.js";
import { sleep, startedClient, uniquePath, waitUntil, useServer, clientVia, ConnectionState } from "./support/curator.js";

const text: QueueSerializer<string> = {
  serialize: (s) => Buffer.from(s, "utf8"),
  deserialize: (b) => b.toString("utf8"),
};

describe("byte formats shared with Curator", () => {
  it("DistributedAtomicLong: 8 bytes big-endian two's complement; empty reads as 0", () => {
    expect(longToBytes(1n).toString("hex")).toBe("0000000000000001");
    expect(longToBytes(-2n).toString("hex")).toBe("fffffffffffffffe");
    expect(bytesToLong(Buffer.alloc(0))).toBe(0n);
    expect(bytesToLong(Buffer.from("7fffffffffffffff", "hex"))).toBe(2n ** 63n - 1n);
    expect(() => bytesToLong(Buffer.from([1, 2, 3]))).toThrow(/Corrupted/);
  });

  it("DistributedQueue items: version 0x00010001, (0x01 length bytes)*, 0x02", () => {
    const bytes = serializeItems(["ab", ""], text);
    expect(bytes.toString("hex")).toBe("00010001" + "01" + "00000002" + "6162" + "01" + "00000000" + "02");
    expect(deserializeItems(bytes, text)).toEqual(["ab", ""]);
    expect(() => deserializeItems(Buffer.from("0001000203", "hex"), text)).toThrow(/version/);
  });
});

for (const factory of servers) {
  describe.skipIf(!factory.available())(`barriers, counters and queues against ${factory.name}`, () => {
    const env = useServer(factory);

    it("DistributedBarrier: waiters pass only once the barrier is removed", async () => {
      const [a, b] = await Promise.all([startedClient(env.server.connectString), startedClient(env.server.connectString)]);
      const path = uniquePath("/barrier");
      const setter = new DistributedBarrier(a, path);
      await setter.setBarrier();
      const waiter = new DistributedBarrier(b, path);
      expect(await waiter.waitOnBarrier(200)).toBe(false);
      let passed = false;
      const waiting = waiter.waitOnBarrier().then(() => (passed = true));
      await sleep(100);
      expect(passed).toBe(false);
      await setter.removeBarrier();
      await waiting;
      expect(passed).toBe(true);
    });

    it("DistributedDoubleBarrier: nobody enters before all N have come, nobody leaves before all have started leaving", async () => {
      const path = uniquePath("/double");
      const clients = await Promise.all([1, 2, 3].map(() => startedClient(env.server.connectString)));
      const log: string[] = [];
      const barriers = clients.map((c) => new DistributedDoubleBarrier(c, path, 3));
      const first = barriers[0]!.enter().then(() => log.push("0 in"));
      const second = barriers[1]!.enter().then(() => log.push("1 in"));
      await sleep(200);
      expect(log).toEqual([]);
      expect(await clients[0]!.checkExists().forPath(`${path}/ready`)).toBeNull();
      await barriers[2]!.enter();
      log.push("2 in");
      await Promise.all([first, second]);
      expect(log.sort()).toEqual(["0 in", "1 in", "2 in"]);
      const leaving = [barriers[0]!.leave(), barriers[1]!.leave()];
      await sleep(200);
      let done = 0;
      for (const l of leaving) void l.then(() => done++);
      await sleep(50);
      expect(done).toBe(0); // member 2 has not started leaving
      await barriers[2]!.leave();
      await Promise.all(leaving);
      expect(await clients[0]!.getChildren().forPath(path)).toEqual([]);
    });

    it("DistributedAtomicLong: 5 clients × 20 increments lose nothing; promoted to a lock when optimism gives up", async () => {
      const path = uniquePath("/counter");
      const clients = await Promise.all(Array.from({ length: 5 }, () => startedClient(env.server.connectString)));
      const optimistic = clients.map((c) => new DistributedAtomicLong(c, path, new RetryNTimes(1000, 1)));
      expect(await optimistic[0]!.initialize(0n)).toBe(true);
      expect(await optimistic[1]!.initialize(7n)).toBe(false);
      await Promise.all(
        optimistic.map(async (counter) => {
          for (let i = 0; i < 20; i++) {
            const r = await counter.increment();
            expect(r.succeeded()).toBe(true);
            expect(r.postValue()).toBe(r.preValue() + 1n);
          }
        }),
      );
      expect((await optimistic[0]!.get()).postValue()).toBe(100n);
      // No optimistic retries at all: every success needs the lock.
      const promoted = clients.map((c) => new DistributedAtomicLong(c, path, new RetryNTimes(0, 0), { lockPath: `${path}-lock`, maxLockTimeMs: null, retryPolicy: new RetryNTimes(10, 5) }));
      const results = await Promise.all(promoted.map((c) => c.add(10n)));
      expect(results.every((r) => r.succeeded())).toBe(true);
      expect(results.some((r) => r.getStats().promotedLockTries > 0)).toBe(true);
      expect((await promoted[0]!.get()).postValue()).toBe(150n);
      const cas = await optimistic[0]!.compareAndSet(150n, -1n);
      expect(cas.succeeded()).toBe(true);
      expect((await optimistic[0]!.compareAndSet(150n, 0n)).succeeded()).toBe(false);
      const zk = new ZooKeeper(env.server.connectString, 10_000);
      onTestFinished(() => zk.close());
      expect((await zk.getData(path)).data!.toString("hex")).toBe("ffffffffffffffff");
    });

    it("SharedCount: a 4-byte value every client sees; trySetCount only from the current version", async () => {
      const [a, b] = await Promise.all([startedClient(env.server.connectString), startedClient(env.server.connectString)]);
      const path = uniquePath("/shared");
      const ca = new SharedCount(a, path, 5);
      const cb = new SharedCount(b, path, 99);
      await ca.start();
      await cb.start();
      onTestFinished(() => {
        ca.close();
        cb.close();
      });
      expect(cb.getCount()).toBe(5); // the first seed wins
      const seen: number[] = [];
      cb.addListener({ countHasChanged: (_r, n) => seen.push(n) });
      await ca.setCount(6);
      await waitUntil(() => cb.getCount() === 6, "b to see 6");
      expect(seen).toContain(6);
      const stale = { ...ca.getVersionedValue(), value: 5 };
      expect(await ca.trySetCount(stale, 100)).toBe(false);
      const current = cb.getVersionedValue();
      expect(await cb.trySetCount(current, 7)).toBe(true);
      expect(await ca.trySetCount(current, 8)).toBe(false); // ca's copy moved on meanwhile, or the version did
      await waitUntil(() => ca.getCount() === 7, "a to see 7");
      expect((await a.getData().forPath(path)).toString("hex")).toBe("00000007");
    });

    it("DistributedQueue: items come out in order, several items per node, across two consumers none is seen twice", async () => {
      const path = uniquePath("/queue");
      const [p, c1, c2] = await Promise.all([1, 2, 3].map(() => startedClient(env.server.connectString)));
      const producer = QueueBuilder.builder(p!, null, text, path).buildQueue();
      await producer.start();
      onTestFinished(() => producer.close());
      const got: string[] = [];
      const consumers: DistributedQueue<string>[] = [];
      for (const c of [c1!, c2!]) {
        const q = QueueBuilder.builder(c, { consumeMessage: (m) => void got.push(m), stateChanged: () => undefined }, text, path).buildQueue();
        consumers.push(q);
      }
      for (let i = 0; i < 20; i++) await producer.put(`m${i}`);
      await producer.putMulti(["x1", "x2", "x3"]);
      const names = await p!.getChildren().forPath(path);
      expect(names.sort()[0]).toBe("queue-0000000000");
      for (const q of consumers) await q.start();
      onTestFinished(async () => {
        for (const q of consumers) await q.close();
      });
      await waitUntil(() => got.length >= 23, "every item");
      await sleep(100);
      expect(got).toHaveLength(23);
      expect(new Set(got).size).toBe(23);
      expect(got.filter((m) => m.startsWith("x"))).toEqual(["x1", "x2", "x3"]);
      expect(await p!.getChildren().forPath(path)).toEqual([]);
    });

    it("DistributedBarrier: a waiter rides out a cut connection and passes, the barrier having gone while it was away", async () => {
      const path = uniquePath("/barrier-cut");
      const setter = new DistributedBarrier(await startedClient(env.server.connectString), path);
      await setter.setBarrier();
      const { client } = await clientVia(env.proxy, 10_000);
      const waiter = new DistributedBarrier(client, path);
      let passed = false;
      const waiting = waiter.waitOnBarrier().then(() => (passed = true));
      await sleep(100);
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      await setter.removeBarrier();
      await sleep(200);
      expect(passed).toBe(false);
      env.proxy.setRefusing(false);
      await waiting;
    });

    it("DistributedDoubleBarrier: a member cut off while waiting enters once it is back", async () => {
      const path = uniquePath("/double-cut");
      const [a, c] = await Promise.all([startedClient(env.server.connectString), startedClient(env.server.connectString)]);
      const { client: b } = await clientVia(env.proxy, 10_000);
      const entering = [new DistributedDoubleBarrier(a, path, 3).enter(), new DistributedDoubleBarrier(b, path, 3).enter()];
      await waitUntil(async () => (await a.getChildren().forPath(path)).length === 2, "two members");
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      await new DistributedDoubleBarrier(c, path, 3).enter();
      env.proxy.setRefusing(false);
      expect(await Promise.all(entering)).toEqual([true, true]);
    });

    it("SharedCount: a value set while the connection was cut reaches the listener after the reconnect", async () => {
      const path = uniquePath("/shared-cut");
      const writer = new SharedCount(await startedClient(env.server.connectString), path, 1);
      await writer.start();
      const { client } = await clientVia(env.proxy, 10_000);
      const reader = new SharedCount(client, path, 1);
      await reader.start();
      onTestFinished(() => {
        writer.close();
        reader.close();
      });
      const seen: number[] = [];
      reader.addListener({ countHasChanged: (_r, n) => seen.push(n) });
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      await writer.setCount(9);
      await sleep(200);
      expect(reader.getCount()).toBe(1);
      env.proxy.setRefusing(false);
      await waitUntil(() => reader.getCount() === 9, "9 after the reconnect");
      expect(seen).toContain(9);
    });

    it("DistributedAtomicLong: an increment issued while cut off is applied once, after the reconnect", async () => {
      const path = uniquePath("/counter-cut");
      const { client } = await clientVia(env.proxy, 10_000);
      const counter = new DistributedAtomicLong(client, path, new RetryNTimes(100, 10));
      await counter.forceSet(41n);
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      const pending = counter.increment();
      await sleep(300);
      env.proxy.setRefusing(false);
      const r = await pending;
      expect(r.succeeded()).toBe(true);
      expect(r.postValue()).toBe(42n);
      expect((await counter.get()).postValue()).toBe(42n);
    });

    it("DistributedQueue: items put while the consumer is cut off are consumed once it is back, each once", async () => {
      const path = uniquePath("/queue-cut");
      const producer = QueueBuilder.builder(await startedClient(env.server.connectString), null, text, path).buildQueue();
      await producer.start();
      const { client } = await clientVia(env.proxy, 10_000);
      const got: string[] = [];
      const consumer = QueueBuilder.builder(client, { consumeMessage: (m) => void got.push(m), stateChanged: () => undefined }, text, path).buildQueue();
      await consumer.start();
      onTestFinished(async () => {
        await consumer.close();
        await producer.close();
      });
      for (let i = 0; i < 5; i++) await producer.put(`before${i}`);
      await waitUntil(() => got.length === 5, "the first five");
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      for (let i = 0; i < 5; i++) await producer.put(`during${i}`);
      env.proxy.setRefusing(false);
      await waitUntil(() => got.length === 10, "all ten");
      await sleep(100);
      expect(got).toEqual([0, 1, 2, 3, 4].map((i) => `before${i}`).concat([0, 1, 2, 3, 4].map((i) => `during${i}`)));
    });

    it("InterProcessSemaphoreV2: when a lease holder's session is lost, the lease goes to the next waiter", async () => {
      const path = uniquePath("/sem-lost");
      const holder = await clientVia(env.proxy, 1500);
      const lease = await new InterProcessSemaphoreV2(holder.client, path, 1).acquire();
      expect(lease.getNodeName()).toMatch(/-lease-\d{10}$/);
      const waiter = new InterProcessSemaphoreV2(await startedClient(env.server.connectString), path, 1);
      const next = waiter.acquire();
      await sleep(100);
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      const got = await next; // the server expires the holder's session, and its lease node with it
      await waitUntil(() => holder.states.includes(ConnectionState.LOST), "LOST at the holder");
      env.proxy.setRefusing(false);
      await got.close();
      await lease.close(); // already gone: closing it again is harmless
    });

    it("DistributedQueue with a lock path: a failing consumer's item is requeued, then consumed", async () => {
      const path = uniquePath("/lqueue");
      const client = await startedClient(env.server.connectString);
      let failures = 0;
      const got: string[] = [];
      const q = QueueBuilder.builder(
        client,
        {
          consumeMessage: (m) => {
            if (m === "flaky" && failures++ === 0) throw new Error("first try fails");
            got.push(m);
          },
          stateChanged: () => undefined,
        },
        text,
        path,
      )
        .lockPath(`${path}-locks`)
        .buildQueue();
      q.setErrorMode(ErrorMode.REQUEUE);
      await q.start();
      onTestFinished(() => q.close());
      await q.put("flaky");
      await q.put("steady");
      await waitUntil(() => got.length === 2, "both items");
      expect(got).toEqual(["steady", "flaky"]); // flaky went back to the end
      expect(failures).toBe(2);
      // The lock node of the item just consumed goes right after the consumer returns.
      await waitUntil(async () => (await client.getChildren().forPath(`${path}-locks`)).length === 0, "no item locked");
      expect(await client.getChildren().forPath(path)).toEqual([]);
    });
  });
}
