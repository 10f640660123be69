/**
 * ServerStats — request counters and latencies reported by `stat`, `srvr` and `mntr`.
 *
 * Reimplements `org.apache.zookeeper.server.ServerStats`. Chapter 03 (operations).
 * Latencies are in milliseconds, as Java reports them.
 */
export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  count = 0;
  fsyncThresholdExceedCount = 0;

  updateLatency(requestCreateTime: number, now: number): void {
    const latency = Math.max(0, Math.round(now - requestCreateTime));
    this.totalLatency += latency;
    this.count++;
    if (latency < this.minLatency) this.minLatency = latency;
    if (latency > this.maxLatency) this.maxLatency = latency;
    this.packetsSent++;
  }

  packetReceived(): void {
    this.packetsReceived++;
  }

  get avgLatency(): number {
    return this.count === 0 ? 0 : this.totalLatency / this.count;
  }

  get minLatencyOrZero(): number {
    return this.count === 0 ? 0 : this.minLatency;
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.minLatency = Number.MAX_SAFE_INTEGER;
    this.maxLatency = 0;
    this.totalLatency = 0;
    this.count = 0;
    this.fsyncThresholdExceedCount = 0;
  }
}
