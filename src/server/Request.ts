/**
 * Request — one client request on its way down the processor chain, collecting what
 * each processor decides about it.
 *
 * Reimplements `org.apache.zookeeper.server.Request`. Chapter 07. PrepRequestProcessor
 * fills in `hdr`/`txn`/`txnDigest` for writes (or turns a failed write into an error
 * txn), SyncRequestProcessor logs those, FinalRequestProcessor applies them and replies.
 * A read keeps `hdr === null` all the way.
 */
import type { Id } from "../jute/data.js";
import type { KeeperException } from "../jute/KeeperException.js";
import type { TxnDigest, TxnHeader } from "../jute/txn.js";
import { OpCode, op2String } from "../jute/ZooDefs.js";
import type { TxnBody } from "../persistence/TxnLogEntry.js";
import { hex } from "../util/Logger.js";
import type { ServerCnxn } from "./ServerCnxn.js";

export class Request {
  hdr: TxnHeader | null = null;
  txn: TxnBody | null = null;
  txnDigest: TxnDigest | null = null;
  /** The error Prep found, reported by Final. */
  exception: KeeperException | null = null;
  /** The highest zxid assigned when Prep finished with this request. */
  zxid = -1n;
  owner: unknown = null;
  readonly createTime: number;

  constructor(
    /** The connection to reply to; null for requests the server makes itself (expiry). */
    readonly cnxn: ServerCnxn | null,
    readonly sessionId: bigint,
    readonly cxid: number,
    readonly type: number,
    /** The request record's bytes (after the RequestHeader). */
    readonly request: Buffer | null,
    readonly authInfo: readonly Id[],
    now: number,
  ) {
    this.createTime = now;
  }

  /** Does this request type exist at all (Request.isValid)? */
  static isValid(type: number): boolean {
    switch (type) {
      case OpCode.notification:
        return false;
      case OpCode.check:
      case OpCode.closeSession:
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createTTL:
      case OpCode.createContainer:
      case OpCode.createSession:
      case OpCode.delete:
      case OpCode.deleteContainer:
      case OpCode.exists:
      case OpCode.getACL:
      case OpCode.getChildren:
      case OpCode.getAllChildrenNumber:
      case OpCode.getChildren2:
      case OpCode.getData:
      case OpCode.getEphemerals:
      case OpCode.multi:
      case OpCode.multiRead:
      case OpCode.ping:
      case OpCode.reconfig:
      case OpCode.setACL:
      case OpCode.setData:
      case OpCode.setWatches:
      case OpCode.setWatches2:
      case OpCode.sync:
      case OpCode.checkWatches:
      case OpCode.removeWatches:
      case OpCode.addWatch:
      case OpCode.whoAmI:
        return true;
      default:
        return false;
    }
  }

  toString(): string {
    return `sessionid:${hex(this.sessionId)} type:${op2String(this.type)} cxid:${hex(this.cxid)} zxid:${hex(this.hdr?.zxid ?? -1n)} txntype:${this.hdr?.type ?? "unknown"}`;
  }
}
