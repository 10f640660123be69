/**
 * ChildData — what every cache keeps per node: its path, Stat and (optionally) data.
 *
 * Reimplements Curator's `cache.ChildData`. Chapter 10; the seed reads
 * `getData().getPath()` / `getData().getData()` in its cache listeners and
 * `nodeCache.getCurrentData()` [003 L50–92].
 *
 * Node layout: none of its own (a value read from a node).
 *
 * Connection loss / expiry: immutable values; nothing to say.
 *
 * Differs from Curator: `data` is null when the cache does not keep data (cacheData false)
 * — Curator does the same — and a Buffer otherwise (an empty one for a node without data).
 */
import type { Stat } from "../../jute/data.js";

export class ChildData {
  constructor(
    readonly path: string,
    readonly stat: Stat,
    readonly data: Buffer | null,
  ) {}

  getPath(): string {
    return this.path;
  }
  getStat(): Stat {
    return this.stat;
  }
  getData(): Buffer | null {
    return this.data;
  }

  /** Same path, same Stat fields and same bytes (ChildData.equals). */
  equals(other: ChildData | null): boolean {
    if (other === null) return false;
    if (this.path !== other.path || !statEquals(this.stat, other.stat)) return false;
    if (this.data === null || other.data === null) return this.data === other.data;
    return this.data.equals(other.data);
  }
}

export function statEquals(a: Stat, b: Stat): boolean {
  return (
    a.czxid === b.czxid &&
    a.mzxid === b.mzxid &&
    a.ctime === b.ctime &&
    a.mtime === b.mtime &&
    a.version === b.version &&
    a.cversion === b.cversion &&
    a.aversion === b.aversion &&
    a.ephemeralOwner === b.ephemeralOwner &&
    a.dataLength === b.dataLength &&
    a.numChildren === b.numChildren &&
    a.pzxid === b.pzxid
  );
}
