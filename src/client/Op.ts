/**
 * Op — one operation of a multi request, and the multi request's encoding.
 *
 * Reimplements `org.apache.zookeeper.Op` and `org.apache.zookeeper.MultiOperationRecord`
 * (the writing half; the server decodes). Chapter 09 (client). Not in the handout (U).
 *
 * A multi is a run of `MultiHeader(type, done=false, err=-1)` + request record pairs,
 * closed by `MultiHeader(-1, done=true, -1)`. Write ops (create, delete, setData, check)
 * go as OpCode.multi and commit all-or-nothing; read ops (getChildren, getData) go as
 * OpCode.multiRead and each answers on its own. One request may not mix the two kinds.
 *
 * Differs from Java: ops are plain frozen objects built by the `Op.*` factories; no
 * equals/hashCode.
 */
import type { BinaryOutputArchive } from "../jute/BinaryOutputArchive.js";
import { CreateMode, createModeFromFlag, type CreateModeInfo } from "../jute/CreateMode.js";
import type { ACL } from "../jute/data.js";
import {
  CheckVersionRequest,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  GetChildrenRequest,
  GetDataRequest,
  MultiHeader,
  SetDataRequest,
} from "../jute/proto.js";
import type { RecordCodec } from "../jute/Record.js";
import { OpCode } from "../jute/ZooDefs.js";
import { IllegalArgumentException, validatePath } from "./PathUtils.js";

export type OpKind = "TRANSACTION" | "READ";

/** The largest TTL: the low 40 bits of an ephemeralOwner (EphemeralType.TTL.maxValue()). */
export const TTL_MAX = 0xffffffffffn;

/**
 * EphemeralType.validateTTL: a TTL mode needs 0 < ttl <= TTL_MAX; any other mode must
 * not be given one (ttl -1 means "none").
 */
export function validateTTL(mode: CreateModeInfo, ttl: bigint | number): void {
  const t = BigInt(ttl);
  if (mode.ttl) {
    if (t > TTL_MAX || t <= 0n) throw new IllegalArgumentException(`ttl must be positive and cannot be larger than: ${TTL_MAX}`);
  } else if (t >= 0n) {
    throw new IllegalArgumentException(`ttl not valid for mode: ${mode.name}`);
  }
}

export interface Op {
  /** The OpCode sent in this op's MultiHeader. */
  readonly type: number;
  /** The client path (no chroot). */
  readonly path: string;
  readonly kind: OpKind;
  /** Throws IllegalArgumentException for a bad path, mode or TTL, before anything is sent. */
  validate(): void;
  /** Writes the request record for `serverPath` (the path with the chroot in front). */
  write(oa: BinaryOutputArchive, serverPath: string): void;
}

function op<T extends { path: string | null }>(
  type: number,
  kind: OpKind,
  path: string,
  codec: RecordCodec<T>,
  rest: Omit<T, "path">,
  validate: () => void = () => validatePath(path),
): Op {
  return Object.freeze({
    type,
    path,
    kind,
    validate,
    write: (oa: BinaryOutputArchive, serverPath: string) => codec.write(oa, { ...rest, path: serverPath } as T),
  });
}

function createOp(path: string, data: Buffer | null, acl: ACL[], mode: CreateModeInfo, ttl: bigint): Op {
  const validate = () => {
    validatePath(path, mode.sequential);
    validateTTL(mode, ttl);
  };
  if (mode.ttl) return op(OpCode.createTTL, "TRANSACTION", path, CreateTTLRequest, { data, acl, flags: mode.flag, ttl }, validate);
  const type = mode.container ? OpCode.createContainer : OpCode.create;
  return op(type, "TRANSACTION", path, CreateRequest, { data, acl, flags: mode.flag }, validate);
}

export const Op = {
  /** A create; `mode` may be a CreateMode or its wire flag, `ttl` only for the TTL modes. */
  create(path: string, data: Buffer | null, acl: ACL[], mode: CreateModeInfo | number = CreateMode.PERSISTENT, ttl: bigint | number = -1n): Op {
    const m = typeof mode === "number" ? createModeFromFlag(mode) : mode;
    if (!m) throw new IllegalArgumentException(`Received an invalid flag value: ${String(mode)} to convert to a CreateMode`);
    return createOp(path, data, acl, m, BigInt(ttl));
  },
  delete(path: string, version = -1): Op {
    return op(OpCode.delete, "TRANSACTION", path, DeleteRequest, { version });
  },
  setData(path: string, data: Buffer | null, version = -1): Op {
    return op(OpCode.setData, "TRANSACTION", path, SetDataRequest, { data, version });
  },
  /** Fails the whole transaction unless the node's version is `version`. */
  check(path: string, version: number): Op {
    return op(OpCode.check, "TRANSACTION", path, CheckVersionRequest, { version });
  },
  getChildren(path: string): Op {
    return op(OpCode.getChildren, "READ", path, GetChildrenRequest, { watch: false });
  },
  getData(path: string): Op {
    return op(OpCode.getData, "READ", path, GetDataRequest, { watch: false });
  },
};

// #region MultiOperationRecord
/** The kind shared by all ops; throws when reads and writes are mixed. */
export function opKindOf(ops: readonly Op[]): OpKind | null {
  let kind: OpKind | null = null;
  for (const o of ops) {
    if (kind !== null && o.kind !== kind) {
      throw new IllegalArgumentException("Mixing read and write operations (transactions) is not allowed in a multi request.");
    }
    kind = o.kind;
  }
  return kind;
}

/** Writes a MultiOperationRecord: each op behind its header, then the closing header. */
export function writeMulti(oa: BinaryOutputArchive, ops: readonly Op[], toServerPath: (clientPath: string) => string): void {
  for (const o of ops) {
    MultiHeader.write(oa, { type: o.type, done: false, err: -1 });
    o.write(oa, toServerPath(o.path));
  }
  MultiHeader.write(oa, { type: -1, done: true, err: -1 });
}
// #endregion MultiOperationRecord
