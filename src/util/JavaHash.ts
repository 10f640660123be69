/**
 * Java's hash codes and ConcurrentHashMap's iteration order, for the few places where
 * ZooKeeper's output order is whatever a Java hash set yields.
 *
 * Example: a connection's authenticated ids live in a ConcurrentHashMap-backed set, and
 * whoAmI lists them in that set's iteration order. To answer whoAmI byte for byte as
 * Apache ZooKeeper does, we order the ids the same way: by bucket
 * (`spread(hashCode) & (tableSize - 1)`), and by insertion within a bucket.
 */

/** String.hashCode: s[0]*31^(n-1) + ... + s[n-1], in 32-bit arithmetic, over UTF-16 units. */
export function stringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** ConcurrentHashMap.spread: mixes the high half into the low half, clears the sign. */
function spread(h: number): number {
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/**
 * The order in which a `new ConcurrentHashMap()` that had `keys` inserted in this order
 * iterates them. Exact while no resize happened (fewer than 12 keys in the default
 * 16-bucket table); beyond that the order is still a valid bucket order of the larger
 * table, computed the same way.
 */
export function concurrentHashMapOrder<T>(keys: readonly T[], hashCode: (k: T) => number): T[] {
  let n = 16;
  while (keys.length >= n - (n >>> 2)) n <<= 1;
  const buckets = new Map<number, T[]>();
  for (const k of keys) {
    const i = spread(hashCode(k)) & (n - 1);
    let b = buckets.get(i);
    if (b === undefined) buckets.set(i, (b = []));
    b.push(k);
  }
  return [...buckets.keys()].sort((a, b) => a - b).flatMap((i) => buckets.get(i)!);
}

/** HashMap.hash: the key's hashCode with its high half folded into the low half. */
function hashMapHash(s: string): number {
  const h = stringHashCode(s);
  return h ^ (h >>> 16);
}

/** HashMap.tableSizeFor: the smallest power of two >= cap (at least 1). */
function tableSizeFor(cap: number): number {
  let n = 1;
  while (n < cap) n <<= 1;
  return n;
}

// #region java-hash-set
/**
 * A set of strings that iterates in the order a `java.util.HashSet<String>` would.
 *
 * ZooKeeper keeps a node's children and a session's ephemeral paths in HashSets, and the
 * order leaks onto the wire: getChildren lists children in it, and a closeSession txn
 * deletes the ephemerals (and fires their watches) in it. Java's order is: by bucket
 * (`hash & (capacity - 1)`), and by insertion within a bucket; the capacity starts at
 * the constructor's argument rounded up to a power of two and doubles whenever the size
 * passes three quarters of it. This class keeps insertion order (a JS Map, where a
 * re-added key goes to the end, as in a Java bucket list) and sorts by bucket on demand.
 *
 * Not modelled: a bucket of 8+ colliding keys (Java turns it into a tree, or resizes
 * early below 64 buckets). That needs eight keys with the same low hash bits in one
 * small set, and only changes the order of those keys.
 */
export class JavaHashSet implements Iterable<string> {
  private readonly items = new Map<string, number>();
  private capacity: number;
  private threshold: number;
  private ordered: string[] | null = null;

  /** `new HashSet<String>(initialCapacity)`; Java's default is 16. */
  constructor(initialCapacity = 16) {
    this.capacity = tableSizeFor(initialCapacity);
    this.threshold = Math.floor(this.capacity * 0.75);
  }

  get size(): number {
    return this.items.size;
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  add(key: string): boolean {
    if (this.items.has(key)) return false;
    this.items.set(key, hashMapHash(key));
    if (this.items.size > this.threshold) {
      this.capacity *= 2;
      this.threshold = Math.floor(this.capacity * 0.75);
    }
    this.ordered = null;
    return true;
  }

  delete(key: string): boolean {
    if (!this.items.delete(key)) return false;
    this.ordered = null;
    return true;
  }

  /** The keys in Java's iteration order. */
  toArray(): string[] {
    if (this.ordered === null) {
      const mask = this.capacity - 1;
      const keys = [...this.items.keys()];
      // Array.prototype.sort is stable, so insertion order survives within a bucket.
      this.ordered = keys.sort((a, b) => (this.items.get(a)! & mask) - (this.items.get(b)! & mask));
    }
    return [...this.ordered];
  }

  [Symbol.iterator](): Iterator<string> {
    return this.toArray()[Symbol.iterator]();
  }

  /**
   * `HashSet.clone()`: Java's HashMap.clone sizes the copy's table for the current size
   * (`tableSizeFor(size / 0.75 + 1)`), which can be smaller than the original's, and
   * re-inserts the keys in iteration order — so a clone may iterate differently.
   */
  clone(): JavaHashSet {
    const copy = new JavaHashSet(1);
    const s = this.items.size;
    if (s > 0) {
      copy.capacity = tableSizeFor(Math.floor(Math.fround(Math.fround(s / 0.75) + 1)));
      copy.threshold = Math.floor(copy.capacity * 0.75);
    }
    for (const k of this.toArray()) copy.add(k);
    return copy;
  }
}
// #endregion java-hash-set
