/**
 * A latency histogram with logarithmic buckets, in the spirit of HdrHistogram: constant
 * memory, O(1) record, mergeable across worker processes, percentiles within 1/64
 * (about 1.6 %) of the true value.
 *
 * Bucket layout for a value v in microseconds (an integer >= 0):
 *
 *     v < 128            bucket v                       (exact)
 *     2^e <= v < 2^(e+1) bucket 64*s + (v >> s), s = e-6 (64 buckets per power of two)
 *
 * so a bucket's width is 2^s: 1 µs up to 128 µs, 2 µs up to 256 µs, ... 16 ms around 1 s.
 * Values are clamped to 2^31 µs (about 36 minutes), far above any latency we measure.
 *
 * Why not percentiles of a sorted sample: recording millions of replies per second would
 * allocate (or drop samples); counts in a fixed Float64Array cost nothing per reply.
 */

const SUB_BITS = 6;
const SUB_COUNT = 1 << SUB_BITS; // 64
const MAX_SHIFT = 31 - SUB_BITS; // values below 2^31
const BUCKETS = SUB_COUNT * (MAX_SHIFT + 2);
const MAX_VALUE = 2 ** 31 - 1;

export function bucketOf(micros: number): number {
  const v = micros < 0 ? 0 : micros > MAX_VALUE ? MAX_VALUE : micros | 0;
  if (v < 2 * SUB_COUNT) return v;
  const shift = 31 - Math.clz32(v) - SUB_BITS;
  return SUB_COUNT * shift + (v >>> shift);
}

/** The smallest value that falls into `bucket`. */
export function bucketLow(bucket: number): number {
  const shift = Math.max(0, Math.floor(bucket / SUB_COUNT) - 1);
  return (bucket - SUB_COUNT * shift) * 2 ** shift;
}

/** The width of `bucket` (values bucketLow .. bucketLow + width - 1 share it). */
function bucketWidth(bucket: number): number {
  return 2 ** Math.max(0, Math.floor(bucket / SUB_COUNT) - 1);
}

export class Histogram {
  readonly counts = new Float64Array(BUCKETS);
  total = 0;

  record(micros: number): void {
    this.counts[bucketOf(micros)]!++;
    this.total++;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** Adds another histogram's counts (from another session or worker). */
  add(counts: ArrayLike<number>): void {
    for (let i = 0; i < BUCKETS; i++) {
      const c = counts[i]!;
      this.counts[i]! += c;
      this.total += c;
    }
  }

  /**
   * The value at quantile q (0..1) in microseconds: the middle of the bucket holding the
   * ceil(q * total)-th smallest value, or NaN when nothing was recorded.
   */
  quantile(q: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return bucketLow(i) + (bucketWidth(i) - 1) / 2;
    }
    return bucketLow(BUCKETS - 1);
  }
}
