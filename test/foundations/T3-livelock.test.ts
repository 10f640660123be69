/**
 * T3 — livelock [001 L158–174]: two proposers whose PREPAREs A3 promises alternately,
 * each retrying with a higher ballot, never get a value chosen.
 */
import { describe, expect, it } from "vitest";
import { recordTrace } from "../../src/trace/index.js";
import { paxosCase3 } from "../../chapters/01-foundations/scenarios.js";

describe("T3 livelock", () => {
  it("T3 ten ballots later nothing is chosen and both proposers are still retrying", () => {
    const sim = paxosCase3(10);
    expect(sim.chosen()).toEqual([]);
    expect(sim.learned.size).toBe(0);
    expect(sim.proposers.get("A1")!.ballot).toBe(11); // just retried: the duel goes on
    expect(sim.proposers.get("A5")!.ballot).toBe(10);
  });

  it("T3 A3 promises A1 and A5 in turn, and rejects every ACCEPT", async () => {
    const { events } = await recordTrace(() => paxosCase3(10));
    const fromA3 = events.filter((e) => e.kind === "message" && e.from === "A3" && !e.lost);
    const promisedTo = fromA3.filter((e) => e.kind === "message" && e.label === "PROMISE").map((e) => (e.kind === "message" ? e.to : ""));
    expect(promisedTo).toEqual(["A1", "A5", "A1", "A5", "A1", "A5", "A1", "A5", "A1", "A5"]);
    const acceptsToA3 = events.filter((e) => e.kind === "message" && e.to === "A3" && e.label === "ACCEPT");
    const rejects = fromA3.filter((e) => e.kind === "message" && e.label === "REJECT");
    expect(acceptsToA3.length).toBeGreaterThanOrEqual(9);
    expect(rejects).toHaveLength(acceptsToA3.length);
    expect(fromA3.some((e) => e.kind === "message" && e.label === "ACCEPTED")).toBe(false);
  });
});
