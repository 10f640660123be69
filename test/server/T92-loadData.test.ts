/**
 * T92 — `Leader.lead` calls `zk.loadData()` on a database QuorumPeer already loaded
 * [001 L5704–5706] (U: the body of loadData). Then nothing is read from disk again:
 * the server takes its zxid from the loaded tree, drops the ephemerals of sessions the
 * session table no longer has, and writes a clean snapshot.
 */
import { describe, expect, it } from "vitest";
import { OPEN_ACL_UNSAFE } from "../../src/jute/ZooDefs.js";
import { MemoryTxnSnapLog } from "../../src/data/ZKDatabase.js";
import type { DataTree } from "../../src/data/DataTree.js";
import { ZooKeeperServer } from "../../src/server/ZooKeeperServer.js";

class CountingSnapLog extends MemoryTxnSnapLog {
  restores = 0;
  // MemoryTxnSnapLog declares restore() without parameters; the server passes the tree first.
  override async restore(...args: unknown[]): Promise<bigint> {
    const tree = args[0] as DataTree;
    this.restores++;
    tree.createNode("/app", null, OPEN_ACL_UNSAFE, 0n, -1, 0x100000004n, 0n);
    tree.createNode("/app/lock", null, OPEN_ACL_UNSAFE, 0x42n, -1, 0x100000005n, 0n);
    tree.lastProcessedZxid = 0x100000005n;
    return 0x100000005n;
  }
}

describe("T92 loadData on an initialised database", () => {
  it("T92 restores once; a second loadData keeps the tree and takes zxid = lastProcessedZxid", async () => {
    const storage = new CountingSnapLog();
    const zks = new ZooKeeperServer(storage);
    zks.zkDb.sessionsWithTimeouts.set(0x42n, 30000);
    await zks.loadData();
    expect(storage.restores).toBe(1);
    expect(zks.getZxid()).toBe(0x100000005n);
    expect(zks.zkDb.initialized).toBe(true);

    await zks.loadData();
    expect(storage.restores).toBe(1);
    expect(zks.getZxid()).toBe(0x100000005n);
    expect(zks.zkDb.dataTree.getNode("/app/lock")).toBeDefined();
    expect(storage.snapshots).toBe(2);
  });

  it("T92 the ephemerals of a session missing from the session table are dropped, without a txn", async () => {
    const storage = new CountingSnapLog();
    const zks = new ZooKeeperServer(storage);
    await zks.loadData();
    expect(zks.zkDb.dataTree.getNode("/app/lock")).toBeUndefined();
    expect(zks.zkDb.dataTree.getNode("/app")).toBeDefined();
    expect(storage.entries).toHaveLength(0);
    expect(zks.zkDb.lastProcessedZxid).toBe(0x100000005n);
  });
});
