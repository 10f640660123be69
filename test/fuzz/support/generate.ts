/**
 * Inputs for the fuzzers: valid encodings of any jute record, and the ways bytes go bad
 * (truncation, bit flips, lying lengths, garbage).
 *
 * Valid values come from the record's own `read`, pointed at an archive that makes its
 * answers up: a record's reader asks for exactly the fields it has, in order, so every
 * record, nested records and vectors included, gets a random value of the right shape
 * without a generator per record. Encoding that value gives valid bytes to start from.
 */
import { BinaryInputArchive, JuteError } from "../../../src/jute/BinaryInputArchive.js";
import type { Codec } from "../../../src/jute/Record.js";
import type { SeededRandom } from "../../support/random.js";

const ALPHABET = ["/", "a", "b", "z", "0", "9", "-", "_", ".", " ", ":", "é", "路", "\u{1F600}"];

/** Answers a record's reads with random values; it reads no bytes. */
class RandomArchive {
  private peeked: number | null = null;

  constructor(private readonly r: SeededRandom) {}

  readByte(): number {
    return this.r.int(256) - 128;
  }

  readBool(): boolean {
    return this.r.chance(0.5);
  }

  readInt(): number {
    if (this.peeked !== null) return this.take();
    const r = this.r;
    return r.pick([0, 1, -1, 2, r.int(100), r.int(0x80000000), -r.int(0x80000000)]);
  }

  /** `nullable(vector)` peeks at the count; the next read must agree with the peek. */
  peekInt(): number {
    this.peeked = this.r.chance(0.2) ? -1 : this.r.int(4);
    return this.peeked;
  }

  skip(_n: number): void {
    this.peeked = null;
  }

  readLong(): bigint {
    const r = this.r;
    const big = (BigInt(r.int(0x100000000)) << 32n) | BigInt(r.int(0x100000000));
    return r.pick([0n, 1n, -1n, BigInt(r.int(1000)), BigInt.asIntN(64, big)]);
  }

  readString(): string | null {
    if (this.r.chance(0.05)) return null;
    const n = this.r.int(12);
    let s = "";
    for (let i = 0; i < n; i++) s += this.r.pick(ALPHABET);
    return s;
  }

  readBuffer(): Buffer | null {
    if (this.r.chance(0.1)) return null;
    return this.r.bytes(this.r.int(24));
  }

  readVectorCount(): number {
    if (this.peeked !== null) return this.take();
    return this.r.int(4);
  }

  get offset(): number {
    return 0;
  }

  get remaining(): number {
    return 1 << 20;
  }

  private take(): number {
    const v = this.peeked!;
    this.peeked = null;
    return v;
  }
}

/**
 * A random valid value of a codec's type. A null where the codec does not allow one
 * makes its reader throw JuteError; then another value is drawn.
 */
export function randomValue<T>(codec: Codec<T>, r: SeededRandom): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return codec.read(new RandomArchive(r) as unknown as BinaryInputArchive);
    } catch (e) {
      if (!(e instanceof JuteError) || attempt > 100) throw e;
    }
  }
}

/** Int values that break decoders that trust a length or a count. */
export const LYING_LENGTHS = [0x7fffffff, 0x7ffffff0, 0x40000000, 0x100000, 0xfffff + 1025, -2, -0x80000000, 65536];

export type Mutation = (bytes: Buffer, r: SeededRandom) => Buffer;

/** Every way the fuzzers damage a valid input, by name (the name goes in failure messages). */
export const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, r) => b.subarray(0, r.int(Math.max(1, b.length))),
  trailingGarbage: (b, r) => Buffer.concat([b, r.bytes(1 + r.int(8))]),
  flipBits(b, r) {
    const out = Buffer.from(b);
    if (out.length === 0) return out;
    for (let i = 1 + r.int(4); i > 0; i--) out[r.int(out.length)]! ^= 1 << r.int(8);
    return out;
  },
  randomBytes(b, r) {
    const out = Buffer.from(b);
    for (let i = 1 + r.int(4); i > 0 && out.length > 0; i--) out[r.int(out.length)] = r.int(256);
    return out;
  },
  lyingLength(b, r) {
    const out = Buffer.from(b);
    if (out.length < 4) return Buffer.concat([out, r.bytes(4)]);
    out.writeInt32BE(r.pick([...LYING_LENGTHS, b.length + 1, b.length * 2]) | 0, r.int(out.length - 3));
    return out;
  },
  insertBytes(b, r) {
    const at = r.int(b.length + 1);
    return Buffer.concat([b.subarray(0, at), r.bytes(1 + r.int(6)), b.subarray(at)]);
  },
  deleteBytes(b, r) {
    if (b.length === 0) return b;
    const at = r.int(b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + r.int(6))]);
  },
  garbage: (_b, r) => r.bytes(r.int(64)),
  allOnes: (b, r) => Buffer.alloc(r.int(b.length + 8), 0xff),
};
