/**
 * T1 — basic Paxos [001 L112–127]: A1 prepares ballot 1, a majority promises, A1
 * proposes 10%, and 10% is chosen by a majority of acceptances.
 */
import { describe, expect, it } from "vitest";
import { recordTrace } from "../../src/trace/index.js";
import { paxosCase1 } from "../../chapters/01-foundations/scenarios.js";

describe("T1 basic Paxos", () => {
  it("T1 A1's proposal (1, 10%) is chosen by a majority", () => {
    const sim = paxosCase1();
    expect(sim.chosen()).toEqual([{ n: 1, value: "10%" }]);
    expect(sim.learned.get("A1")).toBe("10%");
    for (const a of sim.acceptors.values()) expect(a.accepted).toEqual({ n: 1, value: "10%" });
  });

  it("T1 A1 proposes as soon as a majority (3 of 5) has promised, not before", async () => {
    const { events } = await recordTrace(() => paxosCase1());
    const propose = events.findIndex((e) => e.kind === "state" && e.label === "propose");
    const promisesBefore = events.slice(0, propose).filter((e) => e.kind === "message" && e.label === "PROMISE");
    expect(promisesBefore).toHaveLength(3);
    expect(events[propose]).toMatchObject({ node: "A1", fields: { n: 1, value: "10%" } });
  });
});
