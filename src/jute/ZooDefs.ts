/**
 * ZooDefs — the numbers both sides of the client protocol agree on: operation codes,
 * permission bits, the well-known ids and ACLs, and addWatch modes.
 *
 * Reimplements `org.apache.zookeeper.ZooDefs`. Chapter 02 / chapter 09. Lives with the
 * codecs because the client (which depends on jute only) and the server both need it.
 */
import type { ACL, Id } from "./data.js";

// #region opcodes
/** Request types: the `type` of RequestHeader and TxnHeader. */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];
// #endregion opcodes

const opNames = new Map<number, string>(Object.entries(OpCode).map(([k, v]) => [v, k]));

/** The Java name of an op code (as `Request.op2String` prints it), or "unknown N". */
export function op2String(op: number): string {
  return opNames.get(op) ?? `unknown ${op}`;
}

/** Permission bits of an ACL entry. */
export const Perms = {
  READ: 1 << 0,
  WRITE: 1 << 1,
  CREATE: 1 << 2,
  DELETE: 1 << 3,
  ADMIN: 1 << 4,
  ALL: 0b11111,
} as const;

/** Modes of the addWatch request (ZooDefs.AddWatchModes). */
export const AddWatchModes = {
  persistent: 0,
  persistentRecursive: 1,
} as const;

/** Well-known ids (ZooDefs.Ids). */
export const Ids = {
  /** Everyone: scheme "world", id "anyone". */
  ANYONE_ID_UNSAFE: { scheme: "world", id: "anyone" } as Id,
  /** Whoever the request is authenticated as: the "auth" scheme is expanded by the server. */
  AUTH_IDS: { scheme: "auth", id: "" } as Id,
} as const;

export const OPEN_ACL_UNSAFE: ACL[] = [{ perms: Perms.ALL, id: Ids.ANYONE_ID_UNSAFE }];
export const CREATOR_ALL_ACL: ACL[] = [{ perms: Perms.ALL, id: Ids.AUTH_IDS }];
export const READ_ACL_UNSAFE: ACL[] = [{ perms: Perms.READ, id: Ids.ANYONE_ID_UNSAFE }];

/** The znode holding the ensemble's dynamic configuration (ZooDefs.CONFIG_NODE). */
export const CONFIG_NODE = "/zookeeper/config";

/** Special xids of the client protocol (ClientCnxn). */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;
