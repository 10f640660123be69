/**
 * Chapter 10's example (`npm run chapter -- recipes`, chapters/10-recipes/run.ts) runs to
 * the end against our server process: the narration's key lines appear, in order, and it
 * exits 0; Ctrl-C while the lock holder's session is expiring stops it cleanly, server
 * included.
 */
import { describe, expect, it } from "vitest";
import { expectInOrder, listening, runAndInterrupt, runChapter } from "../support/chapterRun.js";

/** Quiet log, no pacing. */
const ENV = { ZK_LOG_LEVEL: "", ZK_CHAPTER_DELAY_MS: "0" };

const node = (owner: string, seq: number, what: string) => new RegExp(`${owner}: ${what} node=_c_[0-9a-f]{8}…-lock-${String(seq).padStart(10, "0")}`);

describe("chapter 10's example", () => {
  it("narrates the recipes against our server process and exits 0", { timeout: 120_000 }, async () => {
    const { code, out } = await runChapter(["recipes"], ENV);
    expect(code, out).toBe(0);
    expect(out.match(/^== /gm)).toHaveLength(6);
    expectInOrder(out, [
      // T79/T80: the namespace node is a container, made before the first operation.
      "curator -> server  exists /base",
      "curator -> server  createContainer /base",
      "curator -> server  create2 /base/nodeA",
      'A plain handle sees getChildren("/") = [base, zookeeper] and /base/nodeA = "init".',
      'setData().forPath("/nodeA", "liuzaixing") -> version 1; getData = "liuzaixing"',
      'checkExists().forPath("/nodeA") = null',
      /\/base, now empty, was deleted by the server's container manager \d+ ms later/,
      // T81/T82, G19.
      "IllegalStateException: compressed data is not supported (G19",
      "listener: NodeCache: node data v1",
      "listener: PathChildrenCache: CHILD_ADDED /nodeA/c1=x",
      "listener: PathChildrenCache: CHILD_UPDATED /nodeA/c1=y",
      "listener: PathChildrenCache: CHILD_REMOVED /nodeA/c1=y",
      "listener: NodeCache: node data v2",
      "listener: NodeCache: node deleted",
      // T85: each waiter watches its predecessor; a release wakes the next one only.
      node("A", 0, "lock acquired"),
      /B: lock waiting node=_c_[0-9a-f]{8}…-lock-0000000001 watching=_c_[0-9a-f]{8}…-lock-0000000000/,
      /C: lock waiting node=_c_[0-9a-f]{8}…-lock-0000000002 watching=_c_[0-9a-f]{8}…-lock-0000000001/,
      /_c_[0-9a-f-]{36}-lock-0000000000 {2}A, watched by B/,
      /_c_[0-9a-f-]{36}-lock-0000000001 {2}B, watched by C/,
      /_c_[0-9a-f-]{36}-lock-0000000002 {2}C\n/,
      node("A", 0, "lock released"),
      node("B", 1, "lock acquired"),
      "C's watch on B's node is still set, unfired",
      node("C", 2, "lock acquired"),
      node("D", 3, "lock timed out"),
      "D's acquire(300) = false",
      // T84, G20.
      "10 critical sections ran, at most 1 at a time.",
      // T87, G21: the latch hand-over.
      "A: isLeader id=A",
      /B: latch waiting node=\S+-latch-0000000001 watching=\S+-latch-0000000000/,
      "the leader is A: close() it.",
      "B: isLeader id=B",
      "the leader is B: close() it.",
      "C: isLeader id=C",
      // T88: selectors take turns.
      "A: takeLeadership id=A",
      "A: takeLeadership returned id=A",
      "B: takeLeadership id=B",
      // Connection loss, then expiry, for a lock holder.
      "H: ConnectionState state=SUSPENDED",
      "H: ConnectionState state=RECONNECTED",
      "is still there and W still waits",
      "Cutting H's network for good",
      "H: ConnectionState state=SUSPENDED",
    ]);
    // W's acquisition and H's own LOST happen about together, in either order.
    const expiry = out.slice(out.indexOf("Cutting H's network for good"));
    expectInOrder(expiry, [node("W", 1, "lock acquired"), "H: ConnectionState state=RECONNECTED"]);
    expectInOrder(expiry, ["H: ConnectionState state=LOST", "H: ConnectionState state=RECONNECTED"]);
    expectInOrder(expiry, [/H's mutex: isAcquiredInThisProcess\(\) = true, but its node \S+ exists: false/, "W's mutex: isAcquiredInThisProcess() = true", "done."]);
    expect(out).not.toMatch(/Error:|^\s+at .*:\d+:\d+\)?$/m);
  });

  it("stops cleanly on Ctrl-C (SIGINT) while the lock holder's session expires", { timeout: 60_000 }, async () => {
    const { code, out, interrupted } = await runAndInterrupt(["recipes"], "Cutting H's network for good", ENV);
    expect(interrupted).toBe(true);
    expect(code).toBe(0);
    expect(out).toContain("stopped (Ctrl-C)");
    expect(out).not.toContain("done.");
    expect(out).not.toContain("state=LOST");
    const port = Number(/process \d+ on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
    expect(await listening(port)).toBe(false);
    expect(out).not.toMatch(/Error:|^\s+at .*:\d+:\d+\)?$/m);
  });
});
