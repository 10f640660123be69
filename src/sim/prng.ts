/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same run.
 *
 * Simulations take their randomness only from here, never from Math.random, so a
 * failing seed replays exactly and can be kept as a regression test (STYLE.md §3,
 * "one seed replays a run"). 32 bits of state are plenty for choosing delivery orders;
 * this is not for anything that needs cryptographic or statistical strength.
 */
export class Random {
  #state: number;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new RangeError(`Random.int needs n > 0, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}
