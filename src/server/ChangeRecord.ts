/**
 * ChangeRecord — what a znode will look like once the writes already prepared, but not
 * yet applied, have been applied.
 *
 * Reimplements `ZooKeeperServer.ChangeRecord` and `PrecalculatedDigest`. Chapter 07.
 *
 * Why it exists: PrepRequestProcessor validates a write (does the parent exist? does the
 * version match?) long before FinalRequestProcessor applies the writes before it. With
 * group commit, dozens of writes sit between the two at any moment. So Prep validates
 * against the tree *plus* these records: the newest record for a path wins, and a
 * record with `stat === null` means "deleted". Final drops records as their zxids are
 * applied. A multi that fails rolls its records back.
 */
import type { ACL, StatPersisted } from "../jute/data.js";

export interface PrecalculatedDigest {
  /** The node's digest after the change (0 for a delete). */
  nodeDigest: number;
  /** The whole tree's digest after the change: what the txn will carry. */
  treeDigest: bigint;
}

export class ChangeRecord {
  data: Buffer | null = null;
  precalculatedDigest: PrecalculatedDigest | null = null;

  constructor(
    readonly zxid: bigint,
    readonly path: string,
    /** null: the node is deleted by this change. */
    readonly stat: StatPersisted | null,
    public childCount: number,
    readonly acl: ACL[] | null,
  ) {}

  /** A copy to modify for a newer change of the same node. */
  duplicate(zxid: bigint): ChangeRecord {
    const r = new ChangeRecord(zxid, this.path, this.stat === null ? null : { ...this.stat }, this.childCount, this.acl);
    r.data = this.data;
    r.precalculatedDigest = this.precalculatedDigest;
    return r;
  }
}
