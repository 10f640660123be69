/**
 * FinalRequestProcessor — the last processor: applies each txn to the tree, answers
 * reads, and sends every reply.
 *
 * Reimplements `org.apache.zookeeper.server.FinalRequestProcessor`. Chapter 07; the
 * documents name it (G8: it applies and replies, it does not "validate data") but never
 * show it (G11), so its body is added knowledge (U).
 *
 * Order of work for one request:
 *   1. apply the txn, if any (ZooKeeperServer.processTxn: session bookkeeping, then
 *      DataTree.processTxn, which fires watches), and retire its change records;
 *   2. if the request came from a connection, build the response for its type — reads
 *      are answered here, from the tree as of every write before them;
 *   3. send ReplyHeader(xid, zxid, err) and the response; the zxid is the last one the
 *      tree has applied, which is what a client uses to never go back in time.
 * Watch notifications fired in step 1 are written before the reply of step 3, which is
 * the order a client must see them in.
 */
import { BinaryInputArchive, JuteError } from "../jute/BinaryInputArchive.js";
import type { ACL, Stat } from "../jute/data.js";
import { Code, KeeperException } from "../jute/KeeperException.js";
import * as proto from "../jute/proto.js";
import type { RecordCodec } from "../jute/Record.js";
import { OpCode, Perms, Xid } from "../jute/ZooDefs.js";
import { trace } from "../trace/index.js";
import { getLogger } from "../util/Logger.js";
import type { ProcessTxnResult } from "../data/DataTree.js";
import { decodeMultiRequest, type OpResult, writeMultiResponse } from "./MultiRecords.js";
import { nonNull, NullPointerException } from "./NullPointerException.js";
import type { Request } from "./Request.js";
import type { RequestProcessor } from "./RequestProcessor.js";
import type { ServerCnxn } from "./ServerCnxn.js";
import type { ZooKeeperServer } from "./ZooKeeperServer.js";

const LOG = getLogger("FinalRequestProcessor");

/** A response ready to encode: its codec and value, or a multi response. */
export type Response = { codec: RecordCodec<any>; value: unknown } | { multi: OpResult[] } | null;

const ZERO_ERR = { codec: proto.ErrorResponse, value: { err: 0 } };

export class FinalRequestProcessor implements RequestProcessor {
  constructor(private readonly zks: ZooKeeperServer) {}

  // #region final-process
  processRequest(request: Request): void {
    const rc = this.zks.processTxn(request);
    const cnxn = request.cnxn;
    if (request.type === OpCode.closeSession && cnxn === null) {
      // The session expired or its connection is gone: close whatever connection
      // still carries it, there is nobody to reply to.
      this.zks.closeSessionConnection(request.sessionId);
      return;
    }
    if (cnxn === null) return;
    const lastZxid = this.zks.zkDb.dataTree.lastProcessedZxid;
    this.zks.requestFinished(request);

    let err: number = Code.OK;
    let rsp: Response = null;
    let lastOp = "NA";
    try {
      if (request.hdr !== null && request.hdr.type === OpCode.error) {
        throw request.exception ?? new KeeperException(request.txn!.type === OpCode.error ? request.txn!.txn.err : Code.SYSTEMERROR);
      }
      const ke = request.exception;
      if (ke !== null && (ke.code === Code.SESSIONMOVED || request.type !== OpCode.multi)) throw ke;
      switch (request.type) {
        case OpCode.ping:
          cnxn.updateStatsForResponse(request.cxid, lastZxid, "PING", request.createTime, this.zks.clock.now());
          cnxn.sendResponse({ xid: Xid.ping, zxid: lastZxid, err: 0 }, null);
          return;
        case OpCode.createSession:
          cnxn.updateStatsForResponse(request.cxid, lastZxid, "SESS", request.createTime, this.zks.clock.now());
          trace.message("FinalRequestProcessor", "ZooKeeperServer", "finishSessionInit", { sessionId: request.sessionId, valid: true });
          this.zks.finishSessionInit(cnxn, true);
          return;
        default: {
          // Java names the operation before running it, so a read that fails still shows it.
          lastOp = LAST_OP.get(request.type) ?? "NA";
          const out = this.respond(request, rc, cnxn);
          rsp = out.rsp;
          err = out.err;
        }
      }
    } catch (e) {
      if (e instanceof KeeperException) {
        if (e.code === Code.SESSIONMOVED) {
          // A connection-level error: the client must reconnect (ZOOKEEPER-710).
          cnxn.sendCloseSession();
          return;
        }
        err = e.code;
      } else {
        // As Java's catch (Exception e): the client gets MARSHALLINGERROR, the server goes on.
        const known = e instanceof JuteError || e instanceof RangeError || e instanceof NullPointerException;
        LOG.error(`Failed to process ${request}: ${known ? (e as Error).message : ""}`, ...(known ? [] : [e]));
        err = Code.MARSHALLINGERROR;
      }
    }
    cnxn.updateStatsForResponse(request.cxid, lastZxid, lastOp, request.createTime, this.zks.clock.now());
    cnxn.sendResponse({ xid: request.cxid, zxid: lastZxid, err }, err === Code.OK ? rsp : null);
    if (request.type === OpCode.closeSession) cnxn.sendCloseSession();
  }
  // #endregion final-process

  private decode<T>(codec: RecordCodec<T>, request: Request): T {
    return codec.decode(request.request ?? Buffer.alloc(0));
  }

  private get db() {
    return this.zks.zkDb.dataTree;
  }

  /** The response for a request that did not fail before this point. */
  private respond(request: Request, rc: ProcessTxnResult | null, cnxn: ServerCnxn): { rsp: Response; err: number } {
    const err = rc?.err ?? Code.OK;
    switch (request.type) {
      case OpCode.multi:
        return { err: Code.OK, rsp: { multi: this.multiResults(rc!) } };
      case OpCode.multiRead:
        return { err: Code.OK, rsp: { multi: this.multiRead(request, cnxn) } };
      case OpCode.create:
        return { err, rsp: { codec: proto.CreateResponse, value: { path: rc!.path } } };
      case OpCode.create2:
      case OpCode.createTTL:
      case OpCode.createContainer:
        return { err, rsp: { codec: proto.Create2Response, value: { path: rc!.path, stat: rc!.stat } } };
      case OpCode.delete:
      case OpCode.deleteContainer:
        return { err, rsp: null };
      case OpCode.setData:
        return { err, rsp: { codec: proto.SetDataResponse, value: { stat: rc!.stat } } };
      case OpCode.setACL:
        return { err, rsp: { codec: proto.SetACLResponse, value: { stat: rc!.stat } } };
      case OpCode.closeSession:
        return { err, rsp: null };
      case OpCode.sync: {
        const { path } = this.decode(proto.SyncRequest, request);
        return { err: Code.OK, rsp: { codec: proto.SyncResponse, value: { path } } };
      }
      case OpCode.check:
        return { err, rsp: { codec: proto.SetDataResponse, value: { stat: rc!.stat } } };
      case OpCode.exists: {
        const req = this.decode(proto.ExistsRequest, request);
        const path = nonNull(req.path, "path");
        if (path.includes("\0")) throw new KeeperException(Code.BADARGUMENTS);
        const stat = this.db.statNode(path, req.watch ? cnxn : null);
        return { err: Code.OK, rsp: { codec: proto.ExistsResponse, value: { stat } } };
      }
      case OpCode.getData: {
        const req = this.decode(proto.GetDataRequest, request);
        return { err: Code.OK, rsp: { codec: proto.GetDataResponse, value: this.getData(req, request, cnxn) } };
      }
      case OpCode.setWatches: {
        const sw = this.decode(proto.SetWatches, request);
        this.db.setWatches(sw.relativeZxid, sw.dataWatches, sw.existWatches, sw.childWatches, [], [], cnxn);
        return { err: Code.OK, rsp: null };
      }
      case OpCode.setWatches2: {
        const sw = this.decode(proto.SetWatches2, request);
        this.db.setWatches(sw.relativeZxid, sw.dataWatches, sw.existWatches, sw.childWatches, sw.persistentWatches, sw.persistentRecursiveWatches, cnxn);
        return { err: Code.OK, rsp: null };
      }
      case OpCode.addWatch: {
        const { path, mode } = this.decode(proto.AddWatchRequest, request);
        // Java files a null path under a null key that no event ever matches: a no-op.
        if (path !== null) this.db.addWatch(path, cnxn, mode);
        return { err: Code.OK, rsp: ZERO_ERR };
      }
      case OpCode.getACL:
        return { err: Code.OK, rsp: { codec: proto.GetACLResponse, value: this.getACL(request) } };
      case OpCode.getChildren: {
        const req = this.decode(proto.GetChildrenRequest, request);
        return { err: Code.OK, rsp: { codec: proto.GetChildrenResponse, value: { children: this.getChildren(req, request, cnxn).children } } };
      }
      case OpCode.getAllChildrenNumber: {
        const path = nonNull(this.decode(proto.GetAllChildrenNumberRequest, request).path, "path");
        this.checkRead(path, request);
        return { err: Code.OK, rsp: { codec: proto.GetAllChildrenNumberResponse, value: { totalNumber: this.db.getAllChildrenNumber(path) } } };
      }
      case OpCode.getChildren2: {
        const req = this.decode(proto.GetChildren2Request, request);
        return { err: Code.OK, rsp: { codec: proto.GetChildren2Response, value: this.getChildren(req, request, cnxn) } };
      }
      case OpCode.checkWatches: {
        const { path: maybePath, type } = this.decode(proto.CheckWatchesRequest, request);
        const path = nonNull(maybePath, "path");
        if (!this.db.containsWatcher(path, type, cnxn)) throw new KeeperException(Code.NOWATCHER, `${path} (type: ${watcherTypeName(type)})`);
        return { err: Code.OK, rsp: null };
      }
      case OpCode.removeWatches: {
        const { path, type } = this.decode(proto.RemoveWatchesRequest, request);
        // A null path is simply not watched (Java looks it up in a set and finds nothing).
        if (path === null || !this.db.removeWatch(path, type, cnxn)) throw new KeeperException(Code.NOWATCHER, `${path} (type: ${watcherTypeName(type)})`);
        return { err: Code.OK, rsp: null };
      }
      case OpCode.whoAmI:
        return {
          err: Code.OK,
          rsp: { codec: proto.WhoAmIResponse, value: { clientInfo: request.authInfo.map((id) => ({ authScheme: id.scheme, user: this.zks.userName(id) })) } },
        };
      case OpCode.getEphemerals: {
        const { prefixPath } = this.decode(proto.GetEphemeralsRequest, request);
        const all = [...this.db.getEphemerals(request.sessionId)];
        const p = prefixPath?.trim() ?? "";
        const ephemerals = p.length === 0 || p === "/" ? all : all.filter((e) => e.startsWith(prefixPath!));
        return { err: Code.OK, rsp: { codec: proto.GetEphemeralsResponse, value: { ephemerals } } };
      }
      case OpCode.reconfig:
        // Standalone never gets here: Prep turned reconfig into RECONFIGDISABLED.
        return { err: Code.RECONFIGDISABLED, rsp: null };
      default:
        return { err: Code.OK, rsp: null };
    }
  }

  private checkRead(path: string, request: Request): void {
    const n = this.db.getNode(path);
    if (n === undefined) throw new KeeperException(Code.NONODE);
    this.zks.checkACL(this.db.aclForNode(n), Perms.READ, request.authInfo, path, null);
  }

  private getData(req: proto.GetDataRequest, request: Request, cnxn: ServerCnxn): { data: Buffer | null; stat: Stat } {
    const path = nonNull(req.path, "path");
    this.checkRead(path, request);
    return this.db.getData(path, req.watch ? cnxn : null);
  }

  private getChildren(req: proto.GetChildrenRequest, request: Request, cnxn: ServerCnxn): { children: string[]; stat: Stat } {
    const path = nonNull(req.path, "path");
    this.checkRead(path, request);
    return this.db.getChildren(path, req.watch ? cnxn : null);
  }

  /**
   * getACL needs READ or ADMIN; without ADMIN the digest ids come back with their
   * password hashes masked as "x", so read access does not leak crackable hashes.
   */
  private getACL(request: Request): { acl: ACL[]; stat: Stat } {
    const path = nonNull(this.decode(proto.GetACLRequest, request).path, "path");
    const n = this.db.getNode(path);
    if (n === undefined) throw new KeeperException(Code.NONODE);
    const nodeAcl = this.db.aclForNode(n);
    this.zks.checkACL(nodeAcl, Perms.READ | Perms.ADMIN, request.authInfo, path, null);
    const { acl, stat } = this.db.getACL(path);
    try {
      this.zks.checkACL(nodeAcl, Perms.ADMIN, request.authInfo, path, null);
      return { acl, stat };
    } catch (e) {
      if (!(e instanceof KeeperException)) throw e;
      const masked = acl.map((a) => (a.id.scheme === "digest" ? { perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id.replace(/:.*/, ":x") } } : a));
      return { acl: masked, stat };
    }
  }

  private multiResults(rc: ProcessTxnResult): OpResult[] {
    const out: OpResult[] = [];
    for (const sub of rc.multiResult ?? []) {
      switch (sub.type) {
        case OpCode.check:
          out.push({ type: OpCode.check });
          break;
        case OpCode.create:
          out.push({ type: OpCode.create, path: sub.path! });
          break;
        case OpCode.create2:
        case OpCode.createTTL:
        case OpCode.createContainer:
          out.push({ type: OpCode.create2, path: sub.path!, stat: sub.stat! });
          break;
        case OpCode.delete:
        case OpCode.deleteContainer:
          out.push({ type: OpCode.delete });
          break;
        case OpCode.setData:
          out.push({ type: OpCode.setData, stat: sub.stat! });
          break;
        case OpCode.error:
          if (sub.err === Code.SESSIONMOVED) throw new KeeperException(Code.SESSIONMOVED);
          out.push({ type: OpCode.error, err: sub.err });
          break;
        default:
          throw new JuteError("Invalid type of op");
      }
    }
    return out;
  }

  private multiRead(request: Request, cnxn: ServerCnxn): OpResult[] {
    const ops = decodeMultiRequest(new BinaryInputArchive(request.request ?? Buffer.alloc(0)));
    const out: OpResult[] = [];
    for (const op of ops) {
      try {
        if (op.type === OpCode.getChildren) {
          out.push({ type: OpCode.getChildren, children: this.getChildren(op.record as proto.GetChildrenRequest, request, cnxn).children });
        } else if (op.type === OpCode.getData) {
          const { data, stat } = this.getData(op.record as proto.GetDataRequest, request, cnxn);
          out.push({ type: OpCode.getData, data, stat });
        } else {
          throw new JuteError("Invalid type of readOp");
        }
      } catch (e) {
        if (!(e instanceof KeeperException)) throw e;
        out.push({ type: OpCode.error, err: e.code });
      }
    }
    return out;
  }

  shutdown(): void {
    LOG.info("shutdown of request processor complete");
  }
}

/** The `lop` a connection reports (cons) after each kind of request, as Java names them. */
const LAST_OP = new Map<number, string>([
  [OpCode.multi, "MULT"],
  [OpCode.multiRead, "MLTR"],
  [OpCode.create, "CREA"],
  [OpCode.create2, "CREA"],
  [OpCode.createTTL, "CREA"],
  [OpCode.createContainer, "CREA"],
  [OpCode.delete, "DELE"],
  [OpCode.deleteContainer, "DELE"],
  [OpCode.setData, "SETD"],
  [OpCode.reconfig, "RECO"],
  [OpCode.setACL, "SETA"],
  [OpCode.closeSession, "CLOS"],
  [OpCode.sync, "SYNC"],
  [OpCode.check, "CHEC"],
  [OpCode.exists, "EXIS"],
  [OpCode.getData, "GETD"],
  [OpCode.setWatches, "SETW"],
  [OpCode.setWatches2, "STW2"],
  [OpCode.addWatch, "ADDW"],
  [OpCode.getACL, "GETA"],
  [OpCode.getChildren, "GETC"],
  [OpCode.getChildren2, "GETC"],
  [OpCode.getAllChildrenNumber, "GETACN"],
  [OpCode.checkWatches, "CHKW"],
  [OpCode.removeWatches, "REMW"],
  [OpCode.whoAmI, "HOMI"],
  [OpCode.getEphemerals, "GETE"],
]);

function watcherTypeName(t: number): string {
  return t === 1 ? "Children" : t === 2 ? "Data" : t === 3 ? "Any" : String(t);
}
