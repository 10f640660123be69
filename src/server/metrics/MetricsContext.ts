/**
 * MetricsContext — what server code sees of a metrics system: counters, summaries and
 * gauges, created by name.
 *
 * Reimplements the interfaces of `org.apache.zookeeper.metrics` (`MetricsContext`,
 * `Counter`, `Summary`, `Gauge`, `MetricsProvider`, `DetailLevel`). Chapter 03
 * (operations). As in Java, a provider (DefaultMetricsProvider for `mntr`, or
 * PrometheusMetricsProvider) decides how a metric is kept; the code that feeds a metric
 * only calls `add`.
 *
 * Differs from Java: a gauge may return a bigint (a zxid) as well as a number, since
 * 64-bit values never pass through a `number` here; and providers expose their samples
 * as `(key, value)` pairs through `dump`, exactly what `mntr` prints.
 */

export interface Counter {
  add(delta: number): void;
  get(): number;
}

/** A distribution: Java's Summary. Values are whole milliseconds, bytes or counts. */
export interface Summary {
  add(value: number): void;
}

/** A value read when metrics are dumped. `null` means "no value now" and is skipped. */
export type Gauge = () => number | bigint | null;

/** What Java type the gauge's Number has: it decides whether `mntr` prints `0` or `0.0`. */
export type GaugeKind = "long" | "double";

/** BASIC summaries keep avg/min/max/count/sum; ADVANCED ones add percentiles. */
export type DetailLevel = "BASIC" | "ADVANCED";

/** A metric value as Java hands it to `mntr`: a long (integer), a double, or a string. */
export type MetricValue = { kind: "long"; value: number | bigint } | { kind: "double"; value: number } | { kind: "string"; value: string };

export type MetricsSink = (key: string, value: MetricValue) => void;

export interface MetricsContext {
  getCounter(name: string): Counter;
  getSummary(name: string, level: DetailLevel): Summary;
  registerGauge(name: string, gauge: Gauge, kind?: GaugeKind): void;
  unregisterGauge(name: string): void;
}

export interface MetricsProvider {
  getRootContext(): MetricsContext;
  /** Every current value, in the provider's order, as `mntr` prints them. */
  dump(sink: MetricsSink): void;
  /** `srst`: counters and summaries back to zero (gauges are live values). */
  resetAllValues(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const long = (value: number | bigint): MetricValue => ({ kind: "long", value });
export const double = (value: number): MetricValue => ({ kind: "double", value });
