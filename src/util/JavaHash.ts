/**
 * Java's hash codes and the iteration order of Java's hash maps and sets, for the
 * places where ZooKeeper's output order is whatever a Java hash table yields.
 *
 * Chapters 03 and 07. ZooKeeper prints many things by iterating hash maps: `mntr` walks
 * DefaultMetricsProvider's ConcurrentHashMaps, `wchp` a HashMap of paths, `dump` a
 * ConcurrentHashMap of session ids, whoAmI a ConcurrentHashMap-backed set of ids;
 * getChildren lists a node's children in the order of its HashSet, and a closeSession
 * deletes the session's ephemerals (firing their watches) in the order of another. The
 * order looks random but is a pure function of the hash codes and the insertions, so we
 * reproduce it and our answers line up with Apache ZooKeeper's byte for byte.
 *
 * The model (JDK 8–21):
 * - `String.hashCode` is s[0]·31^(n-1) + … + s[n-1] in 32-bit arithmetic;
 *   `Long.hashCode` is `(int)(v ^ (v >>> 32))`. The bin is `(h ^ (h >>> 16)) & (n - 1)`.
 * - A new key goes to the tail of its bin. Iteration walks bins 0…n-1, each from its head.
 * - HashMap: `n` starts at the initial capacity (16); after an insert that makes
 *   size > 0.75·n the table doubles, and each bin splits into a low and a high bin
 *   keeping its relative order.
 * - ConcurrentHashMap: `n` starts at 16; when the count reaches 0.75·n it doubles, but
 *   its `transfer` moves the tail run of nodes that go the same way ("lastRun") as is
 *   and prepends the nodes before it one by one, reversing them.
 *
 * Differs from Java: removals are not modelled (we order what is there now, as if it had
 * been inserted in that order), nor tree bins (8+ keys in one bin).
 */

/** Java's `String.hashCode`, as a signed 32-bit int. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Java's `Long.hashCode`. */
export function javaLongHashCode(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, u ^ (u >> 32n)));
}

export interface HashOrderOptions {
  /** ConcurrentHashMap (resizes reverse part of a bin) rather than HashMap. */
  concurrent?: boolean;
  /** The table size the map was created with, a power of two (HashSet(4) → 4). */
  initialCapacity?: number;
}

// #region hash-order
/** The iteration order of a Java hash map after inserting `keys` in this order. */
export function javaHashOrder<K>(keys: Iterable<K>, hashCode: (k: K) => number, opts: HashOrderOptions = {}): K[] {
  let n = opts.initialCapacity ?? 16;
  let table: K[][] = Array.from({ length: n }, () => []);
  const hashes = new Map<K, number>();
  for (const key of keys) {
    if (hashes.has(key)) continue; // putting an existing key keeps its place
    const h = javaStringSpread(hashCode(key));
    hashes.set(key, h);
    table[h & (n - 1)]!.push(key);
    const size = hashes.size;
    // HashMap resizes once size exceeds the threshold, ConcurrentHashMap once it reaches it.
    while (opts.concurrent ? size >= n - (n >>> 2) : size > n * 0.75) {
      table = split(table, n, (k) => hashes.get(k)! & n, opts.concurrent === true);
      n <<= 1;
    }
  }
  return table.flat();
}
// #endregion hash-order

function javaStringSpread(h: number): number {
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/** Doubles the table: bin i splits into bins i and i + n. */
function split<K>(table: K[][], n: number, highBit: (k: K) => number, concurrent: boolean): K[][] {
  const next: K[][] = Array.from({ length: n * 2 }, () => []);
  table.forEach((bin, i) => {
    const lo: K[] = [];
    const hi: K[] = [];
    if (!concurrent) {
      for (const k of bin) (highBit(k) === 0 ? lo : hi).push(k);
    } else if (bin.length > 0) {
      let lastRun = 0;
      for (let j = 1; j < bin.length; j++) if (highBit(bin[j]!) !== highBit(bin[lastRun]!)) lastRun = j;
      (highBit(bin[lastRun]!) === 0 ? lo : hi).push(...bin.slice(lastRun));
      for (let j = 0; j < lastRun; j++) (highBit(bin[j]!) === 0 ? lo : hi).unshift(bin[j]!);
    }
    next[i] = lo;
    next[i + n] = hi;
  });
  return next;
}

/** Shorthands for the maps ZooKeeper prints. */
export const concurrentHashMapOrder = (keys: Iterable<string>): string[] => javaHashOrder(keys, javaStringHashCode, { concurrent: true });
export const hashSetOrder = (keys: Iterable<string>): string[] => javaHashOrder(keys, javaStringHashCode);
export const longHashOrder = (keys: Iterable<bigint>, concurrent = false): bigint[] => javaHashOrder(keys, javaLongHashCode, { concurrent });

/** HashMap.hash: the key's hashCode with its high half folded into the low half. */
function hashMapHash(s: string): number {
  const h = javaStringHashCode(s);
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
  /** Insertion order; the hash codes are computed only when Java's order is asked for. */
  private readonly items = new Set<string>();
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
    const before = this.items.size;
    this.items.add(key);
    if (this.items.size === before) return false; // already there: one lookup, not two
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
      const keys = [...this.items];
      const bins = keys.map((k) => hashMapHash(k) & mask);
      // Array.prototype.sort is stable, so insertion order survives within a bucket.
      this.ordered = keys.map((_, i) => i).sort((a, b) => bins[a]! - bins[b]!).map((i) => keys[i]!);
    }
    return [...this.ordered];
  }

  /** The keys in the order they were added: cheaper, for when any order will do. */
  insertionOrder(): IterableIterator<string> {
    return this.items.keys();
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
