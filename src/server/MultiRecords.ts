/**
 * MultiOperationRecord and MultiResponse — the framing of multi and multiRead.
 *
 * Reimplements `org.apache.zookeeper.MultiOperationRecord` (server side decode) and
 * `MultiResponse` (encode). Chapter 07.
 *
 * Byte grammar:
 *
 *     request  = { MultiHeader(type, done=false, err=-1) <request record of type> }*
 *                MultiHeader(-1, done=true, -1)
 *     response = { MultiHeader(type, done=false, err) <response record of type> }*
 *                MultiHeader(-1, done=true, -1)
 *
 * Response records by type: create → CreateResponse, create2 → Create2Response,
 * setData → SetDataResponse, getChildren → GetChildrenResponse, getData →
 * GetDataResponse, error → ErrorResponse, delete and check → nothing.
 *
 * As in Java, a create2 or createContainer member is decoded as a create whose op code
 * follows its flags (container flags → createContainer, TTL flags → createTTL, else
 * create), so a create2 member answers like a plain create.
 */
import type { BinaryInputArchive } from "../jute/BinaryInputArchive.js";
import { JuteError } from "../jute/BinaryInputArchive.js";
import type { BinaryOutputArchive } from "../jute/BinaryOutputArchive.js";
import { createModeFromFlag } from "../jute/CreateMode.js";
import type { Stat } from "../jute/data.js";
import * as proto from "../jute/proto.js";
import { OpCode } from "../jute/ZooDefs.js";

export interface MultiOp {
  type: number;
  /** null when the client sent a null path (see NullPointerException.ts). */
  path: string | null;
  record: unknown;
}

function createOpType(flags: number): number {
  const mode = createModeFromFlag(flags);
  if (mode?.ttl) return OpCode.createTTL;
  return mode?.container ? OpCode.createContainer : OpCode.create;
}

// #region decode-multi
export function decodeMultiRequest(ia: BinaryInputArchive): MultiOp[] {
  const ops: MultiOp[] = [];
  let h = proto.MultiHeader.read(ia);
  while (!h.done) {
    switch (h.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer: {
        const r = proto.CreateRequest.read(ia);
        ops.push({ type: createOpType(r.flags), path: r.path, record: r });
        break;
      }
      case OpCode.createTTL: {
        const r = proto.CreateTTLRequest.read(ia);
        ops.push({ type: createOpType(r.flags), path: r.path, record: r });
        break;
      }
      case OpCode.delete: {
        const r = proto.DeleteRequest.read(ia);
        ops.push({ type: OpCode.delete, path: r.path, record: r });
        break;
      }
      case OpCode.setData: {
        const r = proto.SetDataRequest.read(ia);
        ops.push({ type: OpCode.setData, path: r.path, record: r });
        break;
      }
      case OpCode.check: {
        const r = proto.CheckVersionRequest.read(ia);
        ops.push({ type: OpCode.check, path: r.path, record: r });
        break;
      }
      case OpCode.getChildren: {
        const r = proto.GetChildrenRequest.read(ia);
        ops.push({ type: OpCode.getChildren, path: r.path, record: r });
        break;
      }
      case OpCode.getData: {
        const r = proto.GetDataRequest.read(ia);
        ops.push({ type: OpCode.getData, path: r.path, record: r });
        break;
      }
      default:
        throw new JuteError("Invalid type of op");
    }
    h = proto.MultiHeader.read(ia);
  }
  const kinds = new Set(ops.map((o) => o.type === OpCode.getChildren || o.type === OpCode.getData));
  if (kinds.size > 1) throw new JuteError("Mixing different kind of ops");
  return ops;
}
// #endregion decode-multi

export type OpResult =
  | { type: typeof OpCode.create; path: string }
  | { type: typeof OpCode.create2; path: string; stat: Stat }
  | { type: typeof OpCode.delete }
  | { type: typeof OpCode.check }
  | { type: typeof OpCode.setData; stat: Stat }
  | { type: typeof OpCode.getChildren; children: string[] }
  | { type: typeof OpCode.getData; data: Buffer | null; stat: Stat }
  | { type: typeof OpCode.error; err: number };

export function writeMultiResponse(oa: BinaryOutputArchive, results: OpResult[]): void {
  for (const r of results) {
    proto.MultiHeader.write(oa, { type: r.type, done: false, err: r.type === OpCode.error ? r.err : 0 });
    switch (r.type) {
      case OpCode.create:
        proto.CreateResponse.write(oa, { path: r.path });
        break;
      case OpCode.create2:
        proto.Create2Response.write(oa, { path: r.path, stat: r.stat });
        break;
      case OpCode.setData:
        proto.SetDataResponse.write(oa, { stat: r.stat });
        break;
      case OpCode.getChildren:
        proto.GetChildrenResponse.write(oa, { children: r.children });
        break;
      case OpCode.getData:
        proto.GetDataResponse.write(oa, { data: r.data, stat: r.stat });
        break;
      case OpCode.error:
        proto.ErrorResponse.write(oa, { err: r.err });
        break;
      case OpCode.delete:
      case OpCode.check:
        break;
    }
  }
  proto.MultiHeader.write(oa, { type: -1, done: true, err: -1 });
}
