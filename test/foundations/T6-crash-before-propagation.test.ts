/**
 * T6 — crash before propagation [001 L261–265, L283, L289]: the leader logged 1:2 and
 * crashed before any follower had it. A new leader is elected, the old one rejoins and
 * is told to TRUNC: 1:2 is gone everywhere.
 */
import { describe, expect, it } from "vitest";
import { recordTrace } from "../../src/trace/index.js";
import { makeZxid } from "../../src/sim/zab-model.js";
import { zabCrashBeforePropagation } from "../../chapters/01-foundations/scenarios.js";

describe("T6 crash before propagation", () => {
  it("T6 the proposal only the crashed leader logged is discarded everywhere (TRUNC on rejoin)", async () => {
    const { result: sim, events } = await recordTrace(() => zabCrashBeforePropagation());
    expect(sim.leader).toBe("S4");
    expect(sim.server("S4").currentEpoch).toBe(2);
    expect(events).toContainEqual({ kind: "message", from: "S4", to: "S5", label: "TRUNC", fields: { zxid: makeZxid(1, 1) }, lost: false });
    for (const s of sim.servers) {
      expect(s.role).not.toBe("DOWN");
      expect(s.log.map((t) => t.zxid)).toEqual([makeZxid(1, 1), makeZxid(2, 1)]);
      expect(s.applied.map((t) => t.value)).toEqual(["a", "c"]);
    }
    expect(sim.acknowledged.map((t) => t.value)).toEqual(["a", "c"]); // "b" was never acknowledged
  });
});
