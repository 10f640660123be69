/**
 * SnappyInputStream — reads `snapshot.<zxid>.snappy`, the format Apache ZooKeeper
 * writes with `zookeeper.snapshot.compression.method=snappy`.
 *
 * Reimplements the decoding half of `org.xerial.snappy.SnappyInputStream` (the stream
 * framing) and of Snappy itself (the block format). Chapter 02. Added knowledge (U):
 * no seed mentions compressed snapshots.
 *
 * Byte grammar (xerial framing; ints big-endian):
 *
 *     stream  = magic version compatibleVersion block*
 *     magic   = 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *     version = int 1,  compatibleVersion = int 1
 *     block   = int compressedLength, then that many bytes of one Snappy block
 *
 *     Snappy block = varint uncompressedLength, element*
 *     element  = tag byte; its low 2 bits say what follows:
 *       0 literal  length-1 in the tag's high 6 bits, or (60..63) in the next 1–4
 *                  bytes, little-endian; then the literal bytes
 *       1 copy     length 4 + 3 bits of tag, offset 3 bits of tag << 8 | next byte
 *       2 copy     length 1 + tag's high 6 bits, offset in the next 2 bytes (LE)
 *       3 copy     length 1 + tag's high 6 bits, offset in the next 4 bytes (LE)
 *     A copy repeats `length` bytes from `offset` back; it may overlap itself.
 *
 * Differs from Java: the whole file is decoded in memory. The encoding half is
 * SnappyOutputStream.ts.
 */

export const SNAPPY_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const HEADER_BYTES = 16;

export class SnappyFormatError extends Error {
  override name = "SnappyFormatError";
}

/** Decodes a whole xerial Snappy stream. */
export function decodeSnappyStream(bytes: Buffer): Buffer {
  return Buffer.concat([...snappyStreamBlocks(bytes)]);
}

/**
 * The decoded blocks of a xerial Snappy stream, one at a time, so that a caller on the
 * event loop can let other work run between them (a restore with the port open).
 */
export function* snappyStreamBlocks(bytes: Buffer): Generator<Buffer, void, void> {
  if (bytes.length < HEADER_BYTES || !bytes.subarray(0, SNAPPY_MAGIC.length).equals(SNAPPY_MAGIC)) {
    throw new SnappyFormatError("not a Snappy stream: bad magic header");
  }
  let pos = HEADER_BYTES;
  while (pos < bytes.length) {
    if (pos + 4 > bytes.length) throw new SnappyFormatError(`truncated block length at offset ${pos}`);
    const length = bytes.readInt32BE(pos);
    pos += 4;
    if (length < 0 || pos + length > bytes.length) throw new SnappyFormatError(`block of ${length} bytes at offset ${pos - 4} runs past the end`);
    yield decodeSnappyBlock(bytes.subarray(pos, pos + length), pos);
    pos += length;
  }
}

/** Decodes one raw Snappy block; `base` is its file offset, for error messages. */
export function decodeSnappyBlock(src: Buffer, base = 0): Buffer {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SnappyFormatError(`${what} at offset ${base + pos}`);
  };
  let total = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= src.length || shift > 28) fail("bad uncompressed length");
    const b = src[pos++]!;
    total += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  const out = Buffer.allocUnsafe(total);
  let o = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    let length: number;
    let offset = 0;
    switch (tag & 3) {
      case 0: {
        length = tag >>> 2;
        if (length >= 60) {
          const n = length - 59;
          if (pos + n > src.length) fail("truncated literal length");
          length = src.readUIntLE(pos, n);
          pos += n;
        }
        length += 1;
        if (pos + length > src.length || o + length > total) fail("literal runs past the end");
        src.copy(out, o, pos, pos + length);
        pos += length;
        o += length;
        continue;
      }
      case 1:
        if (pos >= src.length) fail("truncated copy");
        length = 4 + ((tag >>> 2) & 7);
        offset = ((tag >>> 5) << 8) | src[pos++]!;
        break;
      case 2:
        if (pos + 2 > src.length) fail("truncated copy");
        length = 1 + (tag >>> 2);
        offset = src.readUInt16LE(pos);
        pos += 2;
        break;
      default:
        if (pos + 4 > src.length) fail("truncated copy");
        length = 1 + (tag >>> 2);
        offset = src.readUInt32LE(pos);
        pos += 4;
    }
    if (offset === 0 || offset > o || o + length > total) fail(`bad copy (offset ${offset}, length ${length})`);
    // Byte by byte: a copy may overlap the bytes it is producing (run-length style).
    for (let i = 0; i < length; i++, o++) out[o] = out[o - offset]!;
  }
  if (o !== total) fail(`block decodes to ${o} bytes, header says ${total}`);
  return out;
}
