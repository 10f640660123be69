/**
 * TimeWindowQuantiles — quantiles over the last ten minutes, for Prometheus summaries.
 *
 * Reimplements the windowing of the Prometheus Java client's `TimeWindowQuantiles` (as
 * ZooKeeper's PrometheusMetricsProvider configures it: a 10-minute window in 5 buckets).
 * Chapter 03 (operations). Every value goes into all five buckets; every two minutes the
 * oldest bucket is emptied and becomes the newest; a query reads the oldest, which holds
 * between eight and ten minutes of values.
 *
 * Differs from Java: each bucket is a uniform sample of up to 4096 values with exact
 * quantiles over the sample (nearest rank), where the Java client uses the CKMS
 * streaming algorithm with per-quantile error bounds. Both answer with a value that
 * was observed; ours is exact until a bucket has seen more than 4096 values.
 */
import { UniformReservoir } from "./AvgMinMaxPercentileCounter.js";

const MAX_AGE_MS = 10 * 60 * 1000;
const AGE_BUCKETS = 5;

export class TimeWindowQuantiles {
  private readonly ring: UniformReservoir[] = Array.from({ length: AGE_BUCKETS }, () => new UniformReservoir());
  private current = 0;
  private lastRotate: number;
  private readonly rotateEveryMs = MAX_AGE_MS / AGE_BUCKETS;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.lastRotate = now();
  }

  insert(value: number): void {
    this.rotate();
    for (const r of this.ring) r.update(value);
  }

  /** The q-quantile of the window, or NaN when it is empty (as Prometheus reports it). */
  get(q: number): number {
    this.rotate();
    const sorted = this.ring[this.current]!.sorted();
    if (sorted.length === 0) return Number.NaN;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  }

  private rotate(): void {
    let since = this.now() - this.lastRotate;
    while (since > this.rotateEveryMs) {
      this.ring[this.current]!.reset();
      this.current = (this.current + 1) % AGE_BUCKETS;
      this.lastRotate += this.rotateEveryMs;
      since -= this.rotateEveryMs;
    }
  }
}
