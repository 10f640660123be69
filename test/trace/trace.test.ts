/**
 * The tracer (src/trace): events reach a recorder only while it listens, the formats
 * the chapters use (zxid as epoch:counter, session ids in hex, packet and op names),
 * and the mermaid renderer's output and determinism.
 */
import { describe, expect, it } from "vitest";
import {
  TraceRecorder,
  describeEvent,
  formatFields,
  formatSessionId,
  formatZxid,
  packetTypeName,
  recordTrace,
  toMermaidSequence,
  trace,
  type TraceEvent,
} from "../../src/trace/index.js";

describe("tracer", () => {
  it("publishes nothing when nobody listens, and is enabled only while a recorder runs", () => {
    expect(trace.enabled).toBe(false);
    trace.message("S1", "S2", "PING"); // no subscriber: must not throw, nothing kept
    const recorder = new TraceRecorder().start();
    expect(trace.enabled).toBe(true);
    trace.message("S1", "S2", "PROPOSAL", { zxid: 0x100000001n });
    trace.state("S2", "FOLLOWING");
    trace.note(["S1", "S2"], "epoch 1");
    const events = recorder.stop();
    expect(trace.enabled).toBe(false);
    trace.state("S2", "LOOKING"); // after stop: not recorded
    expect(events).toEqual([
      { kind: "message", from: "S1", to: "S2", label: "PROPOSAL", fields: { zxid: 0x100000001n }, lost: false },
      { kind: "state", node: "S2", label: "FOLLOWING", fields: {} },
      { kind: "note", nodes: ["S1", "S2"], text: "epoch 1" },
    ]);
    expect(recorder.stop()).toBe(events); // stopping twice is harmless
  });

  it("recordTrace returns the result with the events, and stops even when the run throws", async () => {
    const { result, events } = await recordTrace(async () => {
      trace.state("A1", "chosen");
      return 42;
    });
    expect(result).toBe(42);
    expect(events).toHaveLength(1);
    await expect(recordTrace(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(trace.enabled).toBe(false);
  });
});

describe("formats", () => {
  it("prints a zxid as epoch:counter", () => {
    expect(formatZxid(0x100000005n)).toBe("1:5");
    expect(formatZxid(0n)).toBe("0:0");
    expect(formatZxid(0x2_00000000n)).toBe("2:0");
    expect(formatZxid(0xffffffff_ffffffffn >> 1n)).toBe("2147483647:4294967295");
    expect(formatZxid(-1)).toBe("-1");
  });

  it("prints session ids as unsigned 64-bit hex", () => {
    expect(formatSessionId(0x1000abc00000001n)).toBe("0x1000abc00000001");
    expect(formatSessionId(-1n)).toBe("0xffffffffffffffff");
  });

  it("names fields by convention: zxids, sessions, packet types, op codes", () => {
    expect(
      formatFields({ zxid: 0x100000002n, peerLastZxid: 0x200000000n, sessionId: 0x10n, packetType: 13, op: 5, n: 3 }),
    ).toBe("zxid=1:2 peerLastZxid=2:0 sessionId=0x10 packetType=DIFF op=setData n=3");
    expect(packetTypeName(99)).toBe("UNKNOWN(99)");
  });

  it("describes events on one line each", () => {
    expect(
      describeEvent({ kind: "message", from: "S1", to: "S2", label: "COMMIT", fields: { zxid: 0x100000001n }, lost: true }),
    ).toBe("S1 -> S2 (lost)  COMMIT zxid=1:1");
    expect(describeEvent({ kind: "state", node: "S2", label: "log", fields: { zxid: 1n } })).toBe("S2: log zxid=0:1");
    expect(describeEvent({ kind: "note", nodes: ["S1"], text: "round 2" })).toBe("-- round 2");
  });
});

describe("mermaid renderer", () => {
  const events: TraceEvent[] = [
    { kind: "message", from: "client", to: "S1", label: "setData", fields: { sessionId: 0x10n }, lost: false },
    { kind: "message", from: "S1", to: "S2", label: "PROPOSAL", fields: { zxid: 0x100000001n }, lost: false },
    { kind: "state", node: "S2", label: "log", fields: { zxid: 0x100000001n } },
    { kind: "message", from: "S1", to: "S3", label: "COMMIT", fields: { zxid: 0x100000001n }, lost: true },
    { kind: "note", nodes: ["S1", "S2", "S3"], text: "a; b # c" },
  ];

  it("draws arrows, lost arrows and notes with readable labels", () => {
    expect(toMermaidSequence(events, { participants: ["client", { name: "S1", label: "S1 (leader)" }] })).toBe(
      [
        "sequenceDiagram",
        "  participant client",
        "  participant S1 as S1 (leader)",
        "  participant S2",
        "  participant S3",
        "  client->>S1: setData sessionId=0x10",
        "  S1->>S2: PROPOSAL zxid=1:1",
        "  Note over S2: log zxid=1:1",
        "  S1-xS3: COMMIT zxid=1:1",
        "  Note over S1,S3: a#59; b #35; c",
        "",
      ].join("\n"),
    );
  });

  it("renames participants mermaid would misread, keeping their labels", () => {
    const text = toMermaidSequence([
      { kind: "message", from: "end", to: "node 2", label: "x", fields: {}, lost: false },
      { kind: "message", from: "node-2", to: "1st", label: "y", fields: {}, lost: false },
    ]);
    expect(text).toContain("participant p_end as end");
    expect(text).toContain("participant node_2 as node 2");
    expect(text).toContain("participant node_2_ as node-2");
    expect(text).toContain("participant p_1st as 1st");
    expect(text).toContain("p_end->>node_2: x");
  });

  it("is deterministic: the same events give the same text", () => {
    expect(toMermaidSequence(events, { autonumber: true })).toBe(toMermaidSequence([...events], { autonumber: true }));
    expect(toMermaidSequence(events, { autonumber: true }).split("\n")[1]).toBe("  autonumber");
  });
});
