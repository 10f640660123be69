/**
 * Records of the `org.apache.zookeeper.proto` module of `zookeeper.jute`: the client
 * protocol.
 *
 * Chapter 02 lists them; chapter 09 (client) and the server's connection code use
 * them. A request frame is `int length, RequestHeader, <request record>`; a reply
 * frame is `int length, ReplyHeader, <response record>`, the response omitted when
 * `err` is not 0. The connect handshake is the exception: its frames carry
 * ConnectRequest / ConnectResponse with no header, plus one trailing `readOnly`
 * boolean that 3.x clients and servers append (see ConnectRequest below).
 */
import { ACL, ClientInfo, Stat } from "./data.js";
import { bool, buffer, int, long, nullable, record, ustring, vector, type RecordType } from "./Record.js";

// #region proto-records
/**
 * A string field a client may send as null (-1). Java's archive reads -1 as null and the
 * request goes on — kazoo sends every empty string that way, e.g. the id of its
 * CREATOR_ALL_ACL, Id("auth", "") — so request paths and the ACLs inside requests are
 * decoded as `string | null` and the server answers a null as Java does.
 */
const nstring = nullable(ustring);
const RequestId = record("Id", { scheme: nstring, id: nstring });
const RequestACL = record("ACL", { perms: int, id: RequestId });
export type RequestACL = RecordType<typeof RequestACL>;
/** An ACL list as a request carries it: the list, its ids' fields, may be null. */
const RequestACLs = nullable(vector(RequestACL));

export const ConnectRequest = record("ConnectRequest", {
  protocolVersion: int,
  lastZxidSeen: long,
  timeOut: int,
  sessionId: long,
  passwd: buffer,
});
export type ConnectRequest = RecordType<typeof ConnectRequest>;

export const ConnectResponse = record("ConnectResponse", {
  protocolVersion: int,
  timeOut: int,
  sessionId: long,
  passwd: buffer,
});
export type ConnectResponse = RecordType<typeof ConnectResponse>;

export const SetWatches = record("SetWatches", {
  relativeZxid: long,
  dataWatches: vector(ustring),
  existWatches: vector(ustring),
  childWatches: vector(ustring),
});
export type SetWatches = RecordType<typeof SetWatches>;

export const SetWatches2 = record("SetWatches2", {
  relativeZxid: long,
  dataWatches: vector(ustring),
  existWatches: vector(ustring),
  childWatches: vector(ustring),
  persistentWatches: vector(ustring),
  persistentRecursiveWatches: vector(ustring),
});
export type SetWatches2 = RecordType<typeof SetWatches2>;

export const RequestHeader = record("RequestHeader", { xid: int, type: int });
export type RequestHeader = RecordType<typeof RequestHeader>;

export const MultiHeader = record("MultiHeader", { type: int, done: bool, err: int });
export type MultiHeader = RecordType<typeof MultiHeader>;

export const AuthPacket = record("AuthPacket", { type: int, scheme: ustring, auth: buffer });
export type AuthPacket = RecordType<typeof AuthPacket>;

export const ReplyHeader = record("ReplyHeader", { xid: int, zxid: long, err: int });
export type ReplyHeader = RecordType<typeof ReplyHeader>;

export const GetDataRequest = record("GetDataRequest", { path: nstring, watch: bool });
export type GetDataRequest = RecordType<typeof GetDataRequest>;

export const SetDataRequest = record("SetDataRequest", { path: nstring, data: buffer, version: int });
export type SetDataRequest = RecordType<typeof SetDataRequest>;

/** The Java client sends null for the lists it does not use. */
export const ReconfigRequest = record("ReconfigRequest", {
  joiningServers: nullable(ustring),
  leavingServers: nullable(ustring),
  newMembers: nullable(ustring),
  curConfigId: long,
});
export type ReconfigRequest = RecordType<typeof ReconfigRequest>;

export const SetDataResponse = record("SetDataResponse", { stat: Stat });
export type SetDataResponse = RecordType<typeof SetDataResponse>;

export const GetSASLRequest = record("GetSASLRequest", { token: buffer });
export const SetSASLRequest = record("SetSASLRequest", { token: buffer });
export const SetSASLResponse = record("SetSASLResponse", { token: buffer });

export const CreateRequest = record("CreateRequest", {
  path: nstring,
  data: buffer,
  acl: RequestACLs,
  flags: int,
});
export type CreateRequest = RecordType<typeof CreateRequest>;

export const CreateTTLRequest = record("CreateTTLRequest", {
  path: nstring,
  data: buffer,
  acl: RequestACLs,
  flags: int,
  ttl: long,
});
export type CreateTTLRequest = RecordType<typeof CreateTTLRequest>;

export const DeleteRequest = record("DeleteRequest", { path: nstring, version: int });
export type DeleteRequest = RecordType<typeof DeleteRequest>;

export const GetChildrenRequest = record("GetChildrenRequest", { path: nstring, watch: bool });
export type GetChildrenRequest = RecordType<typeof GetChildrenRequest>;

export const GetAllChildrenNumberRequest = record("GetAllChildrenNumberRequest", { path: nstring });
export type GetAllChildrenNumberRequest = RecordType<typeof GetAllChildrenNumberRequest>;

export const GetChildren2Request = record("GetChildren2Request", { path: nstring, watch: bool });
export type GetChildren2Request = RecordType<typeof GetChildren2Request>;

export const CheckVersionRequest = record("CheckVersionRequest", { path: nstring, version: int });
export type CheckVersionRequest = RecordType<typeof CheckVersionRequest>;

export const GetMaxChildrenRequest = record("GetMaxChildrenRequest", { path: ustring });
export const GetMaxChildrenResponse = record("GetMaxChildrenResponse", { max: int });
export const SetMaxChildrenRequest = record("SetMaxChildrenRequest", { path: ustring, max: int });

export const SyncRequest = record("SyncRequest", { path: nstring });
export type SyncRequest = RecordType<typeof SyncRequest>;

export const SyncResponse = record("SyncResponse", { path: nstring });
export type SyncResponse = RecordType<typeof SyncResponse>;

export const GetACLRequest = record("GetACLRequest", { path: nstring });
export type GetACLRequest = RecordType<typeof GetACLRequest>;

export const SetACLRequest = record("SetACLRequest", { path: nstring, acl: RequestACLs, version: int });
export type SetACLRequest = RecordType<typeof SetACLRequest>;

export const SetACLResponse = record("SetACLResponse", { stat: Stat });
export type SetACLResponse = RecordType<typeof SetACLResponse>;

export const AddWatchRequest = record("AddWatchRequest", { path: nstring, mode: int });
export type AddWatchRequest = RecordType<typeof AddWatchRequest>;

/** A notification: sent with xid -1 and the zxid of the change that fired it. */
export const WatcherEvent = record("WatcherEvent", { type: int, state: int, path: ustring });
export type WatcherEvent = RecordType<typeof WatcherEvent>;

export const ErrorResponse = record("ErrorResponse", { err: int });
export type ErrorResponse = RecordType<typeof ErrorResponse>;

export const CreateResponse = record("CreateResponse", { path: ustring });
export type CreateResponse = RecordType<typeof CreateResponse>;

export const Create2Response = record("Create2Response", { path: ustring, stat: Stat });
export type Create2Response = RecordType<typeof Create2Response>;

export const ExistsRequest = record("ExistsRequest", { path: nstring, watch: bool });
export type ExistsRequest = RecordType<typeof ExistsRequest>;

export const ExistsResponse = record("ExistsResponse", { stat: Stat });
export type ExistsResponse = RecordType<typeof ExistsResponse>;

export const GetDataResponse = record("GetDataResponse", { data: buffer, stat: Stat });
export type GetDataResponse = RecordType<typeof GetDataResponse>;

export const GetChildrenResponse = record("GetChildrenResponse", { children: vector(ustring) });
export type GetChildrenResponse = RecordType<typeof GetChildrenResponse>;

export const GetAllChildrenNumberResponse = record("GetAllChildrenNumberResponse", { totalNumber: int });
export type GetAllChildrenNumberResponse = RecordType<typeof GetAllChildrenNumberResponse>;

export const GetChildren2Response = record("GetChildren2Response", { children: vector(ustring), stat: Stat });
export type GetChildren2Response = RecordType<typeof GetChildren2Response>;

export const GetACLResponse = record("GetACLResponse", { acl: vector(ACL), stat: Stat });
export type GetACLResponse = RecordType<typeof GetACLResponse>;

export const CheckWatchesRequest = record("CheckWatchesRequest", { path: nstring, type: int });
export type CheckWatchesRequest = RecordType<typeof CheckWatchesRequest>;

export const RemoveWatchesRequest = record("RemoveWatchesRequest", { path: nstring, type: int });
export type RemoveWatchesRequest = RecordType<typeof RemoveWatchesRequest>;

export const GetEphemeralsRequest = record("GetEphemeralsRequest", { prefixPath: nstring });
export type GetEphemeralsRequest = RecordType<typeof GetEphemeralsRequest>;

export const GetEphemeralsResponse = record("GetEphemeralsResponse", { ephemerals: vector(ustring) });
export type GetEphemeralsResponse = RecordType<typeof GetEphemeralsResponse>;

export const WhoAmIResponse = record("WhoAmIResponse", { clientInfo: vector(ClientInfo) });
export type WhoAmIResponse = RecordType<typeof WhoAmIResponse>;
// #endregion proto-records
