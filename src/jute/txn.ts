/**
 * Records of the `org.apache.zookeeper.txn` and `org.apache.zookeeper.server.persistence`
 * modules of `zookeeper.jute`: what the transaction log and quorum proposals carry.
 *
 * Chapter 02. A logged transaction is `TxnHeader` followed by the record its `type`
 * selects (CreateTxn for create, SetDataTxn for setData, ...), followed in 3.6+ by an
 * optional `TxnDigest` (see src/persistence/Util.ts for the entry framing).
 */
import { ACL } from "./data.js";
import { bool, buffer, int, long, record, ustring, vector, type RecordType } from "./Record.js";

// #region txn-records
/** The first record of every transaction log and snapshot file. */
export const FileHeader = record("FileHeader", { magic: int, version: int, dbid: long });
export type FileHeader = RecordType<typeof FileHeader>;

/** The digest of the whole tree after this txn (3.6+, `zookeeper.digest.enabled`). */
export const TxnDigest = record("TxnDigest", { version: int, treeDigest: long });
export type TxnDigest = RecordType<typeof TxnDigest>;

export const TxnHeader = record("TxnHeader", {
  clientId: long, // session id of the requester
  cxid: int, // the client's xid for the request
  zxid: long,
  time: long, // leader's wall clock, ms since the epoch: becomes ctime/mtime
  type: int, // an OpCode
});
export type TxnHeader = RecordType<typeof TxnHeader>;

export const CreateTxnV0 = record("CreateTxnV0", { path: ustring, data: buffer, acl: vector(ACL), ephemeral: bool });
export type CreateTxnV0 = RecordType<typeof CreateTxnV0>;

export const CreateTxn = record("CreateTxn", {
  path: ustring,
  data: buffer,
  acl: vector(ACL),
  ephemeral: bool,
  parentCVersion: int, // the parent's cversion after this create
});
export type CreateTxn = RecordType<typeof CreateTxn>;

export const CreateTTLTxn = record("CreateTTLTxn", {
  path: ustring,
  data: buffer,
  acl: vector(ACL),
  parentCVersion: int,
  ttl: long,
});
export type CreateTTLTxn = RecordType<typeof CreateTTLTxn>;

export const CreateContainerTxn = record("CreateContainerTxn", {
  path: ustring,
  data: buffer,
  acl: vector(ACL),
  parentCVersion: int,
});
export type CreateContainerTxn = RecordType<typeof CreateContainerTxn>;

export const DeleteTxn = record("DeleteTxn", { path: ustring });
export type DeleteTxn = RecordType<typeof DeleteTxn>;

export const SetDataTxn = record("SetDataTxn", { path: ustring, data: buffer, version: int });
export type SetDataTxn = RecordType<typeof SetDataTxn>;

export const CheckVersionTxn = record("CheckVersionTxn", { path: ustring, version: int });
export type CheckVersionTxn = RecordType<typeof CheckVersionTxn>;

export const SetACLTxn = record("SetACLTxn", { path: ustring, acl: vector(ACL), version: int });
export type SetACLTxn = RecordType<typeof SetACLTxn>;

export const SetMaxChildrenTxn = record("SetMaxChildrenTxn", { path: ustring, max: int });
export type SetMaxChildrenTxn = RecordType<typeof SetMaxChildrenTxn>;

export const CreateSessionTxn = record("CreateSessionTxn", { timeOut: int });
export type CreateSessionTxn = RecordType<typeof CreateSessionTxn>;

/** 3.6+: the paths of the session's ephemerals, as the leader saw them. */
export const CloseSessionTxn = record("CloseSessionTxn", { paths2Delete: vector(ustring) });
export type CloseSessionTxn = RecordType<typeof CloseSessionTxn>;

export const ErrorTxn = record("ErrorTxn", { err: int });
export type ErrorTxn = RecordType<typeof ErrorTxn>;

/** One member of a multi: its OpCode and its own encoded txn record. */
export const Txn = record("Txn", { type: int, data: buffer });
export type Txn = RecordType<typeof Txn>;

export const MultiTxn = record("MultiTxn", { txns: vector(Txn) });
export type MultiTxn = RecordType<typeof MultiTxn>;
// #endregion txn-records
