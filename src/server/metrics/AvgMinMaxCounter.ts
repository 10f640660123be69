/**
 * AvgMinMaxCounter — a BASIC summary: average, minimum, maximum, count and sum.
 *
 * Reimplements `org.apache.zookeeper.server.metric.AvgMinMaxCounter`. Chapter 03
 * (operations). Printed as five keys, `avg_<name>`, `min_<name>`, `max_<name>`,
 * `cnt_<name>`, `sum_<name>`; an empty summary prints zeros. The average is rounded
 * half-up to four decimals (Java's `BigDecimal.setScale(4, HALF_UP)`), which is why
 * `mntr` shows `zk_avg_latency 19.5714`.
 */
import { double, long, type MetricsSink, type Summary } from "./MetricsContext.js";

export class AvgMinMaxCounter implements Summary {
  private total = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private count = 0;

  constructor(readonly name: string) {}

  add(value: number): void {
    this.total += value;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  getAvg(): number {
    return this.count > 0 ? roundHalfUp4(this.total / this.count) : 0;
  }

  getCount(): number {
    return this.count;
  }

  getMin(): number {
    return this.min === Number.POSITIVE_INFINITY ? 0 : this.min;
  }

  getMax(): number {
    return this.max === Number.NEGATIVE_INFINITY ? 0 : this.max;
  }

  getTotal(): number {
    return this.total;
  }

  /** Java's resetMax sets max to the current min, not to "empty"; kept as is. */
  resetMax(): void {
    this.max = this.getMin();
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }

  values(sink: MetricsSink): void {
    sink(`avg_${this.name}`, double(this.getAvg()));
    sink(`min_${this.name}`, long(this.getMin()));
    sink(`max_${this.name}`, long(this.getMax()));
    sink(`cnt_${this.name}`, long(this.count));
    sink(`sum_${this.name}`, long(this.total));
  }
}

// #region round-half-up
/**
 * `new BigDecimal(x).setScale(4, HALF_UP).doubleValue()`: rounds the exact binary value
 * of `x`, not its decimal rendering, so we take the double apart into m·2^e and do the
 * rounding in integers. `Math.round(x * 1e4) / 1e4` would differ whenever x·10⁴ itself
 * rounds across a .5 boundary.
 */
export function roundHalfUp4(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biasedExp = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const m = biasedExp === 0 ? fraction : fraction | (1n << 52n);
  const e = biasedExp === 0 ? -1074 : biasedExp - 1075;
  let q: bigint;
  if (e >= 0) q = (m << BigInt(e)) * 10000n;
  else {
    const d = 1n << BigInt(-e);
    q = (m * 10000n * 2n + d) / (2n * d); // floor(v·10⁴ + ½): half-up for v > 0
  }
  return (Math.sign(x) * Number(q)) / 10000;
}
// #endregion round-half-up
