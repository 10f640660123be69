/**
 * ServerStats — request counters and latencies reported by `stat`, `srvr` and `mntr`.
 *
 * Reimplements `org.apache.zookeeper.server.ServerStats`. Chapter 03 (operations).
 * Latencies are whole milliseconds, as Java reports them. Packets are counted where
 * they cross the socket (ServerCnxn): every frame read, the connect request and pings
 * and four-letter words included, and every frame written, notifications included.
 *
 * Differs from Java: the ServerMetrics it feeds belong to this server (`metrics`), not
 * to the JVM; the startup code swaps them for Prometheus-backed ones before the server
 * starts when zoo.cfg asks for that.
 */
import { AvgMinMaxCounter } from "./metrics/AvgMinMaxCounter.js";
import { BufferStats } from "./metrics/BufferStats.js";
import { ServerMetrics } from "./metrics/ServerMetrics.js";

export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  fsyncThresholdExceedCount = 0;
  authFailedCount = 0;
  metrics = new ServerMetrics();
  readonly requestLatency = new AvgMinMaxCounter("request_latency");
  readonly clientResponseStats = new BufferStats();
  /** For `zk_uptime`: when this server object was made, as Java's ServerStats notes it. */
  private readonly startTime = performance.now();

  /** A request left FinalRequestProcessor: its latency, split into reads and writes. */
  updateLatency(requestCreateTime: number, now: number, isWrite = false): void {
    const latency = Math.round(now - requestCreateTime);
    if (latency < 0) return;
    this.requestLatency.add(latency);
    (isWrite ? this.metrics.UPDATE_LATENCY : this.metrics.READ_LATENCY).add(latency);
  }

  incrementPacketsReceived(): void {
    this.packetsReceived++;
  }

  incrementPacketsSent(): void {
    this.packetsSent++;
  }

  incrementAuthFailedCount(): void {
    this.authFailedCount++;
  }

  updateClientResponseSize(size: number): void {
    this.clientResponseStats.setLastBufferSize(size);
  }

  /** FsyncStats, for FileTxnLog. */
  incrementFsyncThresholdExceedCount(): void {
    this.fsyncThresholdExceedCount++;
  }

  /** Hook for FileTxnLog: one fsync of the txn log took `ms` (zk_*_fsynctime). */
  addFsyncTime(ms: number): void {
    this.metrics.FSYNC_TIME.add(ms);
  }

  get avgLatency(): number {
    return this.requestLatency.getAvg();
  }

  get minLatency(): number {
    return this.requestLatency.getMin();
  }

  get maxLatency(): number {
    return this.requestLatency.getMax();
  }

  get uptime(): number {
    return Math.floor(performance.now() - this.startTime);
  }

  /** `srst`: latencies, packet counts, response sizes and every metric back to zero. */
  reset(): void {
    this.requestLatency.reset();
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.clientResponseStats.reset();
    this.metrics.resetAll();
  }
}
