/**
 * TxnLogEntry and SerializeUtils.deserializeTxn / serializeTxn — one logged
 * transaction: its header, the record its type selects, and the optional digest.
 *
 * Reimplements `org.apache.zookeeper.server.TxnLogEntry` and the txn half of
 * `org.apache.zookeeper.server.util.SerializeUtils`. Chapter 02. The same bytes are a
 * txn log entry's payload and a quorum PROPOSAL's data (3.6+), so leader, learner and
 * log all go through here.
 *
 * Byte grammar of one serialized txn:
 *
 *     TxnHeader  (clientId long, cxid int, zxid long, time long, type int)
 *     <record>   chosen by type, see `TxnBody`; absent for a pre-3.6 closeSession
 *     TxnDigest  (version int, treeDigest long); optional, 3.6+ with digests enabled
 *
 * Differs from Java: Java returns an untyped `Record` and casts at every use. Here the
 * body is a discriminated union on the header's type, so a switch over it is checked
 * for exhaustiveness by the compiler.
 */
import { BinaryInputArchive, JuteError } from "../jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../jute/BinaryOutputArchive.js";
import { OpCode } from "../jute/ZooDefs.js";
import {
  CheckVersionTxn,
  CloseSessionTxn,
  CreateContainerTxn,
  CreateSessionTxn,
  CreateTTLTxn,
  CreateTxn,
  CreateTxnV0,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetACLTxn,
  SetDataTxn,
  TxnDigest,
  TxnHeader,
} from "../jute/txn.js";

// #region txn-body
/** The record of a transaction, tagged with the op code that selects it. */
export type TxnBody =
  | { type: typeof OpCode.create | typeof OpCode.create2; txn: CreateTxn }
  | { type: typeof OpCode.createTTL; txn: CreateTTLTxn }
  | { type: typeof OpCode.createContainer; txn: CreateContainerTxn }
  | { type: typeof OpCode.delete | typeof OpCode.deleteContainer; txn: DeleteTxn }
  | { type: typeof OpCode.setData | typeof OpCode.reconfig; txn: SetDataTxn }
  | { type: typeof OpCode.setACL; txn: SetACLTxn }
  | { type: typeof OpCode.check; txn: CheckVersionTxn }
  | { type: typeof OpCode.createSession; txn: CreateSessionTxn }
  /** `txn` is null in logs written before 3.6 or with closeSessionTxn disabled. */
  | { type: typeof OpCode.closeSession; txn: CloseSessionTxn | null }
  | { type: typeof OpCode.error; txn: ErrorTxn }
  | { type: typeof OpCode.multi; txn: MultiTxn };

export interface TxnLogEntry {
  hdr: TxnHeader;
  body: TxnBody;
  digest: TxnDigest | null;
}
// #endregion txn-body

/** Writes a body's record (nothing for a null closeSession record). */
export function writeTxnBody(oa: BinaryOutputArchive, body: TxnBody): void {
  switch (body.type) {
    case OpCode.create:
    case OpCode.create2:
      return CreateTxn.write(oa, body.txn);
    case OpCode.createTTL:
      return CreateTTLTxn.write(oa, body.txn);
    case OpCode.createContainer:
      return CreateContainerTxn.write(oa, body.txn);
    case OpCode.delete:
    case OpCode.deleteContainer:
      return DeleteTxn.write(oa, body.txn);
    case OpCode.setData:
    case OpCode.reconfig:
      return SetDataTxn.write(oa, body.txn);
    case OpCode.setACL:
      return SetACLTxn.write(oa, body.txn);
    case OpCode.check:
      return CheckVersionTxn.write(oa, body.txn);
    case OpCode.createSession:
      return CreateSessionTxn.write(oa, body.txn);
    case OpCode.closeSession:
      if (body.txn !== null) CloseSessionTxn.write(oa, body.txn);
      return;
    case OpCode.error:
      return ErrorTxn.write(oa, body.txn);
    case OpCode.multi:
      return MultiTxn.write(oa, body.txn);
    default:
      return assertNever(body);
  }
}

/** Encodes a body alone, as a member of a MultiTxn carries it. */
export function encodeTxnBody(body: TxnBody): Buffer {
  const oa = new BinaryOutputArchive(64);
  writeTxnBody(oa, body);
  return oa.toBuffer();
}

/** Reads the record for `type`; throws JuteError for a type no txn has. */
export function readTxnBody(ia: BinaryInputArchive, type: number): TxnBody {
  switch (type) {
    case OpCode.create:
    case OpCode.create2: {
      // Logs from before parentCVersion existed hold CreateTxnV0; -1 asks processTxn
      // to compute the parent's cversion itself.
      const at = ia.offset;
      try {
        return { type, txn: CreateTxn.read(ia) };
      } catch (e) {
        if (!(e instanceof JuteError)) throw e;
        ia.seek(at);
        const v0 = CreateTxnV0.read(ia);
        return { type, txn: { ...v0, parentCVersion: -1 } };
      }
    }
    case OpCode.createTTL:
      return { type, txn: CreateTTLTxn.read(ia) };
    case OpCode.createContainer:
      return { type, txn: CreateContainerTxn.read(ia) };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type, txn: DeleteTxn.read(ia) };
    case OpCode.setData:
    case OpCode.reconfig:
      return { type, txn: SetDataTxn.read(ia) };
    case OpCode.setACL:
      return { type, txn: SetACLTxn.read(ia) };
    case OpCode.check:
      return { type, txn: CheckVersionTxn.read(ia) };
    case OpCode.createSession:
      return { type, txn: CreateSessionTxn.read(ia) };
    case OpCode.closeSession:
      return { type, txn: ia.remaining === 0 ? null : CloseSessionTxn.read(ia) };
    case OpCode.error:
      return { type, txn: ErrorTxn.read(ia) };
    case OpCode.multi:
      return { type, txn: MultiTxn.read(ia) };
    default:
      throw new JuteError(`Unsupported Txn with type=${type}`);
  }
}

/** SerializeUtils.serializeTxn plus the digest 3.6+ appends: the bytes of one entry. */
export function serializeTxn(entry: TxnLogEntry, oa: BinaryOutputArchive = new BinaryOutputArchive()): Buffer {
  TxnHeader.write(oa, entry.hdr);
  writeTxnBody(oa, entry.body);
  if (entry.digest !== null) TxnDigest.write(oa, entry.digest);
  return oa.toBuffer();
}

/** SerializeUtils.deserializeTxn: header, body, and the digest if one follows. */
export function deserializeTxn(bytes: Buffer): TxnLogEntry {
  const ia = new BinaryInputArchive(bytes);
  const hdr = TxnHeader.read(ia);
  const body = readTxnBody(ia, hdr.type);
  const digest = ia.remaining >= 12 ? TxnDigest.read(ia) : null;
  return { hdr, body, digest };
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
}
