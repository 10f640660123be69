/**
 * SnappyOutputStream — writes `snapshot.<zxid>.snappy`, what Apache ZooKeeper writes
 * with `zookeeper.snapshot.compression.method=snappy`.
 *
 * Reimplements the encoding half of `org.xerial.snappy.SnappyOutputStream` (the stream
 * framing) and a Snappy block compressor. Chapter 02. Added knowledge (U): no seed
 * mentions compressed snapshots. The byte grammar is in SnappyInputStream.ts.
 *
 * xerial's stream cuts its input into blocks of 32 KiB and writes each as an int (its
 * compressed length) and one Snappy block. The compressor is the simplest one the format
 * allows to be good: it hashes every 4 bytes, and where the same 4 bytes were seen in
 * the last 64 KiB it emits a copy of the whole match, else the byte joins a literal.
 * Snappy's reference compressor also skips ahead faster through data that does not
 * compress; snapshots compress well (repeated paths, ACL ids, zero-filled stat fields),
 * so we leave that out.
 *
 * Both functions run inside SnapshotWriter's worker, which receives their source text:
 * they may use nothing from outside their own bodies.
 */

/** xerial's header: magic 0x82 "SNAPPY" 0x00, then version 1 and compatible version 1. */
export function snappyStreamHeader(): Uint8Array {
  return new Uint8Array([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
}

// #region snappy-compress
/**
 * One framed block: int compressed length (big-endian), then `src` as a Snappy block
 * (varint length, then literals and copies). `src` must be under 64 KiB, so that every
 * offset fits a 2-byte copy.
 */
export function compressSnappyBlock(src: Uint8Array): Uint8Array {
  const n = src.length;
  // Snappy's bound on a block's size: 32 + n + n/6; plus the 4-byte frame length.
  const out = new Uint8Array(4 + 32 + n + Math.ceil(n / 6));
  let op = 4;
  for (let v = n; ; v >>>= 7) {
    if (v < 0x80) {
      out[op++] = v;
      break;
    }
    out[op++] = (v & 0x7f) | 0x80;
  }
  const literal = (from: number, to: number): void => {
    if (to === from) return;
    const l = to - from - 1; // the length is stored minus one
    if (l < 60) out[op++] = l << 2;
    else if (l < 0x100) {
      out[op++] = 60 << 2;
      out[op++] = l;
    } else {
      out[op++] = 61 << 2; // blocks are under 64 KiB: two bytes always suffice
      out[op++] = l & 0xff;
      out[op++] = l >>> 8;
    }
    out.set(src.subarray(from, to), op);
    op += to - from;
  };
  const copy = (offset: number, length: number): void => {
    // Copies with a 2-byte offset hold 1 to 64 bytes each; a longer match takes several.
    for (; length > 0; length -= 64) {
      const l = length > 64 ? 64 : length;
      out[op++] = ((l - 1) << 2) | 2;
      out[op++] = offset & 0xff;
      out[op++] = offset >>> 8;
    }
  };
  const table = new Int32Array(1 << 14).fill(-1);
  const word = (i: number): number => src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);
  let pending = 0; // start of the literal not yet emitted
  let i = 0;
  while (i + 4 <= n) {
    const w = word(i);
    const h = Math.imul(w, 0x1e35a7bd) >>> 18;
    const candidate = table[h]!;
    table[h] = i;
    if (candidate < 0 || word(candidate) !== w) {
      i++;
      continue;
    }
    let length = 4;
    while (i + length < n && src[candidate + length] === src[i + length]) length++;
    literal(pending, i);
    copy(i - candidate, length);
    i += length;
    pending = i;
  }
  literal(pending, n);
  const size = op - 4;
  out[0] = size >>> 24;
  out[1] = (size >>> 16) & 0xff;
  out[2] = (size >>> 8) & 0xff;
  out[3] = size & 0xff;
  return out.subarray(0, op);
}
// #endregion snappy-compress

/** The block size of xerial's SnappyOutputStream. */
export const SNAPPY_BLOCK_BYTES = 32 * 1024;
