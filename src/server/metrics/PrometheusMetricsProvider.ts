/**
 * PrometheusMetricsProvider — the server's metrics as a Prometheus scrape target:
 * `GET http://<httpHost>:<httpPort>/metrics` in the text exposition format 0.0.4.
 *
 * Reimplements `org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider` with
 * the parts of the Prometheus Java client (0.9) it uses: Counter, Gauge, Summary,
 * `TextFormat.write004` and `MetricsServlet`. Chapter 03 (operations). Enabled by
 * `metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider`
 * with `metricsProvider.httpHost` (0.0.0.0), `metricsProvider.httpPort` (7000) and
 * `metricsProvider.exportJvmInfo` (true: add the process_* series).
 *
 * Naming, as in Java: a metric keeps its ZooKeeper name with HELP equal to the name;
 * counters have no `_total` suffix (client 0.9 adds none); a summary exports its
 * quantiles as `name{quantile="0.5",}` (0.5 for BASIC summaries, 0.5/0.9/0.99 for
 * ADVANCED ones) plus `name_count` and `name_sum`. Label lists end with a comma, as
 * the 0.9 client writes them. With this provider `mntr` prints these samples too, and
 * `srst` cannot reset them (Java: "not supported on Prometheus").
 *
 * Differs from Java: quantiles come from TimeWindowQuantiles.ts (exact over a sample,
 * not CKMS); families come out gauges, counters, summaries, process series (Java's
 * registry order is a hash order that changes from run to run).
 */
import { createServer, type Server } from "node:http";
import { getLogger } from "../../util/Logger.js";
import { javaDoubleToString } from "../command/JavaFormat.js";
import { double, type Counter, type DetailLevel, type Gauge, type MetricsContext, type MetricsProvider, type MetricsSink, type Summary } from "./MetricsContext.js";
import { boundPort, closeHttp, listenHttp } from "./HttpEndpoint.js";
import { standardExports, type MetricFamily } from "./StandardExports.js";
import { TimeWindowQuantiles } from "./TimeWindowQuantiles.js";

const LOG = getLogger("PrometheusMetricsProvider");

export const CONTENT_TYPE_004 = "text/plain; version=0.0.4; charset=utf-8";

class PrometheusCounter implements Counter {
  private value = 0;

  constructor(readonly name: string) {}

  add(delta: number): void {
    // A Prometheus counter only goes up; Java logs and drops a negative delta.
    if (delta < 0) LOG.error(`invalid delta ${delta} for metric ${this.name}`);
    else this.value += delta;
  }

  get(): number {
    return this.value;
  }

  collect(): MetricFamily {
    return { name: this.name, help: this.name, type: "counter", samples: [{ name: this.name, labels: [], value: this.value }] };
  }
}

class PrometheusSummary implements Summary {
  private count = 0;
  private sum = 0;
  private readonly quantiles: TimeWindowQuantiles;
  private readonly qs: number[];

  constructor(
    readonly name: string,
    level: DetailLevel,
  ) {
    this.qs = level === "ADVANCED" ? [0.5, 0.9, 0.99] : [0.5];
    this.quantiles = new TimeWindowQuantiles();
  }

  add(value: number): void {
    this.count++;
    this.sum += value;
    this.quantiles.insert(value);
  }

  collect(): MetricFamily {
    const samples = this.qs.map((q) => ({ name: this.name, labels: [["quantile", javaDoubleToString(q)]] as [string, string][], value: this.quantiles.get(q) }));
    samples.push({ name: `${this.name}_count`, labels: [], value: this.count }, { name: `${this.name}_sum`, labels: [], value: this.sum });
    return { name: this.name, help: this.name, type: "summary", samples };
  }
}

class PrometheusContext implements MetricsContext {
  readonly gauges = new Map<string, Gauge>();
  readonly counters = new Map<string, PrometheusCounter>();
  readonly summaries = new Map<string, { level: DetailLevel; summary: PrometheusSummary }>();

  getCounter(name: string): Counter {
    let c = this.counters.get(name);
    if (c === undefined) this.counters.set(name, (c = new PrometheusCounter(name)));
    return c;
  }

  getSummary(name: string, level: DetailLevel): Summary {
    const s = this.summaries.get(name);
    if (s === undefined) {
      const summary = new PrometheusSummary(name, level);
      this.summaries.set(name, { level, summary });
      return summary;
    }
    if (s.level !== level) throw new Error(`Already registered a ${s.level === "BASIC" ? "basic" : "non basic"} summary as ${name}`);
    return s.summary;
  }

  registerGauge(name: string, gauge: Gauge): void {
    this.gauges.set(name, gauge);
  }

  unregisterGauge(name: string): void {
    this.gauges.delete(name);
  }
}

// #region text-format
/** TextFormat.write004: HELP, TYPE, then one line per sample. */
export function writeTextFormat004(families: readonly MetricFamily[]): string {
  let out = "";
  for (const f of families) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const labels = s.labels.length === 0 ? "" : `{${s.labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}",`).join("")}}`;
      out += `${s.name}${labels} ${doubleToGoString(s.value)}\n`;
    }
  }
  return out;
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** Collector.doubleToGoString: Go's spelling of the infinities, Java's of everything else. */
export function doubleToGoString(d: number): string {
  if (d === Number.POSITIVE_INFINITY) return "+Inf";
  if (d === Number.NEGATIVE_INFINITY) return "-Inf";
  return javaDoubleToString(d);
}
// #endregion text-format

export interface PrometheusOptions {
  httpHost?: string;
  httpPort?: number;
  exportJvmInfo?: boolean;
}

export class PrometheusMetricsProvider implements MetricsProvider {
  private readonly root = new PrometheusContext();
  readonly host: string;
  private readonly requestedPort: number;
  private readonly exportProcessInfo: boolean;
  private server: Server | null = null;

  /** `configuration` is `metricsProvider.*` from zoo.cfg without the prefix. */
  constructor(configuration: ReadonlyMap<string, string> = new Map()) {
    this.host = configuration.get("httpHost") ?? "0.0.0.0";
    this.requestedPort = Number.parseInt(configuration.get("httpPort") ?? "7000", 10);
    if (!Number.isInteger(this.requestedPort)) throw new Error(`metricsProvider.httpPort: "${configuration.get("httpPort")}" is not an integer`);
    // Boolean.parseBoolean: "true" in any case is true, anything else false.
    this.exportProcessInfo = (configuration.get("exportJvmInfo") ?? "true").toLowerCase() === "true";
  }

  getRootContext(): MetricsContext {
    return this.root;
  }

  get port(): number {
    return boundPort(this.server, this.requestedPort);
  }

  /** Every family, gauges sampled now. */
  collect(): MetricFamily[] {
    const out: MetricFamily[] = [];
    for (const [name, gauge] of this.root.gauges) {
      const v = gauge();
      out.push({ name, help: name, type: "gauge", samples: [{ name, labels: [], value: v === null ? 0 : Number(v) }] });
    }
    for (const c of this.root.counters.values()) out.push(c.collect());
    for (const { summary } of this.root.summaries.values()) out.push(summary.collect());
    if (this.exportProcessInfo) out.push(...standardExports());
    return out;
  }

  /** What `mntr` prints with this provider: `name{label="v"}` → double. */
  dump(sink: MetricsSink): void {
    for (const f of this.collect()) {
      for (const s of f.samples) {
        const labels = s.labels.length === 0 ? "" : `{${s.labels.map(([k, v]) => `${k}="${v}"`).join(",")}}`;
        sink(s.name + labels, double(s.value));
      }
    }
  }

  resetAllValues(): void {
    // Not supported on Prometheus: its counters only go up.
  }

  // #region metrics-servlet
  async start(): Promise<void> {
    if (this.server !== null) return;
    LOG.info(`Starting /metrics HTTP endpoint at host: ${this.host}, port: ${this.requestedPort}, exportJvmInfo: ${this.exportProcessInfo}`);
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://metrics");
      if (url.pathname !== "/metrics") {
        res.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found\n");
        return;
      }
      // `name[]=x` keeps only families with a sample named x, as MetricsServlet does.
      const wanted = new Set(url.searchParams.getAll("name[]"));
      const families = this.collect().filter((f) => wanted.size === 0 || f.samples.some((s) => wanted.has(s.name)));
      const body = writeTextFormat004(families);
      res.writeHead(200, { "Content-Type": CONTENT_TYPE_004, "Content-Length": Buffer.byteLength(body) });
      res.end(req.method === "HEAD" ? undefined : body);
    });
    try {
      await listenHttp(server, this.requestedPort, this.host);
    } catch (e) {
      throw new Error(`Cannot start /metrics server on ${this.host}:${this.requestedPort}: ${(e as Error).message}`, { cause: e });
    }
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server !== null) await closeHttp(server);
  }
  // #endregion metrics-servlet
}
