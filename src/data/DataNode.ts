/**
 * DataNode — one znode: its data, a reference to its ACL list, its persisted stat and
 * the names of its children.
 *
 * Reimplements `org.apache.zookeeper.server.DataNode`. Chapter 04; the serialized form
 * (data, acl, StatPersisted) is `DataNodeRecord` in src/jute/data.ts.
 *
 * Two things a reader of the Java will look for:
 *
 * - `acl` is not the ACL list but a key into the tree's ReferenceCountedACLCache:
 *   thousands of nodes share a handful of distinct ACL lists.
 * - `stat.cversion` counts child *creations* only. What a client sees is computed in
 *   `copyStat`: every child ever created was either deleted (one more change) or is
 *   still there, so changes = 2 × creations − current children.
 */
import type { Stat, StatPersisted } from "../jute/data.js";
import { JavaHashSet } from "../util/JavaHash.js";
import { ephemeralType } from "./EphemeralType.js";

export class DataNode {
  /** Child names, iterating in the order Java's `new HashSet<String>(8)` would (JavaHash.ts). */
  children: JavaHashSet | null = null;
  /** Cached node digest (DigestCalculator), -1 when it must be recomputed. */
  digest = -1;
  /**
   * Snapshot bookkeeping (DataTree.serializeNodes): the tree's slice counter when this
   * node was created, replaced by the slice that wrote it into a snapshot, or -1 when a
   * snapshot left it out.
   */
  snapMark = 0;

  constructor(
    public data: Buffer | null,
    public acl: bigint,
    public stat: StatPersisted,
  ) {}

  addChild(name: string): boolean {
    if (this.children === null) this.children = new JavaHashSet(8);
    return this.children.add(name);
  }

  removeChild(name: string): boolean {
    return this.children !== null && this.children.delete(name);
  }

  get numChildren(): number {
    return this.children === null ? 0 : this.children.size;
  }

  childNames(): string[] {
    return this.children === null ? [] : this.children.toArray();
  }

  // #region copy-stat
  /** The Stat a client sees, derived from the persisted one. */
  copyStat(extendedTypesEnabled: boolean): Stat {
    const s = this.stat;
    const numChildren = this.numChildren;
    return {
      czxid: s.czxid,
      mzxid: s.mzxid,
      ctime: s.ctime,
      mtime: s.mtime,
      version: s.version,
      // Stored: creations. Shown: creations + deletions (see the file header).
      cversion: s.cversion * 2 - numChildren,
      aversion: s.aversion,
      // Containers and TTL nodes use the field as a marker, not an owner: hide it.
      ephemeralOwner: ephemeralType(s.ephemeralOwner, extendedTypesEnabled) === "NORMAL" ? s.ephemeralOwner : 0n,
      dataLength: this.data === null ? 0 : this.data.length,
      numChildren,
      pzxid: s.pzxid,
    };
  }
  // #endregion copy-stat
}

export function createStat(zxid: bigint, time: bigint, ephemeralOwner: bigint): StatPersisted {
  return {
    czxid: zxid,
    mzxid: zxid,
    ctime: time,
    mtime: time,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner,
    pzxid: zxid,
  };
}

export function copyStatPersisted(s: StatPersisted): StatPersisted {
  return { ...s };
}

/** Parent path and last name: "/a/b" → ["/a", "b"], "/a" → ["/", "a"]. */
export function splitPath(path: string): [parent: string, child: string] {
  const i = path.lastIndexOf("/");
  return [i === 0 ? "/" : path.substring(0, i), path.substring(i + 1)];
}
