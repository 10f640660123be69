/**
 * T8 — the leader has the largest zxid [001 L332, L368]: the elected leader's last zxid
 * is at least every voter's, which is why no acknowledged write is lost across crashes.
 * Electing by sid alone (the rule of a first start-up, where all zxids are equal)
 * would lose one.
 */
import { describe, expect, it } from "vitest";
import { Random } from "../../src/sim/prng.js";
import { makeZxid } from "../../src/sim/zab-model.js";
import { zabCrashAfterQuorumAck, zabEnsemble } from "../../chapters/01-foundations/scenarios.js";

describe("T8 leader has the max zxid", () => {
  it("T8 over 200 random crash points the new leader's zxid >= every voter's and no acknowledged write is lost", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = new Random(seed);
      const sim = zabEnsemble();
      for (let round = 0; round < 3; round++) {
        for (let i = 0, n = 1 + random.int(3); i < n; i++) {
          sim.write(`r${round}w${i}`);
          sim.deliverAll(seed * 100 + round * 10 + i, random.int(10));
        }
        const crashed = sim.leader!;
        sim.crash(crashed);
        const voters = sim.servers.filter((s) => s.role !== "DOWN").map((s) => s.lastZxid);
        const leader = sim.server(sim.elect());
        for (const z of voters) expect(leader.lastZxid >= z).toBe(true);
        sim.deliverAll();
        sim.restart(crashed);
        sim.deliverAll();
        for (const s of sim.servers) {
          const applied = new Set(s.applied.map((t) => t.zxid));
          for (const t of sim.acknowledged) expect(applied.has(t.zxid), `seed ${seed}: ${s.name} lost ${t.value}`).toBe(true);
        }
      }
    }
  });

  it("T8 electing the largest sid instead truncates a write the client was told is committed", () => {
    const sim = zabCrashAfterQuorumAck("sid-only");
    expect(sim.leader).toBe("S4"); // S4 never saw 1:2
    expect(sim.acknowledged.map((t) => t.zxid)).toContain(makeZxid(1, 2));
    for (const s of sim.servers.filter((x) => x.role !== "DOWN")) expect(s.applied.map((t) => t.value)).toEqual(["a"]);
  });
});
