/**
 * AvgMinMaxPercentileCounter — an ADVANCED summary: AvgMinMaxCounter plus the 50th,
 * 95th, 99th and 99.9th percentiles.
 *
 * Reimplements `org.apache.zookeeper.server.metric.AvgMinMaxPercentileCounter` with its
 * `ResettableUniformReservoir` and the Dropwizard `UniformSnapshot` quantile it reads.
 * Chapter 03 (operations). The reservoir keeps a uniform random sample of at most 4096
 * values (Vitter's algorithm R): the first 4096 are kept, after that the n-th value
 * replaces a random slot with probability 4096/n. Percentiles are read off the sorted
 * sample, interpolating between neighbours, and rounded to a whole number.
 *
 * Differs from Java: `Math.random` instead of ThreadLocalRandom; nothing else.
 */
import { AvgMinMaxCounter } from "./AvgMinMaxCounter.js";
import { long, type MetricsSink, type Summary } from "./MetricsContext.js";

const RESERVOIR_SIZE = 4096;

/** A uniform sample of everything added since the last reset. */
export class UniformReservoir {
  private count = 0;
  private values: number[] = [];

  constructor(private readonly size = RESERVOIR_SIZE) {}

  update(value: number): void {
    this.count++;
    if (this.count <= this.size) this.values.push(value);
    else {
      const r = Math.floor(Math.random() * this.count);
      if (r < this.size) this.values[r] = value;
    }
  }

  reset(): void {
    this.count = 0;
    this.values = [];
  }

  sorted(): number[] {
    return [...this.values].sort((a, b) => a - b);
  }
}

// #region quantile
/** Dropwizard UniformSnapshot.getValue: position q·(n+1) in the sorted sample, interpolated. */
export function snapshotQuantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = q * (n + 1);
  if (pos < 1) return sorted[0]!;
  if (pos >= n) return sorted[n - 1]!;
  const lower = sorted[Math.floor(pos) - 1]!;
  const upper = sorted[Math.floor(pos)]!;
  return lower + (pos - Math.floor(pos)) * (upper - lower);
}
// #endregion quantile

export class AvgMinMaxPercentileCounter implements Summary {
  private readonly counter: AvgMinMaxCounter;
  private readonly reservoir = new UniformReservoir();

  constructor(readonly name: string) {
    this.counter = new AvgMinMaxCounter(name);
  }

  add(value: number): void {
    this.counter.add(value);
    this.reservoir.update(value);
  }

  resetMax(): void {
    this.counter.resetMax();
  }

  reset(): void {
    this.counter.reset();
    this.reservoir.reset();
  }

  values(sink: MetricsSink): void {
    this.counter.values(sink);
    const sorted = this.reservoir.sorted();
    // Java's Math.round: half up, also for the interpolated values.
    const pct = (q: number) => long(Math.floor(snapshotQuantile(sorted, q) + 0.5));
    sink(`p50_${this.name}`, pct(0.5));
    sink(`p95_${this.name}`, pct(0.95));
    sink(`p99_${this.name}`, pct(0.99));
    sink(`p999_${this.name}`, pct(0.999));
  }
}
