/**
 * PrepRequestProcessor — the first processor: validates each request against the
 * tree-as-it-will-be, assigns a zxid to each write and turns it into a txn.
 *
 * Reimplements `org.apache.zookeeper.server.PrepRequestProcessor` (3.8). Chapter 07;
 * the documents list the request records it decodes [001 L8063–8363] but never show its
 * body beyond that (G11), so the logic below is added knowledge (U).
 *
 * For every write, in order:
 *   1. a TxnHeader with the next zxid and the wall-clock time (which becomes mtime);
 *   2. checks against ChangeRecords (pending changes) or the tree: session, path, ACL,
 *      version, existence, quota; a failure turns the txn into an ErrorTxn with the
 *      code, which still consumes the zxid and is still logged;
 *   3. ChangeRecords describing the effect, so the next request sees it;
 *   4. the tree digest after the change (TxnDigest), computed from the change records'
 *      node digests so it can be logged before the change is applied.
 * Reads only get their session checked here; FinalRequestProcessor answers them.
 *
 * Queue and ordering: requests enter `submittedRequests` in the order their bytes
 * arrived and are handled strictly in that order, so zxids follow arrival order and one
 * session's requests keep their order. The queue is drained in one loop per event-loop
 * turn (setImmediate), which hands the next processor whole batches: that is what lets
 * SyncRequestProcessor commit many txns with one fsync.
 *
 * Differs from Java: no thread; local sessions and the reconfig of an ensemble are not
 * here (standalone answers reconfig with RECONFIGDISABLED, as 3.8 does by default).
 */
import { BinaryInputArchive, JuteError } from "../jute/BinaryInputArchive.js";
import type { ACL, Id } from "../jute/data.js";
import type { RequestACL } from "../jute/proto.js";
import { CreateMode, createModeFromFlag, type CreateModeInfo } from "../jute/CreateMode.js";
import { Code, KeeperException } from "../jute/KeeperException.js";
import * as proto from "../jute/proto.js";
import type { RecordCodec } from "../jute/Record.js";
import type { Txn } from "../jute/txn.js";
import { OpCode, Perms } from "../jute/ZooDefs.js";
import { encodeTxnBody, type TxnBody } from "../persistence/TxnLogEntry.js";
import { getLogger, hex } from "../util/Logger.js";
import { createStat, splitPath } from "../data/DataNode.js";
import { DIGEST_VERSION } from "../data/DigestCalculator.js";
import { CONTAINER_EPHEMERAL_OWNER, ephemeralType, ttlToEphemeralOwner } from "../data/EphemeralType.js";
import { ChangeRecord, type PrecalculatedDigest } from "./ChangeRecord.js";
import { nonNull, NullPointerException } from "./NullPointerException.js";
import { decodeMultiRequest, type MultiOp } from "./MultiRecords.js";
import { validatePath } from "../jute/PathUtils.js";
import type { Request } from "./Request.js";
import { traceHandOff, type RequestProcessor } from "./RequestProcessor.js";
import type { ZooKeeperServer } from "./ZooKeeperServer.js";

const LOG = getLogger("PrepRequestProcessor");

type DigestOp = "NOOP" | "ADD" | "REMOVE" | "UPDATE";

export class PrepRequestProcessor implements RequestProcessor {
  private readonly submittedRequests: Request[] = [];
  private draining = false;
  private stopped = false;

  constructor(
    private readonly zks: ZooKeeperServer,
    private readonly nextProcessor: RequestProcessor,
  ) {}

  // #region prep-queue
  processRequest(request: Request): void {
    if (this.stopped) return;
    this.submittedRequests.push(request);
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    // Everything that arrived during this event-loop turn goes down as one batch.
    const batch = this.submittedRequests.splice(0);
    this.draining = false;
    for (const request of batch) {
      if (this.stopped) return;
      this.pRequest(request);
    }
    this.nextProcessor.flush?.();
  }
  // #endregion prep-queue

  private pRequest(request: Request): void {
    request.hdr = null;
    request.txn = null;
    this.pRequestHelper(request);
    request.zxid = this.zks.getZxid();
    traceHandOff("PrepRequestProcessor", this.nextProcessor, request);
    this.nextProcessor.processRequest(request);
  }

  // ---------------------------------------------------------------- change records

  private get tree() {
    return this.zks.zkDb.dataTree;
  }

  /** The newest view of a node: a pending change record, or the tree. */
  private getRecordForPath(path: string): ChangeRecord {
    const last = this.findRecordForPath(path);
    if (last === null) throw new KeeperException(Code.NONODE, path);
    return last;
  }

  /** Whether the node exists once the pending writes are applied (no record is built). */
  private nodeWillExist(path: string): boolean {
    const pending = this.zks.outstandingChangesForPath.get(path);
    return pending !== undefined ? pending.stat !== null : this.tree.getNode(path) !== undefined;
  }

  /** The newest view of a node, or null when it does not exist (or is about to be deleted). */
  private findRecordForPath(path: string): ChangeRecord | null {
    const pending = this.zks.outstandingChangesForPath.get(path);
    if (pending !== undefined) return pending.stat === null ? null : pending;
    const n = this.tree.getNode(path);
    if (n === undefined) return null;
    const last = new ChangeRecord(-1n, path, n.stat, n.numChildren, this.tree.aclForNode(n));
    last.precalculatedDigest = { nodeDigest: this.tree.digestOfNode(path, n), treeDigest: 0n };
    last.data = n.data;
    return last;
  }

  private addChangeRecord(c: ChangeRecord): void {
    this.zks.outstandingChanges.push(c);
    this.zks.outstandingChangesForPath.set(c.path, c);
  }

  /** The pending records a multi may overwrite, to restore if it fails. */
  private getPendingChanges(ops: MultiOp[]): Map<string, ChangeRecord> {
    const pending = new Map<string, ChangeRecord>();
    for (const op of ops) {
      const path = nonNull(op.path, "multi op path");
      const cr = this.zks.outstandingChangesForPath.get(path);
      if (cr !== undefined) pending.set(path, cr);
      const lastSlash = path.lastIndexOf("/");
      if (lastSlash === -1 || path.includes("\0")) continue;
      const parent = splitPath(path)[0];
      const pcr = this.zks.outstandingChangesForPath.get(parent);
      if (pcr !== undefined) pending.set(parent, pcr);
    }
    return pending;
  }

  private rollbackPendingChanges(zxid: bigint, pending: Map<string, ChangeRecord>): void {
    const oc = this.zks.outstandingChanges;
    while (oc.length > 0 && oc[oc.length - 1]!.zxid === zxid) {
      const c = oc.pop()!;
      this.zks.outstandingChangesForPath.delete(c.path);
    }
    if (oc.length === 0) return;
    const firstZxid = oc[0]!.zxid;
    for (const c of pending.values()) {
      // Records older than the oldest outstanding one were applied meanwhile.
      if (c.zxid < firstZxid) continue;
      this.zks.outstandingChangesForPath.set(c.path, c);
    }
  }

  // ---------------------------------------------------------------- digests

  private currentTreeDigest(): bigint {
    const oc = this.zks.outstandingChanges;
    return oc.length === 0 ? this.tree.treeDigest : oc[oc.length - 1]!.precalculatedDigest!.treeDigest;
  }

  // #region precalculate-digest
  private precalculateDigest(op: DigestOp, path: string, data: Buffer | null = null, stat: ChangeRecord["stat"] = null): PrecalculatedDigest | null {
    if (!this.tree.digestEnabled) return null;
    let prev = 0;
    let next = 0;
    if (op === "ADD") next = this.tree.digestOf(path, data, stat!);
    else if (op === "REMOVE") prev = this.getRecordForPath(path).precalculatedDigest!.nodeDigest;
    else if (op === "UPDATE") {
      prev = this.getRecordForPath(path).precalculatedDigest!.nodeDigest;
      next = this.tree.digestOf(path, data, stat!);
    }
    const treeDigest = BigInt.asIntN(64, this.currentTreeDigest() - BigInt(prev) + BigInt(next));
    return { nodeDigest: next, treeDigest };
  }
  // #endregion precalculate-digest

  private setTxnDigest(request: Request, d: PrecalculatedDigest | null = null): void {
    if (!this.tree.digestEnabled) return;
    request.txnDigest = { version: DIGEST_VERSION, treeDigest: d === null ? this.currentTreeDigest() : d.treeDigest };
  }

  // ---------------------------------------------------------------- validation

  private checkSession(request: Request): void {
    this.zks.sessionTracker.checkSession(request.sessionId, request.owner);
  }

  private validatePath(path: string | null, sessionId: bigint): asserts path is string {
    const reason = validatePath(path);
    if (reason !== null) {
      LOG.info(`Invalid path ${path} with session ${hex(sessionId)}, reason: ${reason}`);
      throw new KeeperException(Code.BADARGUMENTS, path ?? undefined);
    }
  }

  private getParentPathAndValidate(path: string): string {
    if (path.lastIndexOf("/") === -1 || path.includes("\0") || this.tree.isSpecialPath(path)) {
      throw new KeeperException(Code.BADARGUMENTS, path);
    }
    return splitPath(path)[0];
  }

  private static checkAndIncVersion(current: number, expected: number, path: string): number {
    if (expected !== -1 && expected !== current) throw new KeeperException(Code.BADVERSION, path);
    return current + 1;
  }

  // ---------------------------------------------------------------- request → txn

  // #region pRequest2Txn
  /** Turns one write (or one member of a multi) into a txn, or throws KeeperException. */
  private pRequest2Txn(type: number, zxid: bigint, request: Request, record: unknown): void {
    if (request.hdr === null) {
      request.hdr = { clientId: request.sessionId, cxid: request.cxid, zxid, time: BigInt(this.zks.clock.wallTime()), type };
    }
    switch (type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createTTL:
      case OpCode.createContainer:
        this.pRequest2TxnCreate(type, request, record as proto.CreateTTLRequest | proto.CreateRequest);
        break;
      case OpCode.deleteContainer: {
        const path = record as string;
        const parentPath = this.getParentPathAndValidate(path);
        const nodeRecord = this.getRecordForPath(path);
        if (nodeRecord.childCount > 0) throw new KeeperException(Code.NOTEMPTY, path);
        if (ephemeralType(nodeRecord.stat!.ephemeralOwner, this.tree.extendedTypesEnabled) === "NORMAL") {
          throw new KeeperException(Code.BADVERSION, path);
        }
        this.removeNodeRecords(request, OpCode.deleteContainer, path, parentPath);
        break;
      }
      case OpCode.delete: {
        this.checkSession(request);
        const { path: maybePath, version } = record as proto.DeleteRequest;
        const path = nonNull(maybePath, "path");
        const parentPath = this.getParentPathAndValidate(path);
        const parentRecord = this.getRecordForPath(parentPath);
        this.zks.checkACL(parentRecord.acl, Perms.DELETE, request.authInfo, path, null);
        const nodeRecord = this.getRecordForPath(path);
        PrepRequestProcessor.checkAndIncVersion(nodeRecord.stat!.version, version, path);
        if (nodeRecord.childCount > 0) throw new KeeperException(Code.NOTEMPTY, path);
        this.removeNodeRecords(request, OpCode.delete, path, parentPath);
        break;
      }
      case OpCode.setData: {
        this.checkSession(request);
        const { path, data, version } = record as proto.SetDataRequest;
        this.validatePath(path, request.sessionId);
        let nodeRecord = this.getRecordForPath(path);
        this.zks.checkACL(nodeRecord.acl, Perms.WRITE, request.authInfo, path, null);
        this.zks.checkQuota(path, nodeRecord.data, data, OpCode.setData);
        const newVersion = PrepRequestProcessor.checkAndIncVersion(nodeRecord.stat!.version, version, path);
        request.txn = { type: OpCode.setData, txn: { path, data, version: newVersion } };
        nodeRecord = nodeRecord.duplicate(request.hdr.zxid);
        nodeRecord.stat!.version = newVersion;
        nodeRecord.stat!.mtime = request.hdr.time;
        nodeRecord.stat!.mzxid = zxid;
        nodeRecord.data = data;
        nodeRecord.precalculatedDigest = this.precalculateDigest("UPDATE", path, nodeRecord.data, nodeRecord.stat);
        this.setTxnDigest(request, nodeRecord.precalculatedDigest);
        this.addChangeRecord(nodeRecord);
        break;
      }
      case OpCode.reconfig:
        LOG.error("Reconfig operation requested but reconfig feature is disabled.");
        throw new KeeperException(Code.RECONFIGDISABLED);
      case OpCode.setACL: {
        this.checkSession(request);
        const { path, acl, version } = record as proto.SetACLRequest;
        this.validatePath(path, request.sessionId);
        const listACL = this.fixupACL(path, request.authInfo, acl);
        let nodeRecord = this.getRecordForPath(path);
        this.zks.checkACL(nodeRecord.acl, Perms.ADMIN, request.authInfo, path, listACL);
        const newVersion = PrepRequestProcessor.checkAndIncVersion(nodeRecord.stat!.aversion, version, path);
        request.txn = { type: OpCode.setACL, txn: { path, acl: listACL, version: newVersion } };
        // Like 3.8, the pending record keeps the old ACL list: only aversion changes
        // until the txn is applied.
        nodeRecord = nodeRecord.duplicate(request.hdr.zxid);
        nodeRecord.stat!.aversion = newVersion;
        nodeRecord.precalculatedDigest = this.precalculateDigest("UPDATE", path, nodeRecord.data, nodeRecord.stat);
        this.setTxnDigest(request, nodeRecord.precalculatedDigest);
        this.addChangeRecord(nodeRecord);
        break;
      }
      case OpCode.createSession: {
        const timeOut = (record as Buffer).readInt32BE(0);
        request.txn = { type: OpCode.createSession, txn: { timeOut } };
        this.zks.sessionTracker.trackSession(request.sessionId, timeOut);
        this.zks.sessionTracker.setOwner(request.sessionId, request.owner);
        break;
      }
      case OpCode.closeSession:
        this.prepCloseSession(request);
        break;
      case OpCode.check: {
        this.checkSession(request);
        const { path, version } = record as proto.CheckVersionRequest;
        this.validatePath(path, request.sessionId);
        const nodeRecord = this.getRecordForPath(path);
        this.zks.checkACL(nodeRecord.acl, Perms.READ, request.authInfo, path, null);
        request.txn = { type: OpCode.check, txn: { path, version: PrepRequestProcessor.checkAndIncVersion(nodeRecord.stat!.version, version, path) } };
        break;
      }
      default:
        LOG.warn(`unknown type ${type}`);
        break;
    }
    // A txn that changes nothing (createSession, check) carries the current digest.
    if (request.txnDigest === null) this.setTxnDigest(request);
  }
  // #endregion pRequest2Txn

  /** Change records for deleting `path`: the parent loses a child, the node goes. */
  private removeNodeRecords(request: Request, type: typeof OpCode.delete | typeof OpCode.deleteContainer, path: string, parentPath: string): void {
    const zxid = request.hdr!.zxid;
    request.txn = { type, txn: { path } };
    const parentRecord = this.getRecordForPath(parentPath).duplicate(zxid);
    parentRecord.childCount--;
    parentRecord.stat!.pzxid = zxid;
    parentRecord.precalculatedDigest = this.precalculateDigest("UPDATE", parentPath, parentRecord.data, parentRecord.stat);
    this.addChangeRecord(parentRecord);
    const nodeRecord = new ChangeRecord(zxid, path, null, -1, null);
    nodeRecord.precalculatedDigest = this.precalculateDigest("REMOVE", path);
    this.setTxnDigest(request, nodeRecord.precalculatedDigest);
    this.addChangeRecord(nodeRecord);
  }

  // #region prep-create
  private pRequest2TxnCreate(type: number, request: Request, record: proto.CreateRequest | proto.CreateTTLRequest): void {
    const { flags, acl, data } = record;
    const ttl = type === OpCode.createTTL ? (record as proto.CreateTTLRequest).ttl : -1n;
    const createMode = createModeFromFlag(flags);
    if (createMode === undefined) throw new KeeperException(Code.BADARGUMENTS, record.path ?? undefined);
    this.validateCreateRequest(record.path ?? "null", createMode, request, ttl);
    let path = nonNull(record.path, "path");
    const parentPath = this.validatePathForCreate(path, request.sessionId);
    const listACL = this.fixupACL(path, request.authInfo, acl);
    let parentRecord = this.getRecordForPath(parentPath);
    this.zks.checkACL(parentRecord.acl, Perms.CREATE, request.authInfo, path, listACL);
    const parentCVersion = parentRecord.stat!.cversion;
    if (createMode.sequential) path = path + formatSequence(parentCVersion);
    this.validatePath(path, request.sessionId);
    if (this.nodeWillExist(path)) throw new KeeperException(Code.NODEEXISTS, path);
    if (ephemeralType(parentRecord.stat!.ephemeralOwner, this.tree.extendedTypesEnabled) === "NORMAL") {
      throw new KeeperException(Code.NOCHILDRENFOREPHEMERALS, path);
    }
    const newCversion = parentRecord.stat!.cversion + 1;
    this.zks.checkQuota(path, null, data, OpCode.create);
    const hdr = request.hdr!;
    if (type === OpCode.createContainer) {
      request.txn = { type: OpCode.createContainer, txn: { path, data, acl: listACL, parentCVersion: newCversion } };
    } else if (type === OpCode.createTTL) {
      request.txn = { type: OpCode.createTTL, txn: { path, data, acl: listACL, parentCVersion: newCversion, ttl } };
    } else {
      request.txn = { type: type as typeof OpCode.create, txn: { path, data, acl: listACL, ephemeral: createMode.ephemeral, parentCVersion: newCversion } };
    }
    let ephemeralOwner = 0n;
    if (createMode.container) ephemeralOwner = CONTAINER_EPHEMERAL_OWNER;
    else if (createMode.ttl) ephemeralOwner = ttlToEphemeralOwner(ttl);
    else if (createMode.ephemeral) ephemeralOwner = request.sessionId;
    const s = createStat(hdr.zxid, hdr.time, ephemeralOwner);
    parentRecord = parentRecord.duplicate(hdr.zxid);
    parentRecord.childCount++;
    parentRecord.stat!.cversion = newCversion;
    parentRecord.stat!.pzxid = hdr.zxid;
    parentRecord.precalculatedDigest = this.precalculateDigest("UPDATE", parentPath, parentRecord.data, parentRecord.stat);
    this.addChangeRecord(parentRecord);
    const nodeRecord = new ChangeRecord(hdr.zxid, path, s, 0, listACL);
    nodeRecord.data = data;
    nodeRecord.precalculatedDigest = this.precalculateDigest("ADD", path, nodeRecord.data, s);
    this.setTxnDigest(request, nodeRecord.precalculatedDigest);
    this.addChangeRecord(nodeRecord);
  }
  // #endregion prep-create

  private validatePathForCreate(path: string, sessionId: bigint): string {
    if (path.lastIndexOf("/") === -1 || path.includes("\0")) {
      LOG.info(`Invalid path ${path} with session ${hex(sessionId)}`);
      throw new KeeperException(Code.BADARGUMENTS, path);
    }
    return splitPath(path)[0];
  }

  private validateCreateRequest(path: string, mode: CreateModeInfo, request: Request, ttl: bigint): void {
    if (mode.ttl && !this.tree.extendedTypesEnabled) throw new KeeperException(Code.UNIMPLEMENTED);
    try {
      if (mode.ttl) ttlToEphemeralOwner(ttl);
      else if (ttl >= 0n) throw new RangeError(`ttl not valid for mode: ${mode.name}`);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new KeeperException(Code.BADARGUMENTS, path);
    }
    if (mode.ephemeral) this.zks.sessionTracker.checkGlobalSession(request.sessionId, request.owner);
    else this.checkSession(request);
  }

  private prepCloseSession(request: Request): void {
    const zxid = request.hdr!.zxid;
    // The session's ephemerals as they will be once the pending writes land.
    const es = this.tree.getEphemerals(request.sessionId);
    for (const c of this.zks.outstandingChanges) {
      if (c.stat === null) es.delete(c.path);
      else if (c.stat.ephemeralOwner === request.sessionId) es.add(c.path);
    }
    for (const path2Delete of es) {
      if (this.tree.digestEnabled) {
        const parentPath = this.getParentPathAndValidate(path2Delete);
        const parentRecord = this.getRecordForPath(parentPath).duplicate(zxid);
        parentRecord.stat!.pzxid = zxid;
        parentRecord.precalculatedDigest = this.precalculateDigest("UPDATE", parentPath, parentRecord.data, parentRecord.stat);
        this.addChangeRecord(parentRecord);
      }
      const nodeRecord = new ChangeRecord(zxid, path2Delete, null, 0, null);
      nodeRecord.precalculatedDigest = this.precalculateDigest("REMOVE", path2Delete);
      this.addChangeRecord(nodeRecord);
    }
    if (this.zks.config.closeSessionTxnEnabled) {
      request.txn = { type: OpCode.closeSession, txn: { paths2Delete: es.toArray() } };
    } else {
      request.txn = { type: OpCode.closeSession, txn: null };
    }
    this.zks.sessionTracker.setSessionClosing(request.sessionId);
  }

  // #region fixupACL
  /**
   * Checks an ACL list and expands the "auth" scheme into the ids the requester has
   * authenticated as: `auth::cdrwa` means "whoever creates this".
   */
  fixupACL(path: string, authInfo: readonly Id[], acls: RequestACL[] | null): ACL[] {
    const uniq: RequestACL[] = [];
    for (const a of acls ?? []) {
      if (!uniq.some((u) => aclEquals(a, u))) uniq.push(a);
    }
    if (uniq.length === 0) throw new KeeperException(Code.INVALIDACL, path);
    const rv: ACL[] = [];
    for (const a of uniq) {
      const { scheme, id } = a.id;
      if (scheme === null) throw new KeeperException(Code.INVALIDACL, path);
      if (scheme === "world" && nonNull(id, "id") === "anyone") {
        rv.push({ perms: a.perms, id: { scheme, id: "anyone" } });
      } else if (scheme === "auth") {
        let valid = false;
        for (const cid of authInfo) {
          const ap = this.zks.authProviders.get(cid.scheme);
          if (ap === undefined) LOG.error(`Missing AuthenticationProvider for ${cid.scheme}`);
          else if (ap.isAuthenticated()) {
            valid = true;
            rv.push({ perms: a.perms, id: cid });
          }
        }
        if (!valid) throw new KeeperException(Code.INVALIDACL, path);
      } else {
        const ap = this.zks.authProviders.get(scheme);
        if (ap === undefined || !ap.isValid(nonNull(id, "id"))) throw new KeeperException(Code.INVALIDACL, path);
        rv.push({ perms: a.perms, id: { scheme, id: id! } });
      }
    }
    return rv;
  }
  // #endregion fixupACL

  // ---------------------------------------------------------------- dispatch

  private decode<T>(codec: RecordCodec<T>, request: Request): T {
    return codec.decode(request.request ?? Buffer.alloc(0));
  }

  private pRequestHelper(request: Request): void {
    try {
      switch (request.type) {
        case OpCode.createContainer:
        case OpCode.create:
        case OpCode.create2:
          this.pRequest2Txn(request.type, this.zks.getNextZxid(), request, this.decode(proto.CreateRequest, request));
          break;
        case OpCode.createTTL:
          this.pRequest2Txn(request.type, this.zks.getNextZxid(), request, this.decode(proto.CreateTTLRequest, request));
          break;
        case OpCode.deleteContainer:
          // The container manager's request carries the bare path, not a DeleteRequest.
          this.pRequest2Txn(request.type, this.zks.getNextZxid(), request, (request.request ?? Buffer.alloc(0)).toString("utf8"));
          break;
        case OpCode.delete:
          this.pRequest2Txn(request.type, this.zks.getNextZxid(), request, this.decode(proto.DeleteRequest, request));
          break;
        case OpCode.setData:
          this.pRequest2Txn(request.type, this.zks.getNextZxid(), request, this.decode(proto.SetDataRequest, request));
          break;
        case OpCode.reconfig:
          this.decode(proto.ReconfigRequest, request);
          this.pRequest2Txn(request.type, this.zks.getNextZxid(), request, null);
          break;
        case OpCode.setACL:
          this.pRequest2Txn(request.type, this.zks.getNextZxid(), request, this.decode(proto.SetACLRequest, request));
          break;
        case OpCode.check:
          this.pRequest2Txn(request.type, this.zks.getNextZxid(), request, this.decode(proto.CheckVersionRequest, request));
          break;
        case OpCode.multi:
          this.prepMulti(request);
          break;
        case OpCode.createSession:
        case OpCode.closeSession:
          this.pRequest2Txn(request.type, this.zks.getNextZxid(), request, request.request);
          break;
        case OpCode.sync:
        case OpCode.exists:
        case OpCode.getData:
        case OpCode.getACL:
        case OpCode.getChildren:
        case OpCode.getAllChildrenNumber:
        case OpCode.getChildren2:
        case OpCode.ping:
        case OpCode.setWatches:
        case OpCode.setWatches2:
        case OpCode.checkWatches:
        case OpCode.removeWatches:
        case OpCode.getEphemerals:
        case OpCode.multiRead:
        case OpCode.addWatch:
        case OpCode.whoAmI:
          this.checkSession(request);
          break;
        default:
          LOG.warn(`unknown type ${request.type}`);
          break;
      }
    } catch (e) {
      if (e instanceof KeeperException) {
        if (request.hdr !== null) {
          request.hdr.type = OpCode.error;
          request.txn = { type: OpCode.error, txn: { err: e.code } };
        }
        if (e.code > Code.APIERROR) {
          LOG.info(`Got user-level KeeperException when processing ${request} Error Path:${e.path ?? "null"} Error:${e.message}`);
        }
        request.exception = e;
      } else {
        // A request the client encoded wrongly, a null where Java dereferences one, or a
        // bug: like Java's catch (Exception e), answer MARSHALLINGERROR and go on, so no
        // request can take the server down.
        const known = e instanceof JuteError || e instanceof RangeError || e instanceof NullPointerException;
        LOG.error(`Failed to process ${request}: ${known ? (e as Error).message : ""}`, ...(known ? [] : [e]));
        if (request.hdr !== null) {
          request.hdr.type = OpCode.error;
          request.txn = { type: OpCode.error, txn: { err: Code.MARSHALLINGERROR } };
        }
        request.exception = new KeeperException(Code.MARSHALLINGERROR);
      }
    }
  }

  // #region prep-multi
  /**
   * A multi gets one zxid for all its members. Members are prepared in order against
   * the records of the members before them; after the first failure the rest become
   * RUNTIMEINCONSISTENCY errors, and the failed multi's change records are rolled back.
   */
  private prepMulti(request: Request): void {
    let ops: MultiOp[];
    try {
      ops = decodeMultiRequest(new BinaryInputArchive(request.request ?? Buffer.alloc(0)));
    } catch (e) {
      request.hdr = { clientId: request.sessionId, cxid: request.cxid, zxid: this.zks.getNextZxid(), time: BigInt(this.zks.clock.wallTime()), type: OpCode.multi };
      throw e;
    }
    const txns: Txn[] = [];
    const zxid = this.zks.getNextZxid();
    let failed: KeeperException | null = null;
    const pending = this.getPendingChanges(ops);
    request.hdr = { clientId: request.sessionId, cxid: request.cxid, zxid, time: BigInt(this.zks.clock.wallTime()), type: OpCode.multi };
    for (const op of ops) {
      let body: TxnBody;
      if (failed !== null) {
        body = { type: OpCode.error, txn: { err: Code.RUNTIMEINCONSISTENCY } };
      } else {
        try {
          this.pRequest2Txn(op.type, zxid, request, op.record);
          body = request.txn!;
        } catch (e) {
          if (!(e instanceof KeeperException)) throw e;
          failed = e;
          body = { type: OpCode.error, txn: { err: e.code } };
          if (e.code > Code.APIERROR) {
            LOG.info(`Got user-level KeeperException when processing ${request} aborting remaining multi ops. Error Path:${e.path ?? "null"} Error:${e.message}`);
          }
          request.exception = e;
          this.rollbackPendingChanges(zxid, pending);
        }
      }
      txns.push({ type: body.type, data: encodeTxnBody(body) });
    }
    request.txn = { type: OpCode.multi, txn: { txns } };
    this.setTxnDigest(request);
  }
  // #endregion prep-multi

  shutdown(): void {
    this.stopped = true;
    this.submittedRequests.length = 0;
    this.nextProcessor.shutdown();
  }
}

/**
 * ACL.equals as jute generates it: perms, then scheme, then id, each compared with
 * `this.x.equals(peer.x)` — so a null scheme or id on the left is a NullPointerException.
 */
function aclEquals(a: RequestACL, b: RequestACL): boolean {
  if (a.perms !== b.perms) return false;
  if (nonNull(a.id.scheme, "scheme") !== b.id.scheme) return false;
  return nonNull(a.id.id, "id") === b.id.id;
}

/** Java's String.format("%010d", n): ten digits, zero padded, sign first. */
export function formatSequence(n: number): string {
  return n < 0 ? "-" + String(-n).padStart(9, "0") : String(n).padStart(10, "0");
}

/** Exported for tests: the create mode table. */
export { CreateMode };
