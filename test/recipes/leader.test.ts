/**
 * Leader election against our server and Apache ZooKeeper 3.8: ten LeaderLatches where
 * exactly one leads and closing it elects another (T87) [003 L209–224] — with the seed's
 * loop corrected (G21); LeaderSelector running takeLeadership on one participant at a
 * time, leadership moving on when it returns (T88) [003 L229–246]; and, for both, exactly
 * one leader at a time while leaders are killed mid-way (their connection cut until the
 * server expires their session).
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { type CuratorFramework } from "../../src/recipes/framework/CuratorFramework.js";
import { CloseMode, EOFException, LeaderLatch } from "../../src/recipes/leader/LeaderLatch.js";
import { LeaderSelector, LeaderSelectorListenerAdapter } from "../../src/recipes/leader/LeaderSelector.js";
import { servers } from "../client/support/servers.js";
import { startTcpProxy, type TcpProxy } from "../client/support/tcpProxy.js";
import { ConnectionState, sleep, startedClient, uniquePath, waitUntil, useServer, clientVia } from "./support/curator.js";

/** Checks "at most one leader at a time" as leadership comes and goes. */
class LeadershipTracker {
  readonly current = new Set<string>();
  readonly history: string[] = [];
  violations = 0;
  gained(id: string): void {
    if (this.current.size > 0) this.violations++;
    this.current.add(id);
    this.history.push(id);
  }
  lost(id: string): void {
    this.current.delete(id);
  }
}

/** A client behind its own TCP proxy, so that a test can cut just this one. */
async function proxiedClient(serverPort: number, sessionTimeoutMs: number): Promise<{ client: CuratorFramework; proxy: TcpProxy; states: ConnectionState[] }> {
  const proxy = await startTcpProxy(serverPort);
  onTestFinished(() => proxy.close());
  return { ...(await clientVia(proxy, sessionTimeoutMs)), proxy };
}

/** Cuts a participant off: its connection drops and stays refused. */
function kill(proxy: TcpProxy): void {
  proxy.setRefusing(true);
  proxy.dropConnections();
}

for (const factory of servers) {
  describe.skipIf(!factory.available())(`leader recipes against ${factory.name}`, () => {
    const env = useServer(factory);

    it("T87 ten LeaderLatches on one client: exactly one leads; closing the leader elects another (G21's loop, fixed)", async () => {
      const client = await startedClient(env.server.connectString);
      const path = uniquePath("/latch");
      const tracker = new LeadershipTracker();
      const latches: LeaderLatch[] = [];
      for (let i = 0; i < 10; i++) {
        const latch = new LeaderLatch(client, path, "test" + i);
        latch.addListener({ isLeader: () => tracker.gained(latch.getId()), notLeader: () => tracker.lost(latch.getId()) });
        latches.push(latch);
        latch.start();
      }
      onTestFinished(async () => {
        for (const l of latches) if (l.getState() === "STARTED") await l.close();
      });
      await waitUntil(() => latches.filter((l) => l.hasLeadership()).length === 1, "one leader");
      await waitUntil(async () => (await client.getChildren().forPath(path)).length === 10, "ten latch nodes");
      const names = await client.getChildren().forPath(path);
      expect(names.every((n) => /^_c_[0-9a-f-]{36}-latch-\d{10}$/.test(n))).toBe(true);
      let leader = latches.find((l) => l.hasLeadership())!;
      expect((await leader.getLeader()).id).toBe(leader.getId());
      const participants = await leader.getParticipants();
      expect(participants.map((p) => p.id).sort()).toEqual(latches.map((l) => l.getId()).sort());
      expect(participants.filter((p) => p.isLeader)).toEqual([{ id: leader.getId(), isLeader: true }]);
      // The seed's loop meant: find the leader, close it, and watch another take over.
      for (let round = 0; round < 9; round++) {
        const closed = leader;
        await closed.close(CloseMode.NOTIFY_LEADER);
        await waitUntil(() => latches.some((l) => l.hasLeadership()), `a new leader in round ${round}`);
        leader = latches.find((l) => l.hasLeadership())!;
        expect(leader).not.toBe(closed);
        expect(latches.filter((l) => l.hasLeadership())).toHaveLength(1);
      }
      expect(tracker.violations).toBe(0);
      expect(new Set(tracker.history).size).toBe(10);
    });

    it("LeaderLatch: await(timeout), listeners, SILENT close, await() on a closed latch", async () => {
      const client = await startedClient(env.server.connectString);
      const path = uniquePath("/latch2");
      const a = new LeaderLatch(client, path, "a");
      const b = new LeaderLatch(client, path, "b");
      a.start();
      expect(await a.await(5000)).toBe(true);
      b.start();
      expect(await b.await(200)).toBe(false);
      const events: string[] = [];
      b.addListener({ isLeader: () => events.push("b leads"), notLeader: () => events.push("b follows") });
      const waiting = b.await();
      await a.close(); // SILENT
      expect(await waiting).toBe(true);
      await b.close(); // SILENT: no notLeader
      expect(events).toEqual(["b leads"]);
      await expect(b.await()).rejects.toBeInstanceOf(EOFException);
    });

    it("LeaderLatch across a dropped connection: SUSPENDED drops leadership, RECONNECTED (same session) brings it back", async () => {
      const { client, proxy, states } = await proxiedClient(env.server.port, 10_000);
      const latch = new LeaderLatch(client, uniquePath("/latch3"), "x");
      const events: string[] = [];
      latch.addListener({ isLeader: () => events.push("leader"), notLeader: () => events.push("not leader") });
      latch.start();
      onTestFinished(() => latch.close());
      await waitUntil(() => latch.hasLeadership(), "leadership");
      const node = latch.getOurPath();
      proxy.dropConnections();
      await waitUntil(() => states.includes(ConnectionState.RECONNECTED), "RECONNECTED");
      await waitUntil(() => latch.hasLeadership(), "leadership again");
      expect(events).toEqual(["leader", "not leader", "leader"]);
      expect(latch.getOurPath()).toBe(node);
    });

    it("T88 LeaderSelector: takeLeadership runs on exactly one participant; when it returns another leads", async () => {
      const path = uniquePath("/leaderElection");
      const tracker = new LeadershipTracker();
      const selectors: LeaderSelector[] = [];
      for (let i = 0; i < 3; i++) {
        const client = await startedClient(env.server.connectString);
        const id = `p${i}`;
        // The seed's listener: extends LeaderSelectorListenerAdapter, leads while takeLeadership runs.
        const selector = new LeaderSelector(
          client,
          path,
          new (class extends LeaderSelectorListenerAdapter {
            async takeLeadership(): Promise<void> {
              tracker.gained(id);
              await sleep(30);
              tracker.lost(id);
            }
          })(),
        );
        selector.setId(id);
        selector.autoRequeue();
        selectors.push(selector);
      }
      for (const s of selectors) s.start();
      onTestFinished(async () => {
        for (const s of selectors) await s.close();
      });
      await waitUntil(() => tracker.history.length >= 9, "nine terms");
      expect(tracker.violations).toBe(0);
      expect(new Set(tracker.history).size).toBe(3);
      // A requeued participant goes to the back of the queue: leadership rotates.
      for (let i = 1; i < tracker.history.length; i++) expect(tracker.history[i]).not.toBe(tracker.history[i - 1]);
      const participants = await selectors[0]!.getParticipants();
      expect(participants.length).toBeGreaterThanOrEqual(2);
      expect(participants.filter((p) => p.isLeader)).toHaveLength(1);
    });

    it("LeaderSelector: close() aborts takeLeadership; without autoRequeue a participant leads once", async () => {
      const path = uniquePath("/sel2");
      const c1 = await startedClient(env.server.connectString);
      const c2 = await startedClient(env.server.connectString);
      let aborted = false;
      const s1 = new LeaderSelector(c1, path, {
        takeLeadership: (_c, signal) =>
          new Promise<void>((resolve) =>
            signal.addEventListener("abort", () => {
              aborted = true;
              resolve();
            }),
          ),
        stateChanged: () => undefined,
      });
      let s2Terms = 0;
      const s2 = new LeaderSelector(
        c2,
        path,
        new (class extends LeaderSelectorListenerAdapter {
          async takeLeadership(): Promise<void> {
            s2Terms++;
          }
        })(),
      );
      s1.start();
      await waitUntil(() => s1.hasLeadership(), "s1 leads");
      s2.start();
      await sleep(100);
      expect(s2Terms).toBe(0);
      await s1.close();
      expect(aborted).toBe(true);
      await waitUntil(() => s2Terms === 1, "s2 leads once");
      await sleep(100);
      expect(s2Terms).toBe(1);
      expect(s2.requeue()).toBe(true);
      await waitUntil(() => s2Terms === 2, "s2 leads again after requeue()");
      await s2.close();
    });

    it("exactly one leader at a time (LeaderLatch) while the leader is killed twice", async () => {
      const path = uniquePath("/latch-kill");
      const tracker = new LeadershipTracker();
      const parts: Array<{ client: CuratorFramework; proxy: TcpProxy; latch: LeaderLatch }> = [];
      for (let i = 0; i < 4; i++) {
        const p = await proxiedClient(env.server.port, 1500);
        const latch = new LeaderLatch(p.client, path, `n${i}`);
        latch.addListener({ isLeader: () => tracker.gained(latch.getId()), notLeader: () => tracker.lost(latch.getId()) });
        latch.start();
        onTestFinished(() => latch.close().catch(() => undefined));
        parts.push({ ...p, latch });
      }
      await waitUntil(() => tracker.current.size === 1, "a first leader");
      for (let round = 0; round < 2; round++) {
        const victim = parts.find((p) => p.latch.hasLeadership())!;
        kill(victim.proxy);
        await waitUntil(() => parts.some((p) => p !== victim && p.latch.hasLeadership()), `a new leader after kill ${round}`, 15_000);
        expect(victim.latch.hasLeadership()).toBe(false);
        victim.proxy.setRefusing(false); // it comes back on a new session and queues again
      }
      await waitUntil(async () => (await parts[0]!.client.getChildren().forPath(path)).length === 4, "all four queued again", 15_000);
      expect(tracker.violations).toBe(0);
      expect(tracker.current.size).toBe(1);
    });

    it("exactly one leader at a time (LeaderSelector, autoRequeue) while the leader is killed mid-term", async () => {
      const path = uniquePath("/sel-kill");
      const tracker = new LeadershipTracker();
      const parts: Array<{ proxy: TcpProxy; id: string; selector: LeaderSelector }> = [];
      for (let i = 0; i < 3; i++) {
        const p = await proxiedClient(env.server.port, 1500);
        const id = `n${i}`;
        const selector = new LeaderSelector(
          p.client,
          path,
          new (class extends LeaderSelectorListenerAdapter {
            async takeLeadership(_c: CuratorFramework, signal: AbortSignal): Promise<void> {
              tracker.gained(id);
              // Lead until interrupted (connection trouble) or 400 ms have passed.
              await new Promise<void>((resolve) => {
                const t = setTimeout(resolve, 400);
                signal.addEventListener("abort", () => {
                  clearTimeout(t);
                  resolve();
                });
              });
              tracker.lost(id);
            }
          })(),
        );
        selector.setId(id);
        selector.autoRequeue();
        selector.start();
        onTestFinished(() => selector.close());
        parts.push({ ...p, id, selector });
      }
      await waitUntil(() => tracker.current.size === 1, "a first leader");
      const victim = parts.find((p) => tracker.current.has(p.id))!;
      const before = tracker.history.length;
      kill(victim.proxy);
      await waitUntil(() => !tracker.current.has(victim.id), "the victim to give up at SUSPENDED");
      await waitUntil(() => tracker.history.length >= before + 3, "leadership to move on", 15_000);
      victim.proxy.setRefusing(false);
      await waitUntil(() => tracker.history.slice(before + 1).includes(victim.id), "the victim to lead again", 20_000);
      expect(tracker.violations).toBe(0);
    });
  });
}
