/**
 * TxnBuilder — writes txns the way a leader's PrepRequestProcessor would, for tests
 * that need a realistic log without a server: consecutive zxids, the parent's next
 * cversion in creates, next versions in setData/setACL, the session's ephemerals in
 * closeSession, and each txn's TxnDigest taken from a shadow DataTree that has applied
 * every txn so far (so a replay that agrees with Java's digests reports no mismatch).
 */
import { DataTree } from "../../../src/data/DataTree.js";
import { splitPath } from "../../../src/data/DataNode.js";
import type { ACL } from "../../../src/jute/data.js";
import type { TxnHeader } from "../../../src/jute/txn.js";
import { OpCode, OPEN_ACL_UNSAFE } from "../../../src/jute/ZooDefs.js";
import { encodeTxnBody, type TxnBody, type TxnLogEntry } from "../../../src/persistence/TxnLogEntry.js";

export const BASE_TIME = 1_700_000_000_000n;

export class TxnBuilder {
  /** The tree as it is after every txn built so far. */
  readonly tree: DataTree;
  readonly entries: TxnLogEntry[] = [];
  readonly sessions = new Map<bigint, number>();
  zxid: bigint;

  private readonly baseTime: bigint;

  constructor(startZxid = 0x100000000n, opts: { extendedTypesEnabled?: boolean; baseTime?: bigint } = {}) {
    this.zxid = startZxid;
    this.baseTime = opts.baseTime ?? BASE_TIME;
    this.tree = new DataTree({ extendedTypesEnabled: opts.extendedTypesEnabled ?? true });
  }

  /** Any txn, applied to the shadow tree and given its digest. */
  emit(clientId: bigint, body: TxnBody): TxnLogEntry {
    this.zxid++;
    const hdr: TxnHeader = { clientId, cxid: this.entries.length + 1, zxid: this.zxid, time: this.baseTime + BigInt(this.entries.length), type: body.type };
    if (body.type === OpCode.createSession) this.sessions.set(clientId, body.txn.timeOut);
    if (body.type === OpCode.closeSession) this.sessions.delete(clientId);
    this.tree.processTxn(hdr, body, null);
    const entry: TxnLogEntry = { hdr, body, digest: { version: 2, treeDigest: this.tree.treeDigest } };
    this.entries.push(entry);
    return entry;
  }

  private nextCVersion(path: string): number {
    return this.tree.getNode(splitPath(path)[0])!.stat.cversion + 1;
  }

  createSession(id: bigint, timeOut = 30000): TxnLogEntry {
    return this.emit(id, { type: OpCode.createSession, txn: { timeOut } });
  }

  closeSession(id: bigint): TxnLogEntry {
    const paths2Delete = [...this.tree.getEphemerals(id)].sort();
    return this.emit(id, { type: OpCode.closeSession, txn: { paths2Delete } });
  }

  createBody(path: string, data: Buffer | null, opts: { acl?: ACL[]; ephemeral?: boolean } = {}): TxnBody {
    return { type: OpCode.create, txn: { path, data, acl: opts.acl ?? OPEN_ACL_UNSAFE, ephemeral: opts.ephemeral ?? false, parentCVersion: this.nextCVersion(path) } };
  }

  create(path: string, data: Buffer | null = Buffer.from(path), opts: { acl?: ACL[]; ephemeralOwner?: bigint; create2?: boolean } = {}): TxnLogEntry {
    const body = this.createBody(path, data, { acl: opts.acl, ephemeral: opts.ephemeralOwner !== undefined });
    if (opts.create2) (body as { type: number }).type = OpCode.create2;
    return this.emit(opts.ephemeralOwner ?? 0n, body);
  }

  createContainer(path: string, data: Buffer | null = null, acl: ACL[] = OPEN_ACL_UNSAFE): TxnLogEntry {
    return this.emit(0n, { type: OpCode.createContainer, txn: { path, data, acl, parentCVersion: this.nextCVersion(path) } });
  }

  createTTL(path: string, ttl: bigint, data: Buffer | null = null): TxnLogEntry {
    return this.emit(0n, { type: OpCode.createTTL, txn: { path, data, acl: OPEN_ACL_UNSAFE, parentCVersion: this.nextCVersion(path), ttl } });
  }

  setDataBody(path: string, data: Buffer | null): TxnBody {
    return { type: OpCode.setData, txn: { path, data, version: this.tree.getNode(path)!.stat.version + 1 } };
  }

  setData(path: string, data: Buffer | null): TxnLogEntry {
    return this.emit(0n, this.setDataBody(path, data));
  }

  setACL(path: string, acl: ACL[]): TxnLogEntry {
    return this.emit(0n, { type: OpCode.setACL, txn: { path, acl, version: this.tree.getNode(path)!.stat.aversion + 1 } });
  }

  delete(path: string): TxnLogEntry {
    return this.emit(0n, { type: OpCode.delete, txn: { path } });
  }

  error(err: number): TxnLogEntry {
    return this.emit(0n, { type: OpCode.error, txn: { err } });
  }

  /** A multi of already-built bodies (their versions as of before the multi). */
  multi(bodies: TxnBody[]): TxnLogEntry {
    return this.emit(0n, { type: OpCode.multi, txn: { txns: bodies.map((b) => ({ type: b.type, data: encodeTxnBody(b) })) } });
  }
}
