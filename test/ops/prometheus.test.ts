/**
 * Chapter 03 (operations): the Prometheus endpoint. The scrape must parse as text
 * exposition format 0.0.4 (checked by the small parser below, which rejects what
 * Prometheus rejects) and carry ZooKeeper's series under ZooKeeper's names.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { startOperations } from "../../src/server/admin/Operations.js";
import { parseConfig } from "../../src/startup/QuorumPeerConfig.js";
import { fourLetterWord } from "../support/net.js";
import { startOurZooKeeper } from "../support/ourZooKeeper.js";
import { closeOnFinish, connectClient, httpGet, mntrPairs, workload } from "./support.js";

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  samples: ParsedSample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";

/** Suffixes a sample of each type may add to its family's name. */
const SUFFIXES: Record<string, string[]> = { counter: [""], gauge: [""], summary: ["", "_count", "_sum"], untyped: [""] };

function parseValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`bad value ${text}`);
  return Number(text);
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = new RegExp(`\\s*(${LABEL_NAME})\\s*=\\s*"((?:[^"\\\\\\n]|\\\\[\\\\n"])*)"\\s*(,|$)`, "y");
  let i = 0;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m === null) throw new Error(`bad labels {${text}}`);
    if (m[1]! in out) throw new Error(`duplicate label ${m[1]}`);
    out[m[1]!] = m[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    i = re.lastIndex;
  }
  return out;
}

/** Text format 0.0.4: # HELP / # TYPE once per family, before its samples; samples named for it. */
function parseExposition(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | null = null;
  for (const line of text.slice(0, -1).split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      if (families.has(m[1]!)) throw new Error(`second HELP for ${m[1]}`);
      current = { name: m[1]!, help: m[2]!, type: "untyped", samples: [] };
      families.set(current.name, current);
    } else if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|summary|histogram|untyped)$`).exec(line))) {
      if (current?.name !== m[1] || current.samples.length > 0) throw new Error(`TYPE of ${m[1]} out of place`);
      current.type = m[2]!;
    } else if ((m = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`).exec(line))) {
      const name = m[1]!;
      if (current === null || !SUFFIXES[current.type]!.some((s) => current!.name + s === name)) throw new Error(`sample ${name} outside its family`);
      current.samples.push({ name, labels: parseLabels(m[2] ?? ""), value: parseValue(m[3]!) });
    } else if (!line.startsWith("#") && line.trim() !== "") {
      throw new Error(`unparseable line: ${line}`);
    }
  }
  return families;
}

async function promServer() {
  const zk = await startOurZooKeeper();
  onTestFinished(() => zk.stop());
  const cfg = parseConfig(
    [
      "tickTime=2000",
      `dataDir=${join(tmpdir(), "ops-prom-unused")}`,
      "admin.enableServer=false",
      "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
      "metricsProvider.httpHost=127.0.0.1",
      "metricsProvider.httpPort=0",
      "",
    ].join("\n"),
  );
  const ops = await startOperations({ zks: zk.zks, factory: zk.factory, cfg });
  onTestFinished(() => ops.stop());
  return { zk, ops, url: `http://127.0.0.1:${ops.prometheus!.port}/metrics` };
}

describe("the exposition parser used here", () => {
  it("accepts the format and rejects what Prometheus rejects", () => {
    const ok = '# HELP x_seconds x\n# TYPE x_seconds summary\nx_seconds{quantile="0.5",} 1.0\nx_seconds_count 2.0\nx_seconds_sum 3.5\n';
    expect(parseExposition(ok).get("x_seconds")!.samples).toHaveLength(3);
    for (const bad of ["# TYPE a gauge\na 1\n", "# HELP a a\n# TYPE a gauge\nb 1\n", '# HELP a a\n# TYPE a gauge\na{x="1} 1\n', "# HELP a a\n# TYPE a gauge\na one\n", "# HELP a a\n# TYPE a gauge\na 1"]) {
      expect(() => parseExposition(bad), bad).toThrow();
    }
  });
});

describe("Prometheus endpoint", () => {
  it("serves valid text format 0.0.4 with ZooKeeper's series after activity", async () => {
    const { zk, url } = await promServer();
    await workload(closeOnFinish(await connectClient(zk.connectString)));
    const r = await httpGet(url);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const f = parseExposition(r.body);
    const value = (name: string) => (f.get(name) ?? f.get(name.replace(/_(count|sum)$/, "")))?.samples.find((s) => s.name === name)?.value;
    expect(f.get("znode_count")).toEqual({ name: "znode_count", help: "znode_count", type: "gauge", samples: [{ name: "znode_count", labels: {}, value: 8 }] });
    expect([value("ephemerals_count"), value("watch_count"), value("global_sessions"), value("num_alive_connections")]).toEqual([1, 3, 1, 1]);
    expect(f.get("connection_request_count")!.type).toBe("counter");
    expect(value("connection_request_count")).toBe(1);
    // Reads and writes are ADVANCED summaries: three quantiles, count and sum.
    expect(f.get("readlatency")!.samples.map((s) => s.labels.quantile ?? s.name)).toEqual(["0.5", "0.9", "0.99", "readlatency_count", "readlatency_sum"]);
    expect([value("readlatency_count"), value("updatelatency_count")]).toEqual([3, 4]);
    // BASIC summaries have the median only.
    expect(f.get("snapshottime")!.samples.map((s) => s.labels.quantile ?? s.name)).toEqual(["0.5", "snapshottime_count", "snapshottime_sum"]);
    expect(value("process_open_fds")).toBeGreaterThan(0);
    expect(f.get("process_cpu_seconds_total")!.type).toBe("counter");
    // Label lists end with a comma, as the Java client 0.9 writes them.
    expect(r.body).toMatch(/^readlatency\{quantile="0\.5",\} \d+\.\d+$/m);
  });

  it("reports an empty summary's quantiles as NaN", async () => {
    const { url } = await promServer();
    const f = parseExposition((await httpGet(url)).body);
    expect(f.get("readlatency")!.samples[0]!.value).toBeNaN();
    expect(f.get("readlatency")!.samples.at(-2)!.value).toBe(0);
  });

  it("filters by name[] and answers 404 elsewhere", async () => {
    const { url } = await promServer();
    const only = parseExposition((await httpGet(`${url}?name[]=znode_count&name[]=readlatency_sum`)).body);
    expect([...only.keys()]).toEqual(["znode_count", "readlatency"]);
    expect((await httpGet(url.replace("/metrics", "/"))).status).toBe(404);
  });

  it("makes mntr print Prometheus samples, which srst cannot reset", async () => {
    const { zk } = await promServer();
    await workload(closeOnFinish(await connectClient(zk.connectString)));
    await fourLetterWord(zk.port, "srst");
    const m = new Map(mntrPairs(await fourLetterWord(zk.port, "mntr")));
    expect(m.get("zk_server_state")).toBe("standalone");
    expect(m.get("zk_znode_count")).toBe("8.0");
    expect(m.get("zk_readlatency_count")).toBe("3.0");
    expect(m.get('zk_readlatency{quantile="0.5"}')).toMatch(/^\d+\.\d+$/);
  });

  it("frees its port when stopped", async () => {
    const { ops, url } = await promServer();
    await ops.stop();
    await ops.stop();
    await expect(fetch(url)).rejects.toThrow();
  });
});
