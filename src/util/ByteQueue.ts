/**
 * ByteQueue — bytes received from a socket, kept as the chunks they arrived in until a
 * whole frame can be taken off the front. Both ends of the client protocol read
 * `int length, body` frames from a stream that splits and joins them arbitrarily.
 *
 * Nothing is allocated for a frame until all of its bytes are here: a length prefix is a
 * claim the caller checks first, and a lying one then only means waiting, never a huge
 * allocation.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private total = 0;

  /** Bytes queued. */
  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The big-endian int at the front, not consumed; the caller checks `length >= 4` first. */
  peekInt(): number {
    const first = this.chunks[0]!;
    return first.length >= 4 ? first.readInt32BE(0) : this.copyFront(4).readInt32BE(0);
  }

  /** Takes `n` bytes off the front (`n <= length`): a view when one chunk holds them all. */
  take(n: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.total -= n;
      return first.subarray(0, n);
    }
    const out = this.copyFront(n);
    let left = n;
    while (left > 0) {
      const c = this.chunks[0]!;
      if (c.length <= left) {
        this.chunks.shift();
        left -= c.length;
      } else {
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    this.total -= n;
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.total = 0;
  }

  /** A copy of the first `n` bytes, across chunks, without consuming them. */
  private copyFront(n: number): Buffer {
    if (n > this.total) throw new RangeError(`only ${this.total} bytes queued, ${n} asked`);
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    for (const c of this.chunks) {
      if (off === n) break;
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
    }
    return out;
  }
}
