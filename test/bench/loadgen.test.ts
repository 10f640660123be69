/**
 * Smoke test of the load generator (bench/): a short run against our in-process server
 * yields the JSON line the README documents, with replies counted and no errors; and
 * the latency histogram's quantiles stay within its stated 1/64 precision.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll } from "../../bench/cleanup.js";
import { bucketLow, bucketOf, Histogram } from "../../bench/histogram.js";
import { populate, runLoad } from "../../bench/loadgen.js";
import { pickRows } from "../../bench/matrix.js";
import { startOurZooKeeper, type OurZooKeeper } from "../support/ourZooKeeper.js";

describe("bench load generator", () => {
  let zk: OurZooKeeper;
  beforeAll(async () => {
    zk = await startOurZooKeeper();
  });
  afterAll(async () => {
    await cleanupAll();
    await zk.stop();
  });

  it("prints one JSON line per run with throughput, latency percentiles and CPU", async () => {
    const w = { op: "mixed" as const, valueSize: 100, sessions: 4, pipeline: 8, readRatio: 0.5 };
    await populate("127.0.0.1", zk.port, w);
    const r = await runLoad({ ...w, server: "ours", host: "127.0.0.1", port: zk.port, serverPid: process.pid, warmupSeconds: 0.3, seconds: 1.5, workers: 2, mode: "process" });
    const line = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    expect(Object.keys(line).slice(0, 12)).toEqual(["server", "op", "valueSize", "sessions", "pipeline", "readRatio", "ops", "seconds", "opsPerSec", "p50Ms", "p99Ms", "errors"]);
    expect(line).toMatchObject({ server: "ours", op: "mixed", valueSize: 100, sessions: 4, pipeline: 8, readRatio: 0.5, errors: 0, workers: 2 });
    expect(r.ops).toBeGreaterThan(100);
    expect(r.seconds).toBeGreaterThan(1); // the window each worker timed (IPC may shift its ends)
    expect(r.opsPerSec).toBeGreaterThan(0);
    expect(r.p50Ms).toBeGreaterThan(0);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    expect(r.genCpu).not.toBeNull();
  });

  it("creates unique znodes across runs on one server", async () => {
    const w = { op: "create" as const, valueSize: 10, sessions: 2, pipeline: 4, readRatio: 0 };
    await populate("127.0.0.1", zk.port, w);
    for (let i = 0; i < 2; i++) {
      const r = await runLoad({ ...w, server: "ours", host: "127.0.0.1", port: zk.port, warmupSeconds: 0.1, seconds: 0.5, workers: 1, mode: "thread" });
      expect(r.errors).toBe(0);
      expect(r.ops).toBeGreaterThan(0);
    }
  });
});

describe("bench histogram and matrix", () => {
  it("keeps quantiles within 1/64 of the true value", () => {
    const h = new Histogram();
    const values = Array.from({ length: 10_000 }, (_, i) => 50 + ((i * 7919) % 200_000));
    for (const v of values) h.record(v);
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThan(1 / 64);
    }
    for (const v of [0, 1, 127, 128, 129, 4095, 4096, 1e6]) {
      expect(bucketLow(bucketOf(v))).toBeLessThanOrEqual(v);
      expect(bucketLow(bucketOf(v) + 1)).toBeGreaterThan(v);
    }
  });

  it("picks rows by id prefix and names unknown ones", () => {
    expect(pickRows("getData").map((r) => r.id)).toEqual(["getData-100B-8x16", "getData-100B-1x1"]);
    expect(() => pickRows("nope")).toThrow(/no row matches nope/);
  });
});
