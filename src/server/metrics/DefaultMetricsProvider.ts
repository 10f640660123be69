/**
 * DefaultMetricsProvider — keeps metrics in memory for `mntr` and the admin server's
 * `monitor` command.
 *
 * Reimplements `org.apache.zookeeper.metrics.impl.DefaultMetricsProvider` and its
 * `DefaultMetricsContext`. Chapter 03 (operations). Counters are SimpleCounters, BASIC
 * summaries AvgMinMaxCounters, ADVANCED summaries AvgMinMaxPercentileCounters; a gauge
 * is read when dumped. `dump` prints gauges, then counters, then basic summaries, then
 * advanced ones, each group in the order Java's ConcurrentHashMap iterates it.
 *
 * Differs from Java: the maps are insertion-ordered JavaScript Maps; the Java order is
 * computed (JavaHashOrder.ts over JavaMetricOrder.ts) when dumping. Counter and
 * summary sets (per-namespace metrics) are not kept: nothing here feeds them.
 */
import { AvgMinMaxCounter } from "./AvgMinMaxCounter.js";
import { AvgMinMaxPercentileCounter } from "./AvgMinMaxPercentileCounter.js";
import { concurrentHashMapOrder } from "../../util/JavaHash.js";
import { JAVA_METRIC_ORDER } from "./JavaMetricOrder.js";
import { double, long, type Counter, type DetailLevel, type Gauge, type GaugeKind, type MetricsContext, type MetricsProvider, type MetricsSink, type Summary } from "./MetricsContext.js";
import { SimpleCounter } from "./SimpleCounter.js";

/** A Map that can list its keys in the order Java's ConcurrentHashMap would. */
class JavaOrderedMap<V> extends Map<string, V> {
  private cachedOrder: string[] | null = null;

  constructor(private readonly javaInsertions: readonly string[]) {
    super();
  }

  override set(key: string, value: V): this {
    if (!this.has(key)) this.cachedOrder = null;
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.cachedOrder = null;
    return super.delete(key);
  }

  /** Our entries, ordered as they would iterate in Java after Java's own insertions. */
  javaOrder(): [string, V][] {
    this.cachedOrder ??= concurrentHashMapOrder([...this.javaInsertions, ...this.keys()]).filter((k) => this.has(k));
    return this.cachedOrder.map((k) => [k, this.get(k)!]);
  }
}

// #region default-context
class DefaultMetricsContext implements MetricsContext {
  readonly gauges = new JavaOrderedMap<{ gauge: Gauge; kind: GaugeKind }>(JAVA_METRIC_ORDER.gauges);
  readonly counters = new JavaOrderedMap<SimpleCounter>(JAVA_METRIC_ORDER.counters);
  readonly basicSummaries = new JavaOrderedMap<AvgMinMaxCounter>(JAVA_METRIC_ORDER.basicSummaries);
  readonly summaries = new JavaOrderedMap<AvgMinMaxPercentileCounter>(JAVA_METRIC_ORDER.summaries);

  getCounter(name: string): Counter {
    let c = this.counters.get(name);
    if (c === undefined) this.counters.set(name, (c = new SimpleCounter(name)));
    return c;
  }

  getSummary(name: string, level: DetailLevel): Summary {
    // One name is either basic or advanced, never both (Java throws the same way).
    if (level === "BASIC") {
      if (this.summaries.has(name)) throw new Error(`Already registered a non basic summary as ${name}`);
      let s = this.basicSummaries.get(name);
      if (s === undefined) this.basicSummaries.set(name, (s = new AvgMinMaxCounter(name)));
      return s;
    }
    if (this.basicSummaries.has(name)) throw new Error(`Already registered a basic summary as ${name}`);
    let s = this.summaries.get(name);
    if (s === undefined) this.summaries.set(name, (s = new AvgMinMaxPercentileCounter(name)));
    return s;
  }

  registerGauge(name: string, gauge: Gauge, kind: GaugeKind = "long"): void {
    this.gauges.set(name, { gauge, kind });
  }

  unregisterGauge(name: string): void {
    this.gauges.delete(name);
  }
}
// #endregion default-context

export class DefaultMetricsProvider implements MetricsProvider {
  private readonly root = new DefaultMetricsContext();

  getRootContext(): MetricsContext {
    return this.root;
  }

  // #region default-dump
  dump(sink: MetricsSink): void {
    for (const [name, { gauge, kind }] of this.root.gauges.javaOrder()) {
      const v = gauge();
      if (v !== null) sink(name, kind === "double" ? double(Number(v)) : long(v));
    }
    for (const [, c] of this.root.counters.javaOrder()) c.values(sink);
    for (const [, s] of this.root.basicSummaries.javaOrder()) s.values(sink);
    for (const [, s] of this.root.summaries.javaOrder()) s.values(sink);
  }
  // #endregion default-dump

  resetAllValues(): void {
    for (const c of this.root.counters.values()) c.reset();
    for (const s of this.root.basicSummaries.values()) s.reset();
    for (const s of this.root.summaries.values()) s.reset();
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.root.gauges.clear();
  }
}
