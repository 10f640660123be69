/**
 * T21 — DataTree.processTxn for each txn type [001 L2958–3188]: an ephemeral create is
 * owned by the txn's clientId; closeSession removes that session's ephemerals; an error
 * txn sets rc.err; a multi with one error member applies nothing and reports why for
 * each member. Plus the Stat bookkeeping every client sees (cversion, pzxid, numChildren).
 */
import { describe, expect, it } from "vitest";
import { Code } from "../../src/jute/KeeperException.js";
import type { TxnHeader } from "../../src/jute/txn.js";
import { OpCode, OPEN_ACL_UNSAFE } from "../../src/jute/ZooDefs.js";
import { encodeTxnBody, type TxnBody } from "../../src/persistence/TxnLogEntry.js";
import { DataTree } from "../../src/data/DataTree.js";

let zxid = 0n;
function hdr(type: number, clientId = 0x10n): TxnHeader {
  return { clientId, cxid: 1, zxid: ++zxid, time: 1_700_000_000_000n + zxid, type };
}
function apply(t: DataTree, body: TxnBody, clientId = 0x10n) {
  return t.processTxn(hdr(body.type, clientId), body);
}
const create = (path: string, ephemeral = false): TxnBody => ({ type: OpCode.create, txn: { path, data: Buffer.from(path), acl: OPEN_ACL_UNSAFE, ephemeral, parentCVersion: -1 } });

describe("T21 processTxn", () => {
  it("T21 an ephemeral create is owned by the clientId; closeSession removes the session's ephemerals", () => {
    const t = new DataTree();
    apply(t, create("/p"));
    apply(t, create("/p/e1", true), 0x77n);
    apply(t, create("/p/e2", true), 0x77n);
    apply(t, create("/p/other", true), 0x88n);
    expect(t.getNode("/p/e1")!.stat.ephemeralOwner).toBe(0x77n);
    const rc = apply(t, { type: OpCode.closeSession, txn: { paths2Delete: ["/p/e1", "/p/e2"] } }, 0x77n);
    expect(rc.err).toBe(0);
    expect(t.getNode("/p/e1")).toBeUndefined();
    expect(t.getNode("/p/e2")).toBeUndefined();
    expect(t.getNode("/p/other")).toBeDefined();
    expect([...t.getEphemerals(0x77n)]).toEqual([]);
    // An older closeSession without the path list deletes what the tree knows.
    apply(t, { type: OpCode.closeSession, txn: null }, 0x88n);
    expect(t.getNode("/p/other")).toBeUndefined();
    t.checkInvariants();
  });

  it("T21 an error txn sets rc.err and changes nothing", () => {
    const t = new DataTree();
    const digest = t.treeDigest;
    const rc = apply(t, { type: OpCode.error, txn: { err: Code.NODEEXISTS } });
    expect(rc.err).toBe(Code.NODEEXISTS);
    expect(t.treeDigest).toBe(digest);
    expect(t.lastProcessedZxid).toBe(zxid);
  });

  it("T21 a multi with one error member applies nothing; members before it say OK, after it RUNTIMEINCONSISTENCY", () => {
    const t = new DataTree();
    apply(t, create("/m"));
    const digest = t.treeDigest;
    const txns = [
      { type: OpCode.create, data: encodeTxnBody(create("/m/a")) },
      { type: OpCode.error, data: encodeTxnBody({ type: OpCode.error, txn: { err: Code.NONODE } }) },
      { type: OpCode.setData, data: encodeTxnBody({ type: OpCode.setData, txn: { path: "/m", data: null, version: 1 } }) },
    ];
    const rc = apply(t, { type: OpCode.multi, txn: { txns } });
    expect(rc.err).toBe(Code.NONODE);
    expect(rc.multiResult!.map((r) => [r.type, r.err])).toEqual([
      [OpCode.error, Code.OK],
      [OpCode.error, Code.NONODE],
      [OpCode.error, Code.RUNTIMEINCONSISTENCY],
    ]);
    expect(t.getNode("/m/a")).toBeUndefined();
    expect(t.treeDigest).toBe(digest);
  });

  it("T21 a successful multi applies every member under one zxid", () => {
    const t = new DataTree();
    apply(t, create("/n"));
    const txns = [
      { type: OpCode.create, data: encodeTxnBody(create("/n/a")) },
      { type: OpCode.setData, data: encodeTxnBody({ type: OpCode.setData, txn: { path: "/n", data: Buffer.from("v"), version: 1 } }) },
      { type: OpCode.delete, data: encodeTxnBody({ type: OpCode.delete, txn: { path: "/n/a" } }) },
    ];
    const rc = apply(t, { type: OpCode.multi, txn: { txns } });
    expect(rc.err).toBe(0);
    const n = t.getNode("/n")!;
    expect(n.stat.mzxid).toBe(zxid);
    expect(n.data?.toString()).toBe("v");
    expect(t.getNode("/n/a")).toBeUndefined();
    // One child created and deleted: the client sees two changes.
    expect(t.statOf(n).cversion).toBe(2);
    expect(t.statOf(n).pzxid).toBe(zxid);
  });

  it("T21 each type updates the Stat as clients see it", () => {
    const t = new DataTree();
    apply(t, create("/s"));
    const c1 = apply(t, create("/s/c1"));
    expect(c1.stat).toBeNull(); // create (not create2) returns no Stat
    const c2 = apply(t, { type: OpCode.create2, txn: { path: "/s/c2", data: null, acl: OPEN_ACL_UNSAFE, ephemeral: false, parentCVersion: -1 } });
    expect(c2.stat).toMatchObject({ czxid: zxid, version: 0, numChildren: 0 });
    apply(t, { type: OpCode.delete, txn: { path: "/s/c1" } });
    const s = t.statOf(t.getNode("/s")!);
    expect(s).toMatchObject({ numChildren: 1, cversion: 3, pzxid: zxid });
    const set = apply(t, { type: OpCode.setData, txn: { path: "/s", data: Buffer.from("xyz"), version: 1 } });
    expect(set.stat).toMatchObject({ version: 1, dataLength: 3, mzxid: zxid });
    const acl = apply(t, { type: OpCode.setACL, txn: { path: "/s", acl: [{ perms: 1, id: { scheme: "world", id: "anyone" } }], version: 1 } });
    expect(acl.stat).toMatchObject({ aversion: 1 });
    const missing = apply(t, { type: OpCode.delete, txn: { path: "/nope/x" } });
    expect(missing.err).toBe(Code.NONODE);
    const dup = apply(t, create("/s"));
    expect(dup.err).toBe(Code.NODEEXISTS);
    t.checkInvariants();
  });

  it("T21 a replayed create cannot move the parent's cversion or pzxid back (fuzzy snapshots)", () => {
    const t = new DataTree();
    apply(t, create("/f"));
    apply(t, { type: OpCode.create, txn: { path: "/f/a", data: null, acl: OPEN_ACL_UNSAFE, ephemeral: false, parentCVersion: 5 } });
    const pz = t.getNode("/f")!.stat.pzxid;
    const rc = apply(t, { type: OpCode.create, txn: { path: "/f/b", data: null, acl: OPEN_ACL_UNSAFE, ephemeral: false, parentCVersion: 3 } });
    expect(rc.err).toBe(0);
    expect(t.getNode("/f")!.stat.cversion).toBe(5);
    expect(t.getNode("/f")!.stat.pzxid).toBe(pz);
  });
});
