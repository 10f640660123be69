/**
 * BufferStats — last, smallest and largest size of something, -1 until the first one.
 *
 * Reimplements `org.apache.zookeeper.server.quorum.BufferStats`. Chapter 03
 * (operations). ServerStats keeps one for the size of every reply sent to a client
 * (`zk_last_client_response_size`, `..._min_...`, `..._max_...`).
 */
export class BufferStats {
  static readonly INIT_VALUE = -1;
  lastBufferSize = BufferStats.INIT_VALUE;
  minBufferSize = BufferStats.INIT_VALUE;
  maxBufferSize = BufferStats.INIT_VALUE;

  setLastBufferSize(value: number): void {
    this.lastBufferSize = value;
    if (this.minBufferSize === BufferStats.INIT_VALUE || value < this.minBufferSize) this.minBufferSize = value;
    if (value > this.maxBufferSize) this.maxBufferSize = value;
  }

  reset(): void {
    this.lastBufferSize = BufferStats.INIT_VALUE;
    this.minBufferSize = BufferStats.INIT_VALUE;
    this.maxBufferSize = BufferStats.INIT_VALUE;
  }

  toString(): string {
    return `${this.lastBufferSize}/${this.minBufferSize}/${this.maxBufferSize}`;
  }
}
