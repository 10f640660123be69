/**
 * Adler32 — the checksum of every txn log entry and of every snapshot's seal.
 *
 * Reimplements `java.util.zip.Adler32` (RFC 1950, section 8.2), which `FileTxnLog`,
 * `FileSnap` and `SnapStream` use through `Checksum.getValue()`. Chapter 02; the seed
 * shows the snapshot check in [001 L2500–2520].
 *
 *     a = 1 + sum of the bytes                        (mod 65521)
 *     b = sum of the successive values of a           (mod 65521)
 *     adler32 = b << 16 | a                           (an unsigned 32-bit value)
 *
 * Java writes the value as a long, so on disk it is 4 zero bytes and then the 32-bit
 * checksum, big-endian.
 *
 * Differs from Java: Node has no Adler-32 of its own (zlib computes one only inside a
 * deflate stream), so it is written here. The sums are reduced once per 5552 bytes,
 * the largest run for which `b` cannot pass 2^53 (in fact not even 2^32), instead
 * of once per byte; that is what makes it fast.
 */

/** The checksum of no bytes; pass a previous result as `start` to continue it. */
export const ADLER32_INIT = 1;

// #region adler32
/**
 * The Adler-32 of `bytes`, continuing from `start` (a previous result). Self-contained
 * on purpose: the snapshot writer's worker runs it from its source text.
 */
export function adler32(bytes: Uint8Array, start = 1): number {
  const BASE = 65521;
  /** Largest n with 255·n·(n+1)/2 + (n+1)·(BASE−1) < 2^32, as in zlib. */
  const NMAX = 5552;
  let a = start & 0xffff;
  let b = (start >>> 16) & 0xffff;
  let i = 0;
  const len = bytes.length;
  while (i < len) {
    const end = Math.min(i + NMAX, len);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= BASE;
    b %= BASE;
  }
  return ((b << 16) | a) >>> 0;
}
// #endregion adler32

/** A running checksum, for data that arrives in pieces (Java's Checksum object). */
export class Adler32 {
  private value = ADLER32_INIT;

  update(bytes: Uint8Array): void {
    this.value = adler32(bytes, this.value);
  }

  /** The checksum so far, as Java's `getValue()`: unsigned, below 2^32. */
  getValue(): number {
    return this.value;
  }

  reset(): void {
    this.value = ADLER32_INIT;
  }
}
