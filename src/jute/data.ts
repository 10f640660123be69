/**
 * Records of the `org.apache.zookeeper.data` module of `zookeeper.jute`, plus the
 * serialized form of a znode (`org.apache.zookeeper.server.DataNode`).
 *
 * Chapter 02. Field order is the wire order; see Record.ts for how a declaration
 * becomes a codec and a type.
 */
import { buffer, int, long, record, ustring, vector, type RecordType } from "./Record.js";

// #region data-records
/** An identity: `scheme` is "world", "auth", "digest", "ip", "super", "x509", "sasl"... */
export const Id = record("Id", { scheme: ustring, id: ustring });
export type Id = RecordType<typeof Id>;

/** A permission mask (ZooDefs.Perms) granted to an Id. */
export const ACL = record("ACL", { perms: int, id: Id });
export type ACL = RecordType<typeof ACL>;

/** What a client sees of a znode. */
export const Stat = record("Stat", {
  czxid: long, // zxid of the create
  mzxid: long, // zxid of the last setData
  ctime: long, // ms since the epoch, from the create's txn header
  mtime: long, // ms since the epoch, of the last setData
  version: int, // number of setData since create
  cversion: int, // number of child creates/deletes (plus the parentCVersion rule)
  aversion: int, // number of setACL
  ephemeralOwner: long, // session id, or the container/TTL markers, or 0
  dataLength: int,
  numChildren: int,
  pzxid: long, // zxid of the last child create/delete
});
export type Stat = RecordType<typeof Stat>;

/** What the server keeps on disk: Stat minus the two derived fields. */
export const StatPersisted = record("StatPersisted", {
  czxid: long,
  mzxid: long,
  ctime: long,
  mtime: long,
  version: int,
  cversion: int,
  aversion: int,
  ephemeralOwner: long,
  pzxid: long,
});
export type StatPersisted = RecordType<typeof StatPersisted>;

/** One entry of a whoAmI reply. */
export const ClientInfo = record("ClientInfo", { authScheme: ustring, user: ustring });
export type ClientInfo = RecordType<typeof ClientInfo>;

/** DataNode as a snapshot stores it: data, a reference into the ACL cache, its stat. */
export const DataNodeRecord = record("DataNode", { data: buffer, acl: long, stat: StatPersisted });
export type DataNodeRecord = RecordType<typeof DataNodeRecord>;
// #endregion data-records

export const ACLList = vector(ACL);
