/**
 * Locks against our server and Apache ZooKeeper 3.8: the seed's multi-lock with ten
 * threads (T84) [003 L96–112], the lock loop where each contender watches only its
 * predecessor and a timeout deletes its own node (T85) [003 L117–183], release that
 * forgets the owner even when the delete fails (T86) [003 L189–202]; re-entrancy, the
 * read/write lock, the semaphore and the semaphore mutex; ten clients × one hundred
 * acquisitions that never overlap; and what a waiter does through a dropped connection
 * and through a lost session.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { Code, KeeperException } from "../../src/jute/KeeperException.js";
import { Perms } from "../../src/jute/ZooDefs.js";
import { CuratorFrameworkFactory, type CuratorFramework } from "../../src/recipes/framework/CuratorFramework.js";
import { BoundedExponentialBackoffRetry, ExponentialBackoffRetry, RetryNTimes } from "../../src/recipes/framework/RetryPolicy.js";
import { InterProcessMultiLock, withLock } from "../../src/recipes/locks/InterProcessMultiLock.js";
import { IllegalMonitorStateException, InterProcessMutex } from "../../src/recipes/locks/InterProcessMutex.js";
import { InterProcessReadWriteLock } from "../../src/recipes/locks/InterProcessReadWriteLock.js";
import { InterProcessSemaphoreMutex } from "../../src/recipes/locks/InterProcessSemaphoreMutex.js";
import { InterProcessSemaphoreV2 } from "../../src/recipes/locks/InterProcessSemaphoreV2.js";
import { sortChildren, StandardLockInternalsDriver } from "../../src/recipes/locks/LockInternals.js";
import { servers } from "../client/support/servers.js";
import { ConnectionState, recordStates, sleep, startedClient, uniquePath, waitUntil, rawClient, useServer } from "./support/curator.js";

/** A critical section that notices overlap: read, yield, write back, as a careless holder would. */
class SharedCounter {
  value = 0;
  holders = 0;
  overlaps = 0;
  async increment(): Promise<void> {
    this.holders++;
    if (this.holders > 1) this.overlaps++;
    const v = this.value;
    await sleep(Math.random() < 0.5 ? 0 : 1);
    this.value = v + 1;
    this.holders--;
  }
}


const sorter = new StandardLockInternalsDriver();

for (const factory of servers) {
  describe.skipIf(!factory.available())(`locks against ${factory.name}`, () => {
    const env = useServer(factory);

    it("T84 ten threads through one InterProcessMultiLock([\"/lock\"]): one holder at a time, all succeed", async () => {
      const client = await startedClient(env.server.connectString);
      const lock = new InterProcessMultiLock(client, [uniquePath("/lock")]);
      const counter = new SharedCounter();
      // Ten "threads": ten owner tokens sharing one lock instance, as the seed's ten Threads do.
      await Promise.all(Array.from({ length: 10 }, (_, i) => withLock(lock, () => counter.increment(), { owner: `thread${i}` })));
      expect(counter.value).toBe(10);
      expect(counter.overlaps).toBe(0);
      expect(lock.isAcquiredInThisProcess()).toBe(false);
    });

    it("T85 three contenders: each watches only its predecessor, a release wakes only the next, a timeout deletes its own node", async () => {
      const path = uniquePath("/t85");
      const [c1, c2, c3, c4] = await Promise.all([1, 2, 3, 4].map(() => startedClient(env.server.connectString)));
      const [m1, m2, m3, m4] = [c1!, c2!, c3!, c4!].map((c) => new InterProcessMutex(c, path));
      const zk = rawClient(env.server.connectString);
      const sorted = async () => sortChildren(await zk.getChildren(path), "lock-", sorter);
      await m1!.acquire();
      const p2 = m2!.acquire();
      await waitUntil(async () => (await sorted()).length === 2, "seq-2");
      const p3 = m3!.acquire();
      await waitUntil(async () => (await sorted()).length === 3, "seq-3");
      const [seq1, seq2, seq3] = await sorted();
      expect([seq1, seq2, seq3].map((n) => n!.replace(/^_c_[0-9a-f-]{36}-/, ""))).toEqual(["lock-0000000000", "lock-0000000001", "lock-0000000002"]);
      expect(m1!.getLockPath()).toBe(`${path}/${seq1}`);
      const watches = (c: CuratorFramework) => c.getZookeeperClient().getZooKeeper().getWatches();
      await waitUntil(() => watches(c3!).data.length === 1, "seq-3's watch");
      expect(watches(c2!).data).toEqual([`${path}/${seq1}`]); // seq-2 watches seq-1 only
      expect(watches(c3!).data).toEqual([`${path}/${seq2}`]); // seq-3 watches seq-2 only
      expect(watches(c2!).child).toEqual([]); // nobody watches the children (no herd)
      await m1!.release();
      await p2;
      expect(m2!.isAcquiredInThisProcess()).toBe(true);
      expect(m3!.isAcquiredInThisProcess()).toBe(false);
      // seq-3 was not woken: its watch on seq-2 is still set, unconsumed.
      expect(watches(c3!).data).toEqual([`${path}/${seq2}`]);
      // A contender that times out leaves no node behind.
      expect(await m4!.acquire(200)).toBe(false);
      expect(await sorted()).toEqual([seq2, seq3]);
      await m2!.release();
      await p3;
      expect(m3!.isAcquiredInThisProcess()).toBe(true);
      await m3!.release();
      expect(await sorted()).toEqual([]);
    });

    it("T86 release forgets the owner even when deleting the lock node fails", async () => {
      const client = await startedClient(env.server.connectString);
      const path = uniquePath("/t86");
      const mutex = new InterProcessMutex(client, path);
      await mutex.acquire();
      const lockPath = mutex.getLockPath()!;
      // Nobody may delete children of the lock's node now: releaseLock will throw NOAUTH.
      await client.setACL().withACL([{ perms: Perms.ALL & ~Perms.DELETE, id: { scheme: "world", id: "anyone" } }]).forPath(path);
      const err = await mutex.release().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeeperException);
      expect((err as KeeperException).code).toBe(Code.NOAUTH);
      expect(mutex.isAcquiredInThisProcess()).toBe(false);
      await expect(mutex.release()).rejects.toBeInstanceOf(IllegalMonitorStateException);
      expect(await client.checkExists().forPath(lockPath)).not.toBeNull();
      await client.setACL().forPath(path);
      await client.delete().forPath(lockPath);
    });

    it("T86 release while the server is unreachable: rejects, forgets the owner, and the node goes once reconnected", async () => {
      const client = CuratorFrameworkFactory.builder().connectString(env.proxy.connectString).sessionTimeoutMs(10_000).connectionTimeoutMs(300).retryPolicy(new RetryNTimes(1, 50)).build();
      client.start();
      onTestFinished(() => client.close());
      await client.blockUntilConnected(10_000);
      const mutex = new InterProcessMutex(client, uniquePath("/t86b"));
      await mutex.acquire();
      const lockPath = mutex.getLockPath()!;
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      const err = await mutex.release().catch((e: unknown) => e);
      expect((err as KeeperException).code).toBe(Code.CONNECTIONLOSS);
      expect(mutex.isAcquiredInThisProcess()).toBe(false);
      env.proxy.setRefusing(false);
      const zk = rawClient(env.server.connectString);
      await waitUntil(async () => (await zk.exists(lockPath)) === null, "the guaranteed delete", 10_000);
    });

    it("re-entrancy: the same owner nests, another owner waits until the last release", async () => {
      const client = await startedClient(env.server.connectString);
      const mutex = new InterProcessMutex(client, uniquePath("/reentrant"));
      await mutex.acquire();
      expect(await mutex.acquire(100)).toBe(true); // the default owner again: re-entered
      expect(await mutex.acquire(100, { owner: "other" })).toBe(false);
      expect((await mutex.getParticipantNodes()).length).toBe(1);
      await mutex.release();
      expect(mutex.isOwnedBy()).toBe(true);
      await mutex.release();
      expect(await mutex.acquire(1000, { owner: "other" })).toBe(true);
      await mutex.release("other");
    });

    it("read/write lock: readers share, a writer excludes both, __READ__/__WRIT__ names, the writer may also read", async () => {
      const [a, b] = await Promise.all([startedClient(env.server.connectString), startedClient(env.server.connectString)]);
      const path = uniquePath("/rw");
      const rwA = new InterProcessReadWriteLock(a, path);
      const rwB = new InterProcessReadWriteLock(b, path);
      await rwA.readLock().acquire();
      expect(await rwB.readLock().acquire(1000)).toBe(true);
      expect(await rwB.writeLock().acquire(200, { owner: "w" })).toBe(false);
      const names = await a.getChildren().forPath(path);
      expect(names.map((n) => n.replace(/^_c_[0-9a-f-]{36}-/, "")).sort()).toEqual(["__READ__0000000000", "__READ__0000000001"]);
      const writer = rwB.writeLock().acquire(null, { owner: "w" });
      await sleep(100);
      await rwA.readLock().release();
      await rwB.readLock().release();
      await writer;
      expect(await rwA.readLock().acquire(200)).toBe(false); // a writer holds it
      expect(await rwB.readLock().acquire(200, { owner: "w" })).toBe(true); // downgrade
      await rwB.readLock().release("w");
      await rwB.writeLock().release("w");
      expect(await rwA.writeLock().acquire(1000)).toBe(true);
      await rwA.writeLock().release();
    });

    it("InterProcessSemaphoreV2: at most N leases at once, lease-/locks layout, a timeout returns null", async () => {
      const clients = await Promise.all([1, 2, 3].map(() => startedClient(env.server.connectString)));
      const path = uniquePath("/sem");
      const sems = clients.map((c) => new InterProcessSemaphoreV2(c, path, 2));
      const l1 = await sems[0]!.acquire();
      const l2 = await sems[1]!.acquire();
      expect(await sems[2]!.acquire(200)).toBeNull();
      const leases = await clients[0]!.getChildren().forPath(`${path}/leases`);
      expect(leases.map((n) => n.replace(/^_c_[0-9a-f-]{36}-/, "").replace(/\d+$/, ""))).toEqual(["lease-", "lease-"]);
      expect(l1.getNodeName()).toMatch(/^_c_[0-9a-f-]{36}-lease-\d{10}$/);
      const third = sems[2]!.acquire();
      await sleep(100);
      await l1.close();
      const l3 = await third;
      expect((await sems[0]!.getParticipantNodes()).length).toBe(2);
      await l2.close();
      await l3.close();
      const many = await sems[0]!.acquireMany(2);
      expect(many).toHaveLength(2);
      await sems[0]!.returnAll(many!);
    });

    it("InterProcessSemaphoreMutex is not re-entrant", async () => {
      const client = await startedClient(env.server.connectString);
      const m = new InterProcessSemaphoreMutex(client, uniquePath("/semmutex"));
      await m.acquire();
      expect(await m.acquire(200)).toBe(false);
      expect(m.isAcquiredInThisProcess()).toBe(true);
      await m.release();
      expect(await m.acquire(1000)).toBe(true);
      await m.release();
    });

    it("contention: 10 clients × 100 acquisitions never overlap", async () => {
      const path = uniquePath("/contended");
      const clients = await Promise.all(Array.from({ length: 10 }, () => startedClient(env.server.connectString)));
      const counter = new SharedCounter();
      await Promise.all(
        clients.map(async (c) => {
          const mutex = new InterProcessMutex(c, path);
          for (let i = 0; i < 100; i++) {
            await mutex.acquire();
            try {
              await counter.increment();
            } finally {
              await mutex.release();
            }
          }
        }),
      );
      expect(counter.overlaps).toBe(0);
      expect(counter.value).toBe(1000);
    }, 120_000);

    it("a waiter rides out a dropped connection (same session) and gets the lock", async () => {
      const holder = await startedClient(env.server.connectString);
      const waiterClient = CuratorFrameworkFactory.builder().connectString(env.proxy.connectString).sessionTimeoutMs(10_000).connectionTimeoutMs(3000).retryPolicy(new ExponentialBackoffRetry(100, 5)).build();
      const states = recordStates(waiterClient);
      waiterClient.start();
      onTestFinished(() => waiterClient.close());
      const path = uniquePath("/ride");
      const m1 = new InterProcessMutex(holder, path);
      const m2 = new InterProcessMutex(waiterClient, path);
      await m1.acquire();
      const waiting = m2.acquire();
      await waitUntil(async () => (await holder.getChildren().forPath(path)).length === 2, "the waiter's node");
      env.proxy.dropConnections();
      await waitUntil(() => states.includes(ConnectionState.SUSPENDED), "SUSPENDED");
      await waitUntil(() => states.includes(ConnectionState.RECONNECTED), "RECONNECTED");
      await m1.release();
      await waiting;
      expect(m2.isAcquiredInThisProcess()).toBe(true);
      expect((await holder.getChildren().forPath(path)).length).toBe(1);
      await m2.release();
    });

    it("a waiter whose session is lost starts over with a new node on the new session", async () => {
      const holder = await startedClient(env.server.connectString);
      // Bounded back-off: an unbounded exponential one may sleep for many seconds after the reconnect.
      const waiterClient = CuratorFrameworkFactory.builder().connectString(env.proxy.connectString).sessionTimeoutMs(1500).connectionTimeoutMs(1000).retryPolicy(new BoundedExponentialBackoffRetry(100, 400, 30)).build();
      const states = recordStates(waiterClient);
      waiterClient.start();
      onTestFinished(() => waiterClient.close());
      const path = uniquePath("/lost");
      const m1 = new InterProcessMutex(holder, path);
      const m2 = new InterProcessMutex(waiterClient, path);
      await m1.acquire();
      const waiting = m2.acquire();
      // If a wait below fails, closing the client rejects this acquire: not a second failure.
      waiting.catch(() => undefined);
      await waitUntil(async () => (await holder.getChildren().forPath(path)).length === 2, "the waiter's node");
      const [, oldNode] = sortChildren(await holder.getChildren().forPath(path), "lock-", sorter);
      env.proxy.setRefusing(true);
      env.proxy.dropConnections();
      await waitUntil(() => states.includes(ConnectionState.LOST), "LOST", 10_000);
      env.proxy.setRefusing(false);
      // The waiter notices the new session, deletes its old node and queues a new one,
      // without waiting for the server to expire the old session.
      await waitUntil(async () => {
        const now = await holder.getChildren().forPath(path);
        return now.length === 2 && !now.includes(oldNode!);
      }, "the waiter's new node in place of the old one", 15_000);
      await m1.release();
      await waiting;
      expect(m2.isAcquiredInThisProcess()).toBe(true);
      const stat = await holder.checkExists().forPath(m2.getLockPath()!);
      expect(stat!.ephemeralOwner).toBe(waiterClient.getZookeeperClient().getZooKeeper().getSessionId());
      await m2.release();
    });
  });
}
