/**
 * T2 — dueling proposers with a prior value [001 L133–149, L87–91]. After A3 has
 * accepted (1, 10%), A5's ballot 2 learns of it through A3's promise and must propose
 * 10% again: the chosen value stays 10%. The document says A5 proposes 20%; that
 * contradicts its own rule at L87–91 (gap G24), and the model shows what it would break.
 */
import { describe, expect, it } from "vitest";
import { recordTrace, type TraceEvent } from "../../src/trace/index.js";
import { PaxosSim, seededSchedule, type ValueRule } from "../../src/sim/paxos.js";
import { paxosCase2 } from "../../chapters/01-foundations/scenarios.js";

const promiseFromA3 = (events: TraceEvent[]) =>
  events.find((e) => e.kind === "message" && e.label === "PROMISE" && e.from === "A3" && e.to === "A5");

describe("T2 dueling proposers, prior value", () => {
  it("T2 A3 reports (1, 10%) to A5, A5 proposes (2, 10%), and only 10% is ever chosen", async () => {
    const { result: sim, events } = await recordTrace(() => paxosCase2("paxos"));
    expect(promiseFromA3(events)).toMatchObject({ fields: { n: 2, accepted: "(1, 10%)" } });
    expect(events).toContainEqual({ kind: "state", node: "A5", label: "propose", fields: { n: 2, value: "10%" } });
    expect(sim.chosen()).toEqual([
      { n: 1, value: "10%" },
      { n: 2, value: "10%" },
    ]);
    expect(sim.chosenValues()).toEqual(["10%"]);
  });

  it("T2 the document's version (A5 proposes 20%) chooses two different values (G24)", () => {
    const sim = paxosCase2("own-value");
    expect(sim.chosen()).toEqual([
      { n: 1, value: "10%" },
      { n: 2, value: "20%" },
    ]);
    expect(sim.learned).toEqual(new Map([["A1", "10%"], ["A5", "20%"]]));
  });

  it("T2 under 300 random schedules with losses the rule keeps one value; ignoring prior values does not", () => {
    const run = (rule: ValueRule, seed: number) => {
      const sim = new PaxosSim({
        acceptors: ["A1", "A2", "A3", "A4", "A5"],
        proposers: [
          { name: "A1", value: "x" },
          { name: "A3", value: "y" },
          { name: "A5", value: "z" },
        ],
        rule,
        retryUpTo: 15,
      });
      for (const p of sim.proposers.keys()) sim.start(p);
      sim.run(seededSchedule(seed, 0.1), 5_000);
      return sim.chosenValues().length;
    };
    const seeds = Array.from({ length: 300 }, (_, i) => i + 1);
    expect(seeds.filter((seed) => run("paxos", seed) > 1)).toEqual([]);
    expect(seeds.filter((seed) => run("own-value", seed) > 1).length).toBeGreaterThan(0);
  });
});
