/**
 * SimpleCounter — a named count that only goes up (until `srst` resets it).
 *
 * Reimplements `org.apache.zookeeper.server.metric.SimpleCounter`. Chapter 03
 * (operations). Its one value is printed under its own name: `zk_bytes_received_count`.
 */
import { long, type Counter, type MetricsSink } from "./MetricsContext.js";

export class SimpleCounter implements Counter {
  private counter = 0;

  constructor(readonly name: string) {}

  add(delta: number): void {
    this.counter += delta;
  }

  get(): number {
    return this.counter;
  }

  reset(): void {
    this.counter = 0;
  }

  values(sink: MetricsSink): void {
    sink(this.name, long(this.counter));
  }
}
