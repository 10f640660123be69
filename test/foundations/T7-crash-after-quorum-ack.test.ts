/**
 * T7 — crash after a quorum ACKed [001 L267–269, L287, L325]: the leader committed 1:2
 * (and told the client) but crashed before sending COMMIT. The new leader, one of the
 * servers holding 1:2, commits it on every server.
 */
import { describe, expect, it } from "vitest";
import { recordTrace } from "../../src/trace/index.js";
import { makeZxid } from "../../src/sim/zab-model.js";
import { zabCrashAfterQuorumAck } from "../../chapters/01-foundations/scenarios.js";

describe("T7 crash after quorum ACK", () => {
  it("T7 the new leader (highest zxid) brings the committed 1:2 to every server", async () => {
    const { result: sim, events } = await recordTrace(() => zabCrashAfterQuorumAck());
    expect(sim.acknowledged.map((t) => t.value)).toEqual(["a", "b"]);
    expect(sim.leader).toBe("S2"); // S1 and S2 hold 1:2; equal zxids go to the larger sid
    for (const f of ["S3", "S4"]) {
      const toF = events.filter((e) => e.kind === "message" && e.from === "S2" && e.to === f && !e.lost).map((e) => (e.kind === "message" ? e.label : ""));
      expect(toF).toEqual(["DIFF", "PROPOSAL", "COMMIT", "NEWLEADER", "UPTODATE"]);
    }
    for (const s of sim.servers.filter((x) => x.role !== "DOWN")) expect(s.applied.map((t) => t.value)).toEqual(["a", "b"]);
  });

  it("T7 the crashed leader restarts with 1:2 in its log and keeps it", () => {
    const sim = zabCrashAfterQuorumAck();
    sim.restart("S5");
    sim.deliverAll();
    expect(sim.server("S5").applied.map((t) => t.zxid)).toEqual([makeZxid(1, 1), makeZxid(1, 2)]);
    expect(sim.server("S5").role).toBe("FOLLOWING");
  });
});
