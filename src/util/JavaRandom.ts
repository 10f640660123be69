/**
 * JavaRandom — `java.util.Random`'s 48-bit linear congruential generator, bit for bit.
 *
 * ZooKeeper derives a session's password from the session id with
 * `new Random(sessionId ^ 0xB3415C00L).nextBytes(16 bytes)`. A client that reconnects
 * (to us, or to Apache ZooKeeper started on our data dir) sends that password back, so
 * we must produce exactly the same bytes (chapter 09, the connect handshake).
 */
const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK = (1n << 48n) - 1n;

export class JavaRandom {
  private seed: bigint;

  constructor(seed: bigint) {
    this.seed = (BigInt.asUintN(64, seed) ^ MULTIPLIER) & MASK;
  }

  private next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + ADDEND) & MASK;
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }

  nextInt(): number {
    return this.next(32);
  }

  /** Fills `bytes` four at a time from nextInt, low byte first, as Java does. */
  nextBytes(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; ) {
      let rnd = this.nextInt();
      for (let n = Math.min(bytes.length - i, 4); n-- > 0; rnd >>= 8) bytes[i++] = rnd & 0xff;
    }
  }
}
