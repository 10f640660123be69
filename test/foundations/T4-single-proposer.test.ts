/**
 * T4 — single proposer [001 L180–186]: with only the leader proposing, the schedule
 * that livelocked T3 chooses a value in the first round.
 */
import { describe, expect, it } from "vitest";
import { recordTrace } from "../../src/trace/index.js";
import { paxosSingleLeader } from "../../chapters/01-foundations/scenarios.js";

describe("T4 single proposer", () => {
  it("T4 the case-3 schedule with one proposer chooses 10% with ballot 1 and no rejection", async () => {
    const { result: sim, events } = await recordTrace(() => paxosSingleLeader(10));
    expect(sim.chosen()).toEqual([{ n: 1, value: "10%" }]);
    expect(sim.proposers.get("A1")!.ballot).toBe(1);
    expect(events.some((e) => e.kind === "message" && e.label === "REJECT")).toBe(false);
    expect(sim.inFlight).toEqual([]);
  });
});
