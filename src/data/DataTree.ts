/**
 * DataTree — the in-memory znode tree, and the only code that changes it.
 *
 * Reimplements `org.apache.zookeeper.server.DataTree` (3.8) with the per-node map of
 * `NodeHashMapImpl` and the quota trie of `PathTrie`. Chapter 04 (data loading:
 * `deserialize` rebuilds the tree from a snapshot [001 L2615–2732], `processTxn` replays
 * the log [001 L2958–3188]) and chapter 07 (FinalRequestProcessor applies each committed
 * txn here and fires the watches it triggers).
 *
 * Invariants kept by every mutation:
 *
 * - `nodes` maps every absolute path to its node; the root is "/" and the parent of
 *   "/a" is "/". (Java also keeps the root under "", an alias we do not need.)
 * - a parent's `children` holds exactly the last path segment of each child in `nodes`.
 * - `ephemerals[session]` holds the paths of that session's ephemeral nodes; containers
 *   and TTL nodes are in `containers` / `ttls` (ContainerManager reads both).
 * - `treeDigest` is the wrapping sum of every node's digest (DigestCalculator.ts), kept
 *   up to date by removing a node's digest before a change and adding it after.
 * - the ACL cache counts one reference per node.
 *
 * Txns are applied idempotently enough for replaying a fuzzy snapshot: a create of an
 * existing node fails with NODEEXISTS but still cannot lower the parent's cversion, a
 * delete of a missing node fails with NONODE but still advances the parent's pzxid.
 *
 * Differs from Java: one thread applies txns and serves reads, so there are no locks;
 * a snapshot is serialized in slices between which txns keep being applied
 * (`serializeNodes` is a generator), which makes it fuzzy in the same way Java's
 * concurrent snapshot is. Per-namespace read/write metrics are not kept.
 */
import assert from "node:assert/strict";
import type { BinaryInputArchive } from "../jute/BinaryInputArchive.js";
import type { BinaryOutputArchive } from "../jute/BinaryOutputArchive.js";
import { type ACL, DataNodeRecord, type Stat, StatPersisted } from "../jute/data.js";
import { Code, KeeperException } from "../jute/KeeperException.js";
import type { TxnDigest, TxnHeader } from "../jute/txn.js";
import { EventType, KeeperState } from "../jute/Watcher.js";
import { CONFIG_NODE, OpCode, READ_ACL_UNSAFE } from "../jute/ZooDefs.js";
import { readTxnBody, type TxnBody } from "../persistence/TxnLogEntry.js";
import { BinaryInputArchive as InputArchive } from "../jute/BinaryInputArchive.js";
import { JavaHashSet } from "../util/JavaHash.js";
import { getLogger, hex } from "../util/Logger.js";
import { DataNode, createStat, splitPath } from "./DataNode.js";
import { addDigest, calculateDigest, DIGEST_VERSION, removeDigest } from "./DigestCalculator.js";
import { CONTAINER_EPHEMERAL_OWNER, ephemeralType, ttlToEphemeralOwner } from "./EphemeralType.js";
import { Quotas, StatsTrack } from "../jute/Quotas.js";
import { ReferenceCountedACLCache } from "./ReferenceCountedACLCache.js";
import { WatchManager, watcherModeFromZooDef, type WatcherMode, type Watcher } from "./WatchManager.js";

const LOG = getLogger("DataTree");

/** What applying one txn did: Java's DataTree.ProcessTxnResult. */
export interface ProcessTxnResult {
  clientId: bigint;
  cxid: number;
  zxid: bigint;
  type: number;
  err: number;
  path: string | null;
  stat: Stat | null;
  multiResult: ProcessTxnResult[] | null;
}

/** The tree digest as of one zxid, as a snapshot stores it after its checksum. */
/** DataTree.DIGEST_LOG_INTERVAL / DIGEST_LOG_LIMIT: which digests `hash` keeps, and how many. */
export const DIGEST_LOG_INTERVAL = 128n;
export const DIGEST_LOG_LIMIT = 1024;

export interface ZxidDigest {
  zxid: bigint;
  digestVersion: number;
  digest: bigint;
}

export interface DataTreeOptions {
  /** `zookeeper.extendedTypesEnabled`: TTL nodes. */
  extendedTypesEnabled?: boolean;
  /** `zookeeper.digest.enabled` (default true in 3.8). */
  digestEnabled?: boolean;
}

export class DataTree {
  readonly extendedTypesEnabled: boolean;
  readonly digestEnabled: boolean;

  private readonly nodes = new Map<string, DataNode>();
  /** session → its ephemeral paths, in Java HashSet order (a closeSession deletes them in it). */
  private readonly ephemerals = new Map<bigint, JavaHashSet>();
  private readonly containers = new Set<string>();
  private readonly ttls = new Set<string>();
  private readonly aclCache = new ReferenceCountedACLCache();
  /** Paths that have a quota (Java's PathTrie). */
  private readonly quotaPaths = new Set<string>();

  readonly dataWatches = new WatchManager();
  readonly childWatches = new WatchManager();

  lastProcessedZxid = 0n;
  private treeDigestValue = 0n;
  private lastProcessedZxidDigest: ZxidDigest | null = null;
  private readonly digestLog: ZxidDigest[] = [];
  /** Set while replaying after a snapshot whose digest we still want to check. */
  private digestFromLoadedSnapshot: ZxidDigest | null = null;
  private firstMismatchTxn = true;
  digestMismatches = 0;
  /** Sum of path and data lengths (Java's nodeDataSize, reported by mntr). */
  approximateDataSize = 0;
  /** Counts snapshot slices, over all snapshots (see serializeNodes). */
  private snapSlice = 0;

  constructor(opts: DataTreeOptions = {}) {
    this.extendedTypesEnabled = opts.extendedTypesEnabled ?? false;
    this.digestEnabled = opts.digestEnabled ?? true;
    this.reset();
  }

  /** The empty tree every server starts from: /, /zookeeper, /zookeeper/quota, /zookeeper/config. */
  private reset(): void {
    this.nodes.clear();
    this.treeDigestValue = 0n;
    const root = new DataNode(Buffer.alloc(0), -1n, createStat(0n, 0n, 0n));
    this.putNode("/", root);
    root.addChild("zookeeper");
    const proc = new DataNode(Buffer.alloc(0), -1n, createStat(0n, 0n, 0n));
    this.putNode(Quotas.procZookeeper, proc);
    proc.addChild("quota");
    this.putNode(Quotas.quotaZookeeper, new DataNode(Buffer.alloc(0), -1n, createStat(0n, 0n, 0n)));
    this.addConfigNode();
    this.approximateDataSize = this.computeDataSize();
  }

  /** /zookeeper/config, readable by anyone and writable only through reconfig (ZOOKEEPER-2014). */
  private addConfigNode(): void {
    this.nodes.get(Quotas.procZookeeper)!.addChild("config");
    this.putNode(CONFIG_NODE, new DataNode(Buffer.alloc(0), -1n, createStat(0n, 0n, 0n)));
    this.setACL(CONFIG_NODE, READ_ACL_UNSAFE, -1);
  }

  // ---------------------------------------------------------------- node map + digest

  private nodeDigest(path: string, node: DataNode): number {
    if (node.digest < 0) node.digest = this.takeDigestHint(path, node) ?? calculateDigest(path, node.data, node.stat);
    return node.digest;
  }

  /**
   * Prep computes the digest a node will have after each txn (for the txn's TxnDigest),
   * just before the txn is applied here, where the same digest is needed again. Those
   * digests are kept by path for one use, and used only if the node's data and every
   * persisted stat field are what they were computed from. Saves a CRC-32 per change.
   */
  private readonly digestHints = new Map<string, { data: Buffer | null; stat: StatPersisted; digest: number }>();

  private takeDigestHint(path: string, node: DataNode): number | null {
    if (this.digestHints.size === 0) return null; // a restore: nothing was prepped
    const hint = this.digestHints.get(path);
    if (hint === undefined) return null;
    this.digestHints.delete(path);
    const a = hint.stat;
    const b = node.stat;
    const sameData = hint.data === node.data || (hint.data !== null && node.data !== null && hint.data.equals(node.data));
    const sameStat =
      a.mzxid === b.mzxid && a.version === b.version && a.cversion === b.cversion && a.pzxid === b.pzxid && a.mtime === b.mtime &&
      a.czxid === b.czxid && a.ctime === b.ctime && a.aversion === b.aversion && a.ephemeralOwner === b.ephemeralOwner;
    return sameData && sameStat ? hint.digest : null;
  }

  private putNode(path: string, node: DataNode): void {
    const old = this.nodes.get(path);
    this.putNewNode(path, node);
    if (this.digestEnabled && old !== undefined) this.treeDigestValue = removeDigest(this.treeDigestValue, this.nodeDigest(path, old));
  }

  /** putNode for a path known to be free (its parent did not list it): no lookup of an old node. */
  private putNewNode(path: string, node: DataNode): void {
    this.nodes.set(path, node);
    if (this.digestEnabled) this.treeDigestValue = addDigest(this.treeDigestValue, this.nodeDigest(path, node));
  }

  private removeNode(path: string): DataNode | undefined {
    const old = this.nodes.get(path);
    if (old === undefined) return undefined;
    this.nodes.delete(path);
    if (this.digestEnabled) this.treeDigestValue = removeDigest(this.treeDigestValue, this.nodeDigest(path, old));
    return old;
  }

  /** Call before mutating a node in place (Java's NodeHashMap.preChange). */
  private preChange(path: string, node: DataNode): void {
    if (this.digestEnabled) this.treeDigestValue = removeDigest(this.treeDigestValue, this.nodeDigest(path, node));
  }

  /** Call after mutating a node in place (postChange): its digest is recomputed. */
  private postChange(path: string, node: DataNode): void {
    node.digest = -1;
    if (this.digestEnabled) this.treeDigestValue = addDigest(this.treeDigestValue, this.nodeDigest(path, node));
  }

  /**
   * Records the digest after `zxid`; every 128th one also goes into the history the
   * `hash` command prints (the last 1024 of them), so servers can be compared zxid by zxid.
   */
  private logZxidDigest(zxid: bigint): void {
    const d: ZxidDigest = { zxid, digestVersion: DIGEST_VERSION, digest: this.treeDigestValue };
    this.lastProcessedZxidDigest = d;
    if (zxid % DIGEST_LOG_INTERVAL === 0n) {
      this.digestLog.push(d);
      if (this.digestLog.length > DIGEST_LOG_LIMIT) this.digestLog.shift();
    }
  }

  /** Java's getDigestLog: a copy of the digest history, oldest first. */
  getDigestLog(): ZxidDigest[] {
    return [...this.digestLog];
  }

  get treeDigest(): bigint {
    return this.treeDigestValue;
  }

  /** The digest a node would have: Prep uses it to precompute txn digests. */
  digestOf(path: string, data: Buffer | null, stat: StatPersisted): number {
    if (!this.digestEnabled) return 0;
    const digest = calculateDigest(path, data, stat);
    // Hints of txns that never got applied (a failed multi) would pile up: start over.
    if (this.digestHints.size >= 4096) this.digestHints.clear();
    // No copy of the stat: it belongs to a ChangeRecord, which no one changes once made.
    this.digestHints.set(path, { data, stat, digest });
    return digest;
  }

  /** The cached digest of a node already in the tree. */
  digestOfNode(path: string, node: DataNode): number {
    return this.digestEnabled ? this.nodeDigest(path, node) : 0;
  }

  // ---------------------------------------------------------------- reads

  /** The node at `path`; "" is the root too, as in Java's map where the root has both names. */
  getNode(path: string): DataNode | undefined {
    return this.nodes.get(path === "" ? "/" : path);
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  aclForNode(node: DataNode): ACL[] {
    return this.aclCache.convertLong(node.acl);
  }

  get aclCacheSize(): number {
    return this.aclCache.size;
  }

  isSpecialPath(path: string): boolean {
    return path === "/" || path === Quotas.procZookeeper || path === Quotas.quotaZookeeper || path === CONFIG_NODE;
  }

  statOf(node: DataNode): Stat {
    return node.copyStat(this.extendedTypesEnabled);
  }

  private mustGet(path: string): DataNode {
    const n = this.getNode(path);
    if (n === undefined) throw new KeeperException(Code.NONODE);
    return n;
  }

  getData(path: string, watcher: Watcher | null): { data: Buffer | null; stat: Stat } {
    const n = this.mustGet(path);
    const stat = this.statOf(n);
    if (watcher !== null) this.dataWatches.addWatch(path, watcher);
    return { data: n.data, stat };
  }

  /** exists: the watch is set even when the node is missing, so its creation is seen. */
  statNode(path: string, watcher: Watcher | null): Stat {
    if (watcher !== null) this.dataWatches.addWatch(path, watcher);
    return this.statOf(this.mustGet(path));
  }

  getChildren(path: string, watcher: Watcher | null): { children: string[]; stat: Stat } {
    const n = this.mustGet(path);
    const stat = this.statOf(n);
    const children = n.childNames();
    if (watcher !== null) this.childWatches.addWatch(path, watcher);
    return { children, stat };
  }

  /** Every node below `path`; for "/" every node but the root. */
  getAllChildrenNumber(path: string): number {
    if (path === "/") return this.nodes.size - 1;
    const prefix = path + "/";
    let n = 0;
    for (const p of this.nodes.keys()) if (p.startsWith(prefix)) n++;
    return n;
  }

  getACL(path: string): { acl: ACL[]; stat: Stat } {
    const n = this.mustGet(path);
    return { acl: [...this.aclCache.convertLong(n.acl)], stat: this.statOf(n) };
  }

  /** A copy of a session's ephemeral paths (Java clones the HashSet: same iteration rules). */
  getEphemerals(sessionId: bigint): JavaHashSet {
    return this.ephemerals.get(sessionId)?.clone() ?? new JavaHashSet();
  }

  /** session id → ephemeral paths, for `dump` and the admin server. */
  allEphemerals(): Map<bigint, JavaHashSet> {
    return this.ephemerals;
  }

  get ephemeralsCount(): number {
    let n = 0;
    for (const s of this.ephemerals.values()) n += s.size;
    return n;
  }

  getContainers(): string[] {
    return [...this.containers];
  }

  getTtls(): string[] {
    return [...this.ttls];
  }

  // ---------------------------------------------------------------- mutations

  // #region createNode
  createNode(
    path: string,
    data: Buffer | null,
    acl: ACL[] | null,
    ephemeralOwner: bigint,
    parentCVersion: number,
    zxid: bigint,
    time: bigint,
    wantStat = false,
  ): Stat | null {
    const [parentName, childName] = splitPath(path);
    const parent = this.nodes.get(parentName);
    if (parent === undefined) throw new KeeperException(Code.NONODE);
    const parentAcl = this.aclCache.convertLong(parent.acl);
    // The ACL goes into the cache before the existence check: a replayed create of a
    // node already in a fuzzy snapshot must still allocate the same ACL index as the
    // original did, so later indices line up.
    const aclIndex = this.aclCache.convertAcls(acl);
    // Children are not part of a node's digest, so adding the name before preChange is fine.
    if (!parent.addChild(childName)) throw new KeeperException(Code.NODEEXISTS);

    this.preChange(parentName, parent);
    if (parentCVersion === -1) parentCVersion = parent.stat.cversion + 1;
    // Replaying a create that the snapshot already contains must not move cversion or
    // pzxid backwards (the node may have been created and deleted in the fuzzy range).
    if (parentCVersion > parent.stat.cversion) {
      parent.stat.cversion = parentCVersion;
      parent.stat.pzxid = zxid;
    }
    const child = new DataNode(data, aclIndex, createStat(zxid, time, ephemeralOwner));
    child.snapMark = this.snapSlice;
    this.postChange(parentName, parent);
    this.approximateDataSize += path.length + (data === null ? 0 : data.length);
    this.putNewNode(path, child);
    this.registerOwner(path, ephemeralOwner);

    if (parentName.startsWith(Quotas.quotaZookeeper)) {
      if (childName === Quotas.limitNode) this.quotaPaths.add(Quotas.trimQuotaPath(parentName));
      if (childName === Quotas.statNode) this.updateQuotaForPath(Quotas.trimQuotaPath(parentName));
    }
    const lastPrefix = this.getMaxPrefixWithQuota(path);
    if (lastPrefix !== null) this.updateQuotaStat(lastPrefix, BigInt(data?.length ?? 0), 1n);

    this.dataWatches.triggerWatch(path, EventType.NodeCreated, acl);
    this.childWatches.triggerWatch(parentName, EventType.NodeChildrenChanged, parentAcl);
    return wantStat ? this.statOf(child) : null;
  }
  // #endregion createNode

  private registerOwner(path: string, owner: bigint): void {
    const kind = ephemeralType(owner, this.extendedTypesEnabled);
    if (kind === "CONTAINER") this.containers.add(path);
    else if (kind === "TTL") this.ttls.add(path);
    else if (kind === "NORMAL") {
      let set = this.ephemerals.get(owner);
      if (set === undefined) this.ephemerals.set(owner, (set = new JavaHashSet()));
      set.add(path);
    }
  }

  private unregisterOwner(path: string, owner: bigint): void {
    const kind = ephemeralType(owner, this.extendedTypesEnabled);
    if (kind === "CONTAINER") this.containers.delete(path);
    else if (kind === "TTL") this.ttls.delete(path);
    else if (kind === "NORMAL") this.ephemerals.get(owner)?.delete(path);
  }

  // #region deleteNode
  deleteNode(path: string, zxid: bigint): void {
    const [parentName, childName] = splitPath(path);
    const parent = this.nodes.get(parentName);
    if (parent === undefined) throw new KeeperException(Code.NONODE);
    // The parent's pzxid moves even when the child is already gone: the child may have
    // been deleted during a fuzzy snapshot, and the parent must still end up as the
    // live server had it.
    this.preChange(parentName, parent);
    parent.removeChild(childName);
    if (zxid > parent.stat.pzxid) parent.stat.pzxid = zxid;
    this.postChange(parentName, parent);

    const node = this.removeNode(path);
    if (node === undefined) throw new KeeperException(Code.NONODE);
    const acl = this.aclCache.convertLong(node.acl);
    const parentAcl = this.aclCache.convertLong(parent.acl);
    this.aclCache.removeUsage(node.acl);
    this.approximateDataSize -= path.length + (node.data === null ? 0 : node.data.length);
    this.unregisterOwner(path, node.stat.ephemeralOwner);

    if (parentName.startsWith(Quotas.procZookeeper) && childName === Quotas.limitNode) {
      this.quotaPaths.delete(Quotas.trimQuotaPath(parentName));
    }
    const lastPrefix = this.getMaxPrefixWithQuota(path);
    if (lastPrefix !== null) this.updateQuotaStat(lastPrefix, -BigInt(node.data?.length ?? 0), -1n);

    const processed = this.dataWatches.triggerWatch(path, EventType.NodeDeleted, acl);
    this.childWatches.triggerWatch(path, EventType.NodeDeleted, acl, processed);
    this.childWatches.triggerWatch(parentName, EventType.NodeChildrenChanged, parentAcl);
  }
  // #endregion deleteNode

  setData(path: string, data: Buffer | null, version: number, zxid: bigint, time: bigint): Stat {
    const n = this.mustGet(path);
    const lastData = n.data;
    this.preChange(path, n);
    n.data = data;
    n.stat.mtime = time;
    n.stat.mzxid = zxid;
    n.stat.version = version;
    this.postChange(path, n);
    const stat = this.statOf(n);

    const lastPrefix = this.getMaxPrefixWithQuota(path);
    if (lastPrefix !== null) this.updateQuotaStat(lastPrefix, BigInt((data?.length ?? 0) - (lastData?.length ?? 0)), 0n);
    this.approximateDataSize += (data?.length ?? 0) - (lastData?.length ?? 0);
    this.dataWatches.triggerWatch(path, EventType.NodeDataChanged, this.aclCache.convertLong(n.acl));
    return stat;
  }

  setACL(path: string, acl: ACL[], version: number): Stat {
    const n = this.mustGet(path);
    this.aclCache.removeUsage(n.acl);
    this.preChange(path, n);
    n.stat.aversion = version;
    n.acl = this.aclCache.convertAcls(acl);
    this.postChange(path, n);
    return this.statOf(n);
  }

  /** Deletes a dead session's ephemerals: those the txn names, then any left over. */
  // #region killSession
  killSession(sessionId: bigint, zxid: bigint, pathsInTxn: string[] | null): void {
    const local = this.ephemerals.get(sessionId);
    this.ephemerals.delete(sessionId);
    if (pathsInTxn !== null) {
      this.deleteNodes(sessionId, zxid, pathsInTxn);
      if (local !== undefined) {
        for (const p of pathsInTxn) local.delete(p);
        if (local.size > 0) {
          LOG.warn(`Unexpected extra paths under session ${hex(sessionId)} which are not in txn ${hex(zxid)}: ${[...local].join(",")}`);
        }
      }
    }
    if (local !== undefined) this.deleteNodes(sessionId, zxid, local);
  }
  // #endregion killSession

  private deleteNodes(sessionId: bigint, zxid: bigint, paths: Iterable<string>): void {
    for (const path of [...paths]) {
      try {
        this.deleteNode(path, zxid);
        LOG.debug(`Deleting ephemeral node ${path} for session ${hex(sessionId)}`);
      } catch (e) {
        if (!(e instanceof KeeperException)) throw e;
        LOG.warn(`Ignoring NoNodeException for path ${path} while removing ephemeral for dead session ${hex(sessionId)}`);
      }
    }
  }

  // ---------------------------------------------------------------- txns

  // #region processTxn
  /** Applies a txn, then checks the tree digest against the one logged with it. */
  processTxn(hdr: TxnHeader, body: TxnBody, digest: TxnDigest | null = null, isSubTxn = false): ProcessTxnResult {
    const rc: ProcessTxnResult = {
      clientId: hdr.clientId,
      cxid: hdr.cxid,
      zxid: hdr.zxid,
      type: hdr.type,
      err: 0,
      path: null,
      stat: null,
      multiResult: null,
    };
    try {
      this.apply(hdr, body, rc);
    } catch (e) {
      if (!(e instanceof KeeperException)) throw e;
      LOG.debug(`Failed: ${hex(hdr.zxid)} type ${hdr.type}: ${e.message}`);
      rc.err = e.code;
    }
    // A replayed create can meet its node already there: the node was deleted by a
    // closeSession and re-created by another session after the snapshot wrote its parent.
    // Java then still moves the parent's cversion and pzxid forward, for `create` only.
    if (rc.err === Code.NODEEXISTS && body.type === OpCode.create) {
      this.setCversionPzxid(splitPath(body.txn.path)[0], body.txn.parentCVersion, hdr.zxid);
    }
    if (!isSubTxn) {
      if (rc.zxid > this.lastProcessedZxid) this.lastProcessedZxid = rc.zxid;
      if (this.digestFromLoadedSnapshot !== null) this.compareSnapshotDigests(rc.zxid);
      else this.logZxidDigest(rc.zxid);
      if (digest !== null) this.compareDigest(hdr, digest);
    }
    return rc;
  }

  /** Java's setCversionPzxid: raises a node's cversion (-1: by one) and sets its pzxid. */
  private setCversionPzxid(path: string, newCversion: number, zxid: bigint): void {
    const node = this.nodes.get(path);
    if (node === undefined) return; // Java logs and reports NONODE; the txn failed anyway
    if (newCversion === -1) newCversion = node.stat.cversion + 1;
    if (newCversion > node.stat.cversion) {
      this.preChange(path, node);
      node.stat.cversion = newCversion;
      node.stat.pzxid = zxid;
      this.postChange(path, node);
    }
  }

  private apply(hdr: TxnHeader, body: TxnBody, rc: ProcessTxnResult): void {
    switch (body.type) {
      case OpCode.create:
      case OpCode.create2: {
        const t = body.txn;
        rc.path = t.path;
        rc.stat = this.createNode(t.path, t.data, t.acl, t.ephemeral ? hdr.clientId : 0n, t.parentCVersion, hdr.zxid, hdr.time, body.type === OpCode.create2);
        return;
      }
      case OpCode.createTTL: {
        const t = body.txn;
        rc.path = t.path;
        rc.stat = this.createNode(t.path, t.data, t.acl, ttlToEphemeralOwner(t.ttl), t.parentCVersion, hdr.zxid, hdr.time, true);
        return;
      }
      case OpCode.createContainer: {
        const t = body.txn;
        rc.path = t.path;
        rc.stat = this.createNode(t.path, t.data, t.acl, CONTAINER_EPHEMERAL_OWNER, t.parentCVersion, hdr.zxid, hdr.time, true);
        return;
      }
      case OpCode.delete:
      case OpCode.deleteContainer:
        rc.path = body.txn.path;
        this.deleteNode(body.txn.path, hdr.zxid);
        return;
      case OpCode.setData:
      case OpCode.reconfig:
        rc.path = body.txn.path;
        rc.stat = this.setData(body.txn.path, body.txn.data, body.txn.version, hdr.zxid, hdr.time);
        return;
      case OpCode.setACL:
        rc.path = body.txn.path;
        rc.stat = this.setACL(body.txn.path, body.txn.acl, body.txn.version);
        return;
      case OpCode.closeSession:
        this.killSession(hdr.clientId, hdr.zxid, body.txn === null ? null : body.txn.paths2Delete);
        return;
      case OpCode.error:
        rc.err = body.txn.err;
        return;
      case OpCode.check:
        rc.path = body.txn.path;
        return;
      case OpCode.createSession:
        return;
      case OpCode.multi:
        this.applyMulti(hdr, body.txn.txns, rc);
        return;
    }
  }

  /**
   * A multi is all or nothing. Prep already decided: if any member is an error txn,
   * every other member is applied as an error too — OK for those before the failure,
   * RUNTIMEINCONSISTENCY after it — so nothing changes and each result says why.
   */
  private applyMulti(hdr: TxnHeader, txns: { type: number; data: Buffer | null }[], rc: ProcessTxnResult): void {
    rc.multiResult = [];
    const failed = txns.some((t) => t.type === OpCode.error);
    let postFailed = false;
    for (const sub of txns) {
      let body = readTxnBody(new InputArchive(sub.data ?? Buffer.alloc(0)), sub.type);
      if (sub.type === OpCode.error) postFailed = true;
      if (failed && sub.type !== OpCode.error) {
        body = { type: OpCode.error, txn: { err: postFailed ? Code.RUNTIMEINCONSISTENCY : Code.OK } };
      }
      const subHdr: TxnHeader = { ...hdr, type: body.type };
      const subRc = this.processTxn(subHdr, body, null, true);
      rc.multiResult.push(subRc);
      if (subRc.err !== 0 && rc.err === 0) rc.err = subRc.err;
    }
  }
  // #endregion processTxn

  // ---------------------------------------------------------------- digests

  private compareDigest(hdr: TxnHeader, digest: TxnDigest): boolean {
    if (!this.digestEnabled || this.digestFromLoadedSnapshot !== null) return true;
    if (digest.version !== DIGEST_VERSION) return true;
    if (digest.treeDigest === this.treeDigestValue) return true;
    this.digestMismatches++;
    if (this.firstMismatchTxn) {
      LOG.error(`First digest mismatch on txn ${hex(hdr.zxid)} type ${hdr.type}: expected digest is ${digest.treeDigest}, actual digest is ${this.treeDigestValue}`);
      this.firstMismatchTxn = false;
    }
    return false;
  }

  /**
   * The digest a loaded snapshot carries that replay has not reached yet (Java's
   * getDigestFromLoadedSnapshot); FileTxnSnapLog warns when a restore ends with one.
   */
  getDigestFromLoadedSnapshot(): ZxidDigest | null {
    return this.digestFromLoadedSnapshot;
  }

  /**
   * Compares the tree with the snapshot's digest once `zxid` is the one it was taken at.
   * FileSnap calls it right after a load, for a snapshot whose digest is its own zxid.
   */
  compareSnapshotDigests(zxid: bigint): void {
    const d = this.digestFromLoadedSnapshot;
    if (d === null) return;
    if (zxid === d.zxid) {
      if (d.digestVersion === DIGEST_VERSION && this.treeDigestValue !== d.digest) {
        this.digestMismatches++;
        LOG.error(`Digest mismatch against the snapshot at ${hex(zxid)}`);
      }
      this.digestFromLoadedSnapshot = null;
    }
  }

  /** The digest of the last applied txn, written after a snapshot's checksum. */
  serializeZxidDigest(oa: BinaryOutputArchive): boolean {
    if (!this.digestEnabled) return false;
    const d = this.lastProcessedZxidDigest ?? { zxid: 0n, digestVersion: DIGEST_VERSION, digest: 0n };
    oa.writeLong(d.zxid);
    oa.writeInt(d.digestVersion);
    oa.writeLong(d.digest);
    return true;
  }

  /**
   * Reads the digest a snapshot carries. A digest taken before the snapshot's own zxid
   * cannot be checked (the fuzzy replay may never reach that state again) and is dropped;
   * otherwise replay compares the tree with it when it reaches that zxid.
   */
  deserializeZxidDigest(ia: BinaryInputArchive, snapZxid: bigint): boolean {
    if (!this.digestEnabled) return false;
    const zxid = ia.readLong();
    const digestVersion = ia.readInt();
    const digest = digestVersion < 2 ? BigInt.asIntN(64, BigInt("0x" + (ia.readString() ?? "0"))) : ia.readLong();
    this.digestFromLoadedSnapshot = zxid > 0n && zxid >= snapZxid ? { zxid, digestVersion, digest } : null;
    return true;
  }

  // ---------------------------------------------------------------- snapshots

  // #region serialize
  /**
   * Writes the snapshot body: the ACL cache, then every node (the root under the path
   * ""), then the end marker "/". Yields every `sliceSize` nodes so the caller can flush
   * bytes to disk and let requests run; txns applied between slices make the snapshot
   * fuzzy, which replaying the log from the snapshot's zxid repairs.
   *
   * Java walks the tree depth first. We walk the node map in insertion order, three
   * times cheaper (no path strings to build, no lookups), which still puts parents
   * before children as the reader needs: a node enters the map only while its parent is
   * in it, and a parent cannot leave while it has children. A Map iterator stays valid
   * while entries come and go between slices; it skips entries deleted before it gets
   * to them and visits entries added behind it.
   *
   * That last part needs a rule. Java copies a node's child list when it writes the
   * node, so a child created after its parent was written is not in the snapshot, and
   * its replay relies on that: a create of a node that is already there (NODEEXISTS)
   * leaves the parent's cversion alone, which would be off by one per such child.
   * Every node carries `snapMark`: the slice counter when it was created, then the slice
   * that wrote it. A node created during this snapshot is written only if its parent
   * was written in this snapshot no earlier than the child's creation.
   */
  *serializeNodes(oa: BinaryOutputArchive, sliceSize = 250): Generator<void, void, void> {
    this.aclCache.serialize(oa);
    const firstSlice = ++this.snapSlice;
    let count = 0;
    for (const [path, node] of this.nodes) {
      if (node.snapMark >= firstSlice && !this.parentWrittenAfter(path, node.snapMark)) {
        node.snapMark = -1; // left out, and so are its children
        continue;
      }
      node.snapMark = this.snapSlice;
      oa.writeString(path === "/" ? "" : path);
      // The DataNode record, field by field. Java copies the stat first because another
      // thread may change it meanwhile; here nothing runs until the slice yields.
      oa.writeBuffer(node.data);
      oa.writeLong(node.acl);
      StatPersisted.write(oa, node.stat);
      if (++count % sliceSize === 0) {
        this.snapSlice++; // before yielding: what is created meanwhile belongs to the next slice
        yield;
      }
    }
    this.snapSlice++;
    oa.writeString("/");
  }

  /**
   * Whether the parent of `path` went into this snapshot in slice `createdIn` or later.
   * The parent comes first in the map, so by now it is marked: written (its slice) or
   * left out (-1).
   */
  private parentWrittenAfter(path: string, createdIn: number): boolean {
    const parent = this.nodes.get(splitPath(path)[0]);
    return parent !== undefined && parent.snapMark >= createdIn;
  }
  // #endregion serialize

  /** The whole snapshot body at once (tests and small trees). */
  serialize(oa: BinaryOutputArchive): void {
    for (const _ of this.serializeNodes(oa, Number.MAX_SAFE_INTEGER)) {
      // never yields with an infinite slice
    }
  }

  /** Rebuilds the whole tree from a snapshot body at once (tests and small trees). */
  deserialize(ia: BinaryInputArchive): void {
    for (const _ of this.deserializeNodes(ia, Number.MAX_SAFE_INTEGER)) {
      // never yields with an infinite slice
    }
  }

  // #region deserialize
  /**
   * Rebuilds the tree from a snapshot body [001 L2615–2732], yielding every `sliceSize`
   * nodes. The client port is already open while this runs (as in Java), and a million
   * znodes take seconds: between slices the server answers `ruok`, says it is not
   * serving yet to `srvr`, and closes a client that tries to connect.
   */
  *deserializeNodes(ia: BinaryInputArchive, sliceSize = 5000): Generator<void, void, void> {
    this.aclCache.deserialize(ia);
    this.nodes.clear();
    this.treeDigestValue = 0n;
    this.quotaPaths.clear();
    this.ephemerals.clear();
    this.containers.clear();
    this.ttls.clear();
    let path = ia.readString();
    let sawRoot = false;
    let count = 0;
    while (path !== "/") {
      if (path === null) throw new Error("Invalid Datatree, null path");
      const rec = DataNodeRecord.read(ia);
      const node = new DataNode(rec.data, rec.acl, rec.stat);
      this.aclCache.addUsage(node.acl);
      const lastSlash = path.lastIndexOf("/");
      if (lastSlash === -1) {
        // The root is written under "" (Java's alias), so a path without "/" is it.
        this.putNode("/", node);
        sawRoot = true;
      } else {
        const [parentPath, name] = splitPath(path);
        const parent = this.nodes.get(parentPath);
        if (parent === undefined) throw new Error(`Invalid Datatree, unable to find parent ${parentPath} of path ${path}`);
        this.putNode(path, node);
        parent.addChild(name);
        this.registerOwner(path, node.stat.ephemeralOwner);
      }
      if (++count % sliceSize === 0) yield;
      path = ia.readString();
    }
    if (!sawRoot) throw new Error("Invalid Datatree, no root node");
    this.approximateDataSize = this.computeDataSize();
    this.setupQuota();
    this.aclCache.purgeUnused();
  }
  // #endregion deserialize

  private computeDataSize(): number {
    let n = 0;
    for (const [p, node] of this.nodes) n += p.length + (node.data?.length ?? 0);
    return n;
  }

  // ---------------------------------------------------------------- quotas

  getMaxPrefixWithQuota(path: string): string | null {
    if (this.quotaPaths.size === 0) return null;
    let p = path;
    while (p.length > 1) {
      if (this.quotaPaths.has(p)) return p;
      p = splitPath(p)[0];
    }
    return null;
  }

  private updateQuotaStat(lastPrefix: string, bytesDiff: bigint, countDiff: bigint): void {
    const node = this.nodes.get(Quotas.statPath(lastPrefix));
    if (node === undefined) {
      LOG.error(`Missing node for stat ${Quotas.statPath(lastPrefix)}`);
      return;
    }
    const st = new StatsTrack(node.data);
    st.setCount(st.getCount() + countDiff);
    st.setBytes(st.getBytes() + bytesDiff);
    node.data = st.getStatsBytes();
  }

  private updateQuotaForPath(path: string): void {
    let count = 0n;
    let bytes = 0n;
    const walk = (p: string): void => {
      const n = this.nodes.get(p);
      if (n === undefined) return;
      count += 1n;
      bytes += BigInt(n.data?.length ?? 0);
      const prefix = p === "/" ? "/" : p + "/";
      for (const c of n.childNames()) walk(prefix + c);
    };
    walk(path);
    const st = new StatsTrack();
    st.setBytes(bytes);
    st.setCount(count);
    const sp = Quotas.statPath(path);
    const node = this.nodes.get(sp);
    if (node === undefined) {
      LOG.warn(`Missing quota stat node ${sp}`);
      return;
    }
    this.preChange(sp, node);
    node.data = st.getStatsBytes();
    this.postChange(sp, node);
  }

  /** After a snapshot load: find every limit node and recount its subtree. */
  private setupQuota(): void {
    const walk = (p: string): void => {
      const n = this.nodes.get(p);
      if (n === undefined) return;
      const names = n.childNames();
      if (names.length === 0) {
        const end = "/" + Quotas.limitNode;
        if (p.endsWith(end)) {
          const realPath = p.substring(Quotas.quotaZookeeper.length, p.length - end.length);
          this.updateQuotaForPath(realPath);
          this.quotaPaths.add(realPath);
        }
        return;
      }
      for (const c of names) walk(p + "/" + c);
    };
    walk(Quotas.quotaZookeeper);
  }

  // ---------------------------------------------------------------- watches

  addWatch(basePath: string, watcher: Watcher, mode: number): void {
    const m: WatcherMode = watcherModeFromZooDef(mode);
    this.dataWatches.addWatch(basePath, watcher, m);
    this.childWatches.addWatch(basePath, watcher, m);
  }

  removeCnxn(watcher: Watcher): void {
    this.dataWatches.removeWatcher(watcher);
    this.childWatches.removeWatcher(watcher);
  }

  // #region setWatches
  /**
   * Re-registers a reconnecting client's watches. Anything that changed after the last
   * zxid the client saw fires at once instead, so no change falls between the old
   * connection and the new one.
   */
  setWatches(
    relativeZxid: bigint,
    dataWatches: string[],
    existWatches: string[],
    childWatches: string[],
    persistentWatches: string[],
    persistentRecursiveWatches: string[],
    watcher: Watcher,
  ): void {
    const fire = (type: EventType, path: string) => watcher.process({ type, state: KeeperState.SyncConnected, path });
    for (const path of dataWatches) {
      const node = this.nodes.get(path);
      if (node === undefined) fire(EventType.NodeDeleted, path);
      else if (node.stat.mzxid > relativeZxid) fire(EventType.NodeDataChanged, path);
      else this.dataWatches.addWatch(path, watcher);
    }
    for (const path of existWatches) {
      if (this.nodes.has(path)) fire(EventType.NodeCreated, path);
      else this.dataWatches.addWatch(path, watcher);
    }
    for (const path of childWatches) {
      const node = this.nodes.get(path);
      if (node === undefined) fire(EventType.NodeDeleted, path);
      else if (node.stat.pzxid > relativeZxid) fire(EventType.NodeChildrenChanged, path);
      else this.childWatches.addWatch(path, watcher);
    }
    for (const path of persistentWatches) {
      this.childWatches.addWatch(path, watcher, "PERSISTENT");
      this.dataWatches.addWatch(path, watcher, "PERSISTENT");
    }
    for (const path of persistentRecursiveWatches) {
      this.childWatches.addWatch(path, watcher, "PERSISTENT_RECURSIVE");
      this.dataWatches.addWatch(path, watcher, "PERSISTENT_RECURSIVE");
    }
  }
  // #endregion setWatches

  containsWatcher(path: string, type: number, watcher: Watcher): boolean {
    if (type === 1) return this.childWatches.containsWatcher(path, watcher);
    if (type === 2) return this.dataWatches.containsWatcher(path, watcher);
    const c = this.childWatches.containsWatcher(path, watcher);
    const d = this.dataWatches.containsWatcher(path, watcher);
    return c || d;
  }

  removeWatch(path: string, type: number, watcher: Watcher): boolean {
    if (type === 1) return this.childWatches.removeWatch(path, watcher);
    if (type === 2) return this.dataWatches.removeWatch(path, watcher);
    const c = this.childWatches.removeWatch(path, watcher);
    const d = this.dataWatches.removeWatch(path, watcher);
    return c || d;
  }

  get watchCount(): number {
    return this.dataWatches.size + this.childWatches.size;
  }

  /** Checks the invariants in the header; tests call it after random operations. */
  checkInvariants(): void {
    let digest = 0n;
    for (const [path, node] of this.nodes) {
      if (path !== "/") {
        const [parent, name] = splitPath(path);
        assert.ok(this.nodes.get(parent)?.children?.has(name), `${path} is not listed in its parent`);
      }
      for (const c of node.childNames()) assert.ok(this.nodes.has((path === "/" ? "/" : path + "/") + c), `child ${c} of ${path} missing`);
      if (this.digestEnabled) digest = addDigest(digest, calculateDigest(path, node.data, node.stat));
    }
    if (this.digestEnabled) assert.equal(digest, this.treeDigestValue, "tree digest out of date");
  }
}
