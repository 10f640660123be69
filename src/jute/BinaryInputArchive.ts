/**
 * BinaryInputArchive — the reading half of jute's binary encoding.
 *
 * Reimplements `org.apache.jute.BinaryInputArchive` (zookeeper-jute).
 * Chapter 02; the byte grammar is in BinaryOutputArchive.ts.
 *
 * A decoder that faces the network must never trust a length. Java checks string and
 * buffer lengths against `jute.maxbuffer` plus an allowance
 * (`zookeeper.jute.maxbuffer.extrasize`, at least 1024) and otherwise relies on
 * `readFully` hitting end of stream. Here every read is checked against the bytes
 * actually present, so a lying length is an error before any allocation:
 *
 * - a string or buffer length below -1, or above `maxBuffer + extraMaxBuffer`;
 * - a length or vector count that runs past the end of the input;
 * - any fixed-size read past the end of the input.
 *
 * All of these throw `JuteError`, which callers turn into "close this one connection"
 * (client protocol), "this snapshot is bad, try the previous one" (snapshots) or
 * "the log ends here" (a torn log tail).
 */

/** Default of the `jute.maxbuffer` system property: 0xfffff bytes (1 MiB - 1). */
export const DEFAULT_MAX_BUFFER = 0xfffff;

/** An input that does not follow the jute grammar, or breaks its limits. */
export class JuteError extends Error {
  override name = "JuteError";
}

export interface InputLimits {
  /** `jute.maxbuffer`: the largest string or buffer expected. */
  maxBuffer?: number;
  /** `zookeeper.jute.maxbuffer.extrasize`: slack on top of maxBuffer (never below 1024). */
  extraMaxBuffer?: number;
}

export class BinaryInputArchive {
  private pos: number;
  private readonly end: number;
  private readonly maxLength: number;
  /** Fixed-width reads go through a DataView: machine code, unlike Buffer.readBigInt64BE. */
  private readonly dv: DataView;

  constructor(
    private readonly buf: Buffer,
    limits: InputLimits = {},
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const maxBuffer = limits.maxBuffer ?? DEFAULT_MAX_BUFFER;
    const extra = Math.max(1024, limits.extraMaxBuffer ?? maxBuffer);
    this.maxLength = maxBuffer + extra;
  }

  /** Offset of the next byte to read. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left before the end of the input. */
  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) {
      throw new JuteError(`truncated input: ${what} needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`);
    }
  }

  readByte(): number {
    this.need(1, "byte");
    return this.dv.getInt8(this.pos++);
  }

  readBool(): boolean {
    this.need(1, "bool");
    // Java's DataInput.readBoolean treats any non-zero byte as true.
    return this.buf[this.pos++] !== 0;
  }

  readInt(): number {
    this.need(4, "int");
    const v = this.dv.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  /** The next int, without consuming it. */
  peekInt(): number {
    this.need(4, "int");
    return this.dv.getInt32(this.pos);
  }

  readLong(): bigint {
    this.need(8, "long");
    const v = this.dv.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  // #region read-length
  private readLength(what: string): number {
    const len = this.readInt();
    if (len === -1) return -1;
    if (len < 0 || len > this.maxLength) {
      throw new JuteError(`Unreasonable length = ${len} for ${what}`);
    }
    this.need(len, what);
    return len;
  }

  readString(): string | null {
    const len = this.readLength("ustring");
    if (len === -1) return null;
    const s = this.buf.toString("utf8", this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  // #endregion read-length

  /** A copy of the buffer's bytes: callers keep znode data long after the frame is gone. */
  readBuffer(): Buffer | null {
    const len = this.readLength("buffer");
    if (len === -1) return null;
    const b = Buffer.allocUnsafe(len);
    this.buf.copy(b, 0, this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  /**
   * Reads a vector's element count. -1 is a null vector. Every element takes at least
   * one byte, so a count larger than the bytes left is a lie and rejected before the
   * caller allocates anything for it.
   */
  readVectorCount(): number {
    const count = this.readInt();
    if (count === -1) return -1;
    if (count < 0 || count > this.end - this.pos) {
      throw new JuteError(`Unreasonable vector count = ${count} with ${this.end - this.pos} bytes left`);
    }
    return count;
  }

  /** Moves back to an offset read earlier (to retry a record in an older layout). */
  seek(offset: number): void {
    if (offset < 0 || offset > this.end) throw new JuteError(`seek to ${offset} outside the input`);
    this.pos = offset;
  }

  /** Advances past `n` bytes without decoding them. */
  skip(n: number): void {
    this.need(n, "skip");
    this.pos += n;
  }

  /** The raw bytes from the current offset to the end, without copying. */
  rest(): Buffer {
    return this.buf.subarray(this.pos, this.end);
  }
}
