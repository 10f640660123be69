/**
 * OpResult — what each operation of a multi answered, and the multi response's decoding.
 *
 * Reimplements `org.apache.zookeeper.OpResult` (its nested result classes) and the reading
 * half of `org.apache.zookeeper.MultiResponse`. Chapter 09 (client). Not in the handout (U).
 *
 * A failed transaction still answers with ReplyHeader.err = 0: the failure is inside, as
 * one ErrorResult per op. The op that failed carries its code; the ops before it carry
 * OK (0) and the ops after it RUNTIMEINCONSISTENCY (-2), meaning "not attempted".
 *
 * Differs from Java: CreateResult paths have the chroot removed, as every other path the
 * client returns does (Java 3.8 leaves it on inside multi results).
 */
import type { BinaryInputArchive } from "../jute/BinaryInputArchive.js";
import { JuteError } from "../jute/BinaryInputArchive.js";
import type { Stat } from "../jute/data.js";
import {
  Create2Response,
  CreateResponse,
  ErrorResponse,
  GetChildrenResponse,
  GetDataResponse,
  MultiHeader,
  SetDataResponse,
} from "../jute/proto.js";
import { OpCode } from "../jute/ZooDefs.js";

export class CreateResult {
  /** create (no stat) or create2 (with stat), as the server chose. */
  readonly type: number;
  constructor(
    readonly path: string,
    readonly stat: Stat | null = null,
  ) {
    this.type = stat === null ? OpCode.create : OpCode.create2;
  }
}
export class DeleteResult {
  readonly type = OpCode.delete;
}
export class SetDataResult {
  readonly type = OpCode.setData;
  constructor(readonly stat: Stat) {}
}
export class CheckResult {
  readonly type = OpCode.check;
}
export class GetChildrenResult {
  readonly type = OpCode.getChildren;
  constructor(readonly children: string[]) {}
}
export class GetDataResult {
  readonly type = OpCode.getData;
  constructor(
    readonly data: Buffer | null,
    readonly stat: Stat,
  ) {}
}
export class ErrorResult {
  readonly type = OpCode.error;
  constructor(readonly err: number) {}
}

export type OpResult = CreateResult | DeleteResult | SetDataResult | CheckResult | GetChildrenResult | GetDataResult | ErrorResult;

// #region MultiResponse
/** Reads a MultiResponse body; `toClientPath` removes the chroot from created paths. */
export function readMultiResponse(ia: BinaryInputArchive, toClientPath: (serverPath: string) => string): OpResult[] {
  const results: OpResult[] = [];
  for (let h = MultiHeader.read(ia); !h.done; h = MultiHeader.read(ia)) {
    results.push(readOne(ia, h.type, toClientPath));
  }
  return results;
}

function readOne(ia: BinaryInputArchive, type: number, toClientPath: (p: string) => string): OpResult {
  switch (type) {
    case OpCode.create:
      return new CreateResult(toClientPath(CreateResponse.read(ia).path));
    case OpCode.create2: {
      const r = Create2Response.read(ia);
      return new CreateResult(toClientPath(r.path), r.stat);
    }
    case OpCode.delete:
      return new DeleteResult();
    case OpCode.setData:
      return new SetDataResult(SetDataResponse.read(ia).stat);
    case OpCode.check:
      return new CheckResult();
    case OpCode.getChildren:
      return new GetChildrenResult(GetChildrenResponse.read(ia).children);
    case OpCode.getData: {
      const r = GetDataResponse.read(ia);
      return new GetDataResult(r.data, r.stat);
    }
    case OpCode.error:
      return new ErrorResult(ErrorResponse.read(ia).err);
    default:
      throw new JuteError(`Invalid type ${type} in MultiResponse`);
  }
}
// #endregion MultiResponse

/** The first ErrorResult with a non-zero code: the op that made a transaction fail. */
export function firstError(results: readonly OpResult[]): ErrorResult | undefined {
  return results.find((r): r is ErrorResult => r instanceof ErrorResult && r.err !== 0);
}
