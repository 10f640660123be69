/**
 * Transactions — several writes applied all together or not at all (one multi request).
 *
 * Reimplements Curator 5's `TransactionOp` / `CuratorOp` builders, `CuratorMultiTransaction`
 * (`client.transaction().forOperations(...)`) and `CuratorTransactionResult`. Chapter 10;
 * not in the seed (U).
 *
 *     const results = await client.transaction().forOperations([
 *       client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath("/a", "x"),
 *       client.transactionOp().setData().withVersion(3).forPath("/b", "y"),
 *       client.transactionOp().delete().forPath("/c"),
 *       client.transactionOp().check().withVersion(0).forPath("/d"),
 *     ]);
 *
 * Node layout: whatever the ops create; every path gets the namespace in front.
 *
 * Connection loss / expiry: the whole multi is retried per the RetryPolicy. A retried
 * multi may have been applied already; it then usually fails on its own check/create
 * (NODEEXISTS, BADVERSION), which is why transactions should carry checks.
 *
 * Differs from Curator: a failed transaction rejects with our client's KeeperException,
 * whose `results` hold every op's result; paths in results lose the namespace.
 */
import type { Stat } from "../../jute/data.js";
import { Op } from "../../client/Op.js";
import { CreateResult, ErrorResult, SetDataResult, type OpResult } from "../../client/OpResult.js";
import { CreateOptions, toBuffer, type Data } from "./builders.js";
import type { CuratorFramework } from "./CuratorFramework.js";

export type OperationType = "CREATE" | "DELETE" | "SET_DATA" | "CHECK";

/** One operation of a transaction, with the (namespace-free) path it was built for. */
export interface CuratorOp {
  readonly type: OperationType;
  readonly forPath: string;
  /** Builds the client Op for the path with the namespace in front. */
  readonly toOp: (fixedPath: string) => Op;
}

export interface CuratorTransactionResult {
  type: OperationType;
  forPath: string;
  /** The created path (sequential creates differ from forPath), namespace removed. */
  resultPath: string | null;
  resultStat: Stat | null;
  /** 0, or the op's error code. */
  error: number;
}

export class TransactionOpBuilder {
  constructor(private readonly client: CuratorFramework) {}

  create(): TransactionCreateBuilder {
    return new TransactionCreateBuilder(this.client);
  }
  delete(): VersionedOpBuilder {
    return new VersionedOpBuilder("DELETE");
  }
  setData(): TransactionSetDataBuilder {
    return new TransactionSetDataBuilder(this.client);
  }
  check(): VersionedOpBuilder {
    return new VersionedOpBuilder("CHECK");
  }
}

export class TransactionCreateBuilder extends CreateOptions {
  forPath(path: string, data?: Data): CuratorOp {
    const bytes = data === undefined ? this.client.defaultData : toBuffer(data);
    const acl = this.acl ?? this.client.defaultAcl;
    const { mode, ttl } = this;
    return { type: "CREATE", forPath: path, toOp: (p) => Op.create(p, bytes, acl, mode, mode.ttl ? ttl : -1) };
  }
}

export class VersionedOpBuilder {
  private version = -1;
  constructor(private readonly type: "DELETE" | "CHECK") {}

  withVersion(version: number): this {
    this.version = version;
    return this;
  }
  forPath(path: string): CuratorOp {
    const { version } = this;
    return this.type === "DELETE" ? { type: "DELETE", forPath: path, toOp: (p) => Op.delete(p, version) } : { type: "CHECK", forPath: path, toOp: (p) => Op.check(p, version) };
  }
}

export class TransactionSetDataBuilder {
  private version = -1;
  constructor(private readonly client: CuratorFramework) {}

  withVersion(version: number): this {
    this.version = version;
    return this;
  }
  forPath(path: string, data?: Data): CuratorOp {
    const bytes = data === undefined ? this.client.defaultData : toBuffer(data);
    const { version } = this;
    return { type: "SET_DATA", forPath: path, toOp: (p) => Op.setData(p, bytes, version) };
  }
}

export class TransactionBuilder {
  constructor(private readonly client: CuratorFramework) {}

  /** Commits the ops as one multi; rejects (KeeperException with `results`) if any fails. */
  async forOperations(ops: readonly CuratorOp[]): Promise<CuratorTransactionResult[]> {
    const fixed: Op[] = [];
    for (const o of ops) fixed.push(o.toOp(await this.client.fixPath(o.forPath, o.type === "CREATE")));
    const results = await this.client.callWithRetry((zk) => zk.multi(fixed));
    return ops.map((o, i) => this.toResult(o, results[i]));
  }

  private toResult(o: CuratorOp, r: OpResult | undefined): CuratorTransactionResult {
    const result: CuratorTransactionResult = { type: o.type, forPath: o.forPath, resultPath: null, resultStat: null, error: 0 };
    if (r instanceof CreateResult) {
      result.resultPath = this.client.unfixPath(r.path);
      result.resultStat = r.stat;
    } else if (r instanceof SetDataResult) {
      result.resultStat = r.stat;
    } else if (r instanceof ErrorResult) {
      result.error = r.err;
    }
    return result;
  }
}
