/**
 * ReferenceCountedACLCache — distinct ACL lists stored once and referenced by number.
 *
 * Reimplements `org.apache.zookeeper.server.ReferenceCountedACLCache`. Chapter 04: the
 * snapshot begins with this map (the tree rebuild reads it first, [001 L2615]).
 *
 * Byte grammar in a snapshot:
 *
 *     int count, then count × (long index, vector<ACL> acls)
 *
 * Index -1 is never stored: it stands for OPEN_ACL_UNSAFE (world:anyone with all
 * permissions), the ACL of the root and the /zookeeper system nodes. Every node holding
 * an index counts as one reference; a list whose count drops to zero is forgotten.
 */
import type { BinaryInputArchive } from "../jute/BinaryInputArchive.js";
import type { BinaryOutputArchive } from "../jute/BinaryOutputArchive.js";
import { ACL, ACLList } from "../jute/data.js";
import { OPEN_ACL_UNSAFE } from "../jute/ZooDefs.js";
import { getLogger } from "../util/Logger.js";

const LOG = getLogger("ReferenceCountedACLCache");
export const OPEN_UNSAFE_ACL_ID = -1n;

function sameAcls(a: ACL[], b: ACL[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.perms !== y.perms || x.id.scheme !== y.id.scheme || x.id.id !== y.id.id) return false;
  }
  return true;
}

function keyOf(acls: ACL[]): string {
  let k = "";
  for (const a of acls) k += `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}\u0001`;
  return k;
}

export class ReferenceCountedACLCache {
  private readonly longKeyMap = new Map<bigint, ACL[]>();
  private readonly aclKeyMap = new Map<string, bigint>();
  private readonly referenceCounter = new Map<bigint, number>();
  private aclIndex = 0n;
  /**
   * The list the last convertAcls call found, and its index: most writes in a row carry
   * the same ACL, and comparing it with this is cheaper than building its map key.
   */
  private lastList: ACL[] | null = null;
  private lastIndex = 0n;

  /** The index for this list, allocating one if the list is new; counts a reference. */
  convertAcls(acls: ACL[] | null): bigint {
    if (acls === null) return OPEN_UNSAFE_ACL_ID;
    let index: bigint | undefined;
    if (this.lastList !== null && sameAcls(acls, this.lastList)) {
      index = this.lastIndex;
    } else {
      const key = keyOf(acls);
      index = this.aclKeyMap.get(key);
      if (index === undefined) {
        index = ++this.aclIndex;
        this.longKeyMap.set(index, acls);
        this.aclKeyMap.set(key, index);
      }
      this.lastList = this.longKeyMap.get(index)!;
      this.lastIndex = index;
    }
    this.addUsage(index);
    return index;
  }

  convertLong(index: bigint): ACL[] {
    if (index === OPEN_UNSAFE_ACL_ID) return OPEN_ACL_UNSAFE;
    const acls = this.longKeyMap.get(index);
    if (acls === undefined) {
      LOG.error(`ERROR: ACL not available for long ${index}`);
      throw new Error(`Failed to fetch acls for ${index}`);
    }
    return acls;
  }

  addUsage(index: bigint): void {
    if (index === OPEN_UNSAFE_ACL_ID) return;
    if (!this.longKeyMap.has(index)) {
      LOG.info(`Ignoring acl ${index} as it does not exist in the cache`);
      return;
    }
    this.referenceCounter.set(index, (this.referenceCounter.get(index) ?? 0) + 1);
  }

  removeUsage(index: bigint): void {
    if (index === OPEN_UNSAFE_ACL_ID) return;
    const acls = this.longKeyMap.get(index);
    if (acls === undefined) {
      LOG.info(`Ignoring acl ${index} as it does not exist in the cache`);
      return;
    }
    const count = (this.referenceCounter.get(index) ?? 0) - 1;
    if (count <= 0) {
      this.forget(index, acls);
    } else {
      this.referenceCounter.set(index, count);
    }
  }

  /** Drops lists no node references (after a snapshot load, which counts from zero). */
  purgeUnused(): void {
    for (const [index, acls] of this.longKeyMap) {
      if ((this.referenceCounter.get(index) ?? 0) <= 0) this.forget(index, acls);
    }
  }

  private forget(index: bigint, acls: ACL[]): void {
    this.referenceCounter.delete(index);
    this.aclKeyMap.delete(keyOf(acls));
    this.longKeyMap.delete(index);
    this.lastList = null; // rare: only when a list's last user goes
  }

  get size(): number {
    return this.aclKeyMap.size;
  }

  // #region acl-cache-serialize
  serialize(oa: BinaryOutputArchive): void {
    oa.writeInt(this.longKeyMap.size);
    for (const [index, acls] of this.longKeyMap) {
      oa.writeLong(index);
      ACLList.write(oa, acls);
    }
  }

  deserialize(ia: BinaryInputArchive): void {
    this.clear();
    let count = ia.readInt();
    while (count-- > 0) {
      const index = ia.readLong();
      const acls = ACLList.read(ia);
      if (this.aclIndex < index) this.aclIndex = index;
      this.longKeyMap.set(index, acls);
      this.aclKeyMap.set(keyOf(acls), index);
      this.referenceCounter.set(index, 0);
    }
  }
  // #endregion acl-cache-serialize

  private clear(): void {
    this.lastList = null;
    this.longKeyMap.clear();
    this.aclKeyMap.clear();
    this.referenceCounter.clear();
  }
}
