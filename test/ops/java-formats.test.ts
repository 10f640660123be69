/**
 * Chapter 03 (operations): the pieces that make our output read like Java's — hash map
 * iteration order, Double.toString, half-up rounding of averages, Jackson's layout,
 * CommandResponse's key order, Dropwizard's percentile — checked against a real JVM
 * where one is installed (a one-file Java program run with `java Probe.java`).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CommandResponse } from "../../src/server/admin/CommandResponse.js";
import { JsonDouble, obj, toJson } from "../../src/server/admin/JsonOutputter.js";
import { javaDoubleToString } from "../../src/server/command/JavaFormat.js";
import { roundHalfUp4 } from "../../src/server/metrics/AvgMinMaxCounter.js";
import { snapshotQuantile } from "../../src/server/metrics/AvgMinMaxPercentileCounter.js";
import { concurrentHashMapOrder, hashSetOrder, longHashOrder } from "../../src/util/JavaHash.js";

const JAVA = "/usr/bin/java";

/** Inputs both sides derive the same way. */
const paths = (n: number) => Array.from({ length: n }, (_, i) => `/app/node-${(i * 7919) % 1009}`);
const longs = (n: number) => Array.from({ length: n }, (_, i) => BigInt.asIntN(64, BigInt(i) * 0x9e3779b97f4a7c15n));
const doubles = [0, 1, 0.5, 19.5714, 0.0001, 0.001, 1234567.0, 9999999.0, 1e7, 12345678.9, 1.5e-7, 3.14159, 100.25, -2.5];
const ratios: [number, number][] = [[137, 7], [1, 3], [2, 3], [5, 8], [123457, 20000], [1, 20000], [3, 20000], [99999, 7]];

const PROBE = `
import java.math.*;
import java.util.*;
import java.util.concurrent.*;
public class Probe {
  public static void main(String[] a) {
    for (int n : new int[] {5, 40, 300}) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < n; i++) keys.add("/app/node-" + ((i * 7919) % 1009));
      Set<String> hs = new HashSet<>(); hs.addAll(keys);
      System.out.println("hashset " + n + " " + String.join(",", hs));
      ConcurrentHashMap<String, Boolean> chm = new ConcurrentHashMap<>();
      for (String k : keys) chm.put(k, true);
      System.out.println("chm " + n + " " + String.join(",", chm.keySet()));
    }
    List<String> ls = new ArrayList<>(), lc = new ArrayList<>();
    Set<Long> lhs = new HashSet<>(); ConcurrentHashMap<Long, Boolean> lchm = new ConcurrentHashMap<>();
    for (long i = 0; i < 30; i++) { long v = i * 0x9e3779b97f4a7c15L; lhs.add(v); lchm.put(v, true); }
    for (Long v : lhs) ls.add(Long.toString(v));
    for (Long v : lchm.keySet()) lc.add(Long.toString(v));
    System.out.println("longset " + String.join(",", ls));
    System.out.println("longchm " + String.join(",", lc));
    List<String> ds = new ArrayList<>();
    for (double d : new double[] {${doubles.map((d) => (Number.isInteger(d) ? d + ".0" : String(d))).join(", ")}}) ds.add(Double.toString(d));
    System.out.println("doubles " + String.join(",", ds));
    List<String> rs = new ArrayList<>();
    ${ratios.map(([t, c]) => `rs.add(Double.toString(new BigDecimal(${t} / (double) ${c}).setScale(4, RoundingMode.HALF_UP).doubleValue()));`).join("\n    ")}
    System.out.println("ratios " + String.join(",", rs));
  }
}
`;

function runProbe(): Map<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "ops-probe-"));
  try {
    writeFileSync(join(dir, "Probe.java"), PROBE);
    const out = execFileSync(JAVA, [join(dir, "Probe.java")], { encoding: "utf8", timeout: 60000 });
    return new Map(out.trim().split("\n").map((l) => [l.substring(0, l.lastIndexOf(" ")), l.substring(l.lastIndexOf(" ") + 1)] as [string, string]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!existsSync(JAVA))("against a real JVM", () => {
  const java = runProbe();

  it("orders keys as HashSet and ConcurrentHashMap do, across resizes", () => {
    for (const n of [5, 40, 300]) {
      expect(hashSetOrder(paths(n)).join(","), `HashSet of ${n}`).toBe(java.get(`hashset ${n}`));
      expect(concurrentHashMapOrder(paths(n)).join(","), `ConcurrentHashMap of ${n}`).toBe(java.get(`chm ${n}`));
    }
    expect(longHashOrder(longs(30)).join(",")).toBe(java.get("longset"));
    expect(longHashOrder(longs(30), true).join(",")).toBe(java.get("longchm"));
  });

  it("prints doubles as Double.toString and rounds averages as BigDecimal HALF_UP", () => {
    expect(doubles.map(javaDoubleToString).join(",")).toBe(java.get("doubles"));
    expect(ratios.map(([t, c]) => javaDoubleToString(roundHalfUp4(t / c))).join(",")).toBe(java.get("ratios"));
  });
});

describe("Jackson layout and CommandResponse", () => {
  it("indents objects, keeps arrays on one line, prints doubles and longs as Java", () => {
    const v = obj([
      ["a", 1],
      ["d", new JsonDouble(0)],
      ["big", -9223372036854775808n],
      ["s", 'q"\n'],
      ["list", [1, 2]],
      ["none", []],
      ["empty", obj([])],
      ["objs", [obj([["x", true]])]],
    ]);
    expect(toJson(v)).toBe(
      '{\n  "a" : 1,\n  "d" : 0.0,\n  "big" : -9223372036854775808,\n  "s" : "q\\"\\n",\n  "list" : [ 1, 2 ],\n  "none" : [ ],\n  "empty" : { },\n  "objs" : [ {\n    "x" : true\n  } ]\n}',
    );
  });

  it("puts command and error after the data, unless the data has its own error", () => {
    const plain = new CommandResponse("stats");
    plain.put("n", 1);
    expect([...plain.toMap()]).toEqual([["n", 1], ["command", "stats"], ["error", null]]);
    const failed = new CommandResponse("leader");
    failed.put("error", "server is not initialized");
    expect([...failed.toMap()]).toEqual([["error", "server is not initialized"], ["command", "leader"]]);
  });
});

describe("UniformSnapshot percentile", () => {
  it("interpolates at q·(n+1) and clamps to the ends", () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(snapshotQuantile(sorted, 0.5)).toBeCloseTo(5.5);
    expect(snapshotQuantile(sorted, 0.95)).toBe(10);
    expect(snapshotQuantile(sorted, 0.01)).toBe(1);
    expect(snapshotQuantile([], 0.5)).toBe(0);
  });
});
