/**
 * T5 — Zab broadcast [001 L235–247] on the teaching model: a write gets the next zxid,
 * its PROPOSAL waits in each follower's FIFO queue, a follower ACKs only after logging,
 * the leader commits after 3 of 5 have logged it (itself included), and every server
 * applies in zxid order.
 */
import { describe, expect, it } from "vitest";
import { recordTrace, type TraceEvent } from "../../src/trace/index.js";
import { Random } from "../../src/sim/prng.js";
import { makeZxid } from "../../src/sim/zab-model.js";
import { zabBroadcast, zabEnsemble } from "../../chapters/01-foundations/scenarios.js";

const FOLLOWERS = ["S1", "S2", "S3", "S4"];

describe("T5 ZAB broadcast", () => {
  it("T5 each write gets the next zxid of the leader's epoch and is queued FIFO per follower", () => {
    const sim = zabEnsemble();
    expect(sim.leader).toBe("S5");
    expect(sim.write("x")).toBe(makeZxid(1, 1));
    expect(sim.write("y")).toBe(makeZxid(1, 2));
    for (const f of FOLLOWERS) {
      expect(sim.queued("S5", f)).toEqual([
        { type: "PROPOSAL", zxid: makeZxid(1, 1), value: "x" },
        { type: "PROPOSAL", zxid: makeZxid(1, 2), value: "y" },
      ]);
    }
  });

  it("T5 a follower ACKs only after logging, and the COMMIT follows the third ACK (leader included)", async () => {
    const { result: sim, events } = await recordTrace(() => zabBroadcast());
    const zxid = makeZxid(1, 1);
    const at = (pred: (e: TraceEvent) => boolean) => events.findIndex(pred);
    for (const f of FOLLOWERS) {
      const logged = at((e) => e.kind === "state" && e.node === f && e.label === "log" && e.fields.zxid === zxid);
      const acked = at((e) => e.kind === "message" && e.from === f && e.label === "ACK" && e.fields.zxid === zxid);
      expect(logged).toBeGreaterThanOrEqual(0);
      expect(acked).toBeGreaterThan(logged);
    }
    const commit = at((e) => e.kind === "state" && e.node === "S5" && e.label === "commit");
    expect(events[commit]).toMatchObject({ fields: { zxid, acks: 3 } });
    const acksBefore = events.slice(0, commit).filter((e) => e.kind === "message" && e.label === "ACK" && e.fields.zxid === zxid);
    expect(acksBefore.map((e) => (e.kind === "message" ? e.from : ""))).toEqual(["S1", "S2"]);
    const firstCommitMessage = at((e) => e.kind === "message" && e.label === "COMMIT");
    expect(firstCommitMessage).toBeGreaterThan(commit);
    for (const s of sim.servers) expect(s.applied.map((t) => t.value)).toEqual(["x=1"]);
  });

  it("T5 under 100 random delivery orders every server applies the same writes in zxid order", () => {
    for (let seed = 1; seed <= 100; seed++) {
      const random = new Random(seed);
      const sim = zabEnsemble();
      for (let i = 0; i < 6; i++) {
        sim.write(`w${i}`);
        sim.deliverAll(seed * 10 + i, random.int(8)); // some packets now, the rest later
      }
      sim.deliverAll(seed);
      const leaderLog = sim.server("S5").log;
      expect(leaderLog.map((t) => t.zxid)).toEqual([1, 2, 3, 4, 5, 6].map((c) => makeZxid(1, c)));
      for (const s of sim.servers) expect(s.applied).toEqual(leaderLog);
      expect(sim.acknowledged).toEqual(leaderLog);
    }
  });
});
