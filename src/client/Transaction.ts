/**
 * Transaction — a builder that collects write ops and commits them as one multi.
 *
 * Reimplements `org.apache.zookeeper.Transaction`. Chapter 09 (client). Not in the handout (U).
 */
import { CreateMode, type CreateModeInfo } from "../jute/CreateMode.js";
import type { ACL } from "../jute/data.js";
import { OPEN_ACL_UNSAFE } from "../jute/ZooDefs.js";
import { Op } from "./Op.js";
import type { OpResult } from "./OpResult.js";

/** What a Transaction needs from the handle (avoids an import cycle with ZooKeeper). */
export interface MultiRunner {
  multi(ops: readonly Op[]): Promise<OpResult[]>;
}

export class Transaction {
  private readonly ops: Op[] = [];

  constructor(private readonly zk: MultiRunner) {}

  create(path: string, data: Buffer | null, acl: ACL[] = OPEN_ACL_UNSAFE, createMode: CreateModeInfo = CreateMode.PERSISTENT): this {
    this.ops.push(Op.create(path, data, acl, createMode));
    return this;
  }

  delete(path: string, version = -1): this {
    this.ops.push(Op.delete(path, version));
    return this;
  }

  check(path: string, version: number): this {
    this.ops.push(Op.check(path, version));
    return this;
  }

  setData(path: string, data: Buffer | null, version = -1): this {
    this.ops.push(Op.setData(path, data, version));
    return this;
  }

  /** Runs the collected ops; rejects like multi() when one fails. */
  commit(): Promise<OpResult[]> {
    return this.zk.multi(this.ops);
  }
}
