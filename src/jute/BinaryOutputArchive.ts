/**
 * BinaryOutputArchive — the writing half of jute's binary encoding.
 *
 * Reimplements `org.apache.jute.BinaryOutputArchive` (zookeeper-jute).
 * Chapter 02 (serialization and persistence); the handout lists the OutputArchive
 * methods in [001 L628–778] but never gives the byte layout, which is added knowledge (U).
 *
 * Byte grammar (everything big-endian, tags are not written at all):
 *
 *     byte    = 1 byte
 *     bool    = 1 byte, 0 or 1
 *     int     = 4 bytes, two's complement
 *     long    = 8 bytes, two's complement
 *     ustring = int length, then that many UTF-8 bytes; length -1 means null
 *     buffer  = int length, then that many bytes; length -1 means null
 *     vector  = int count, then count elements; count -1 means null
 *     record  = its fields in declaration order, nothing before or after
 *
 * Differs from Java: Java writes through a DataOutputStream onto any stream. Here the
 * archive owns one growable Buffer, because every caller (a reply frame, a log entry,
 * a quorum packet) wants the bytes in one piece anyway and can then hand a single
 * Buffer to `socket.write` or `fs.write`. The archive can be `reset()` and reused,
 * which keeps the reply path from allocating a fresh buffer per request.
 */

const INITIAL_CAPACITY = 256;
/** Strings up to this many UTF-16 units try writeString's ASCII loop first. */
const SHORT_STRING = 64;

export class BinaryOutputArchive {
  private buf: Buffer;
  /**
   * A DataView on the same memory for the fixed-width fields: V8 compiles
   * DataView.setInt32/setBigInt64 to machine code, while Buffer.writeBigInt64BE is
   * JavaScript doing BigInt arithmetic (about 5x slower; a Stat has six longs).
   */
  private dv: DataView;
  private pos = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /**
   * Forgets what was written, keeping the allocated memory for the next use — up to
   * `maxKeep` bytes: a buffer grown larger by one big record is replaced by a small one.
   */
  reset(maxKeep = Infinity): void {
    this.pos = 0;
    if (this.buf.length > maxKeep) {
      this.buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
      this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
  }

  /**
   * A copy of the bytes written so far. A copy, not a view, because the archive's
   * memory is reused after `reset()` while the caller may still hold the result.
   */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /**
   * A view of the bytes written so far, valid only until the next write or reset.
   * For callers that consume the bytes at once (checksums, synchronous writes).
   */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < need) capacity *= 2;
    const bigger = Buffer.allocUnsafe(capacity);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
    this.dv = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }

  writeByte(v: number): void {
    this.ensure(1);
    this.dv.setInt8(this.pos, v);
    this.pos += 1;
  }

  writeBool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos] = v ? 1 : 0;
    this.pos += 1;
  }

  writeInt(v: number): void {
    this.ensure(4);
    this.dv.setInt32(this.pos, v);
    this.pos += 4;
  }

  writeLong(v: bigint): void {
    this.ensure(8);
    this.dv.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  // #region write-length-prefixed
  writeString(s: string | null): void {
    if (s === null) {
      this.writeInt(-1);
      return;
    }
    // Strings are almost always short paths: reserve the worst case (3 bytes per
    // UTF-16 unit) and write once, instead of measuring with byteLength first.
    this.ensure(4 + s.length * 3);
    const n = copyShortAscii(this.buf, s, this.pos + 4) ?? this.buf.write(s, this.pos + 4, "utf8");
    this.dv.setInt32(this.pos, n);
    this.pos += 4 + n;
  }

  writeBuffer(b: Uint8Array | null): void {
    if (b === null) {
      this.writeInt(-1);
      return;
    }
    this.ensure(4 + b.length);
    this.dv.setInt32(this.pos, b.length);
    this.buf.set(b, this.pos + 4);
    this.pos += 4 + b.length;
  }
  // #endregion write-length-prefixed

  /** Raw bytes with no length prefix (used for frame bodies already encoded). */
  writeRaw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Overwrites an int at an earlier offset: used to fill in a frame length afterwards. */
  patchInt(offset: number, v: number): void {
    this.dv.setInt32(offset, v);
  }
}

/**
 * Copies `s` into `buf` at `at` when it is short and all ASCII (so its UTF-8 bytes are
 * its char codes), returning its length; else null, and the caller encodes it. For a
 * path this loop costs less than the call into C++ that Buffer.write makes.
 */
export function copyShortAscii(buf: Uint8Array, s: string, at: number): number | null {
  const len = s.length;
  if (len > SHORT_STRING) return null;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return null;
    buf[at + i] = c;
  }
  return len;
}
