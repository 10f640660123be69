/**
 * T19 — tree rebuild from a serialized tree [001 L2615–2732]: parent/child links, the
 * ephemerals of each owner, containers and TTL nodes are rebuilt; an orphan path (its
 * parent not written before it) fails with "Invalid Datatree".
 */
import { describe, expect, it } from "vitest";
import { BinaryInputArchive } from "../../src/jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../../src/jute/BinaryOutputArchive.js";
import { DataNodeRecord } from "../../src/jute/data.js";
import { OPEN_ACL_UNSAFE } from "../../src/jute/ZooDefs.js";
import { DataTree } from "../../src/data/DataTree.js";
import { CONTAINER_EPHEMERAL_OWNER, ttlToEphemeralOwner } from "../../src/data/EphemeralType.js";

function roundTrip(tree: DataTree, opts = { extendedTypesEnabled: true }): DataTree {
  const oa = new BinaryOutputArchive();
  tree.serialize(oa);
  const back = new DataTree(opts);
  back.deserialize(new BinaryInputArchive(oa.toBuffer()));
  return back;
}

describe("T19 tree rebuild", () => {
  it("T19 rebuilds links, ephemerals, containers and TTL nodes", () => {
    const t = new DataTree({ extendedTypesEnabled: true });
    let z = 1n;
    t.createNode("/app", Buffer.from("a"), OPEN_ACL_UNSAFE, 0n, -1, z++, 1000n);
    t.createNode("/app/eph", null, OPEN_ACL_UNSAFE, 0x42n, -1, z++, 1000n);
    t.createNode("/app/box", null, OPEN_ACL_UNSAFE, CONTAINER_EPHEMERAL_OWNER, -1, z++, 1000n);
    t.createNode("/app/box/item", null, OPEN_ACL_UNSAFE, 0n, -1, z++, 1000n);
    t.createNode("/app/ttl", null, OPEN_ACL_UNSAFE, ttlToEphemeralOwner(5000n), -1, z++, 1000n);
    t.createNode("/other", null, [{ perms: 1, id: { scheme: "world", id: "anyone" } }], 0x43n, -1, z++, 1000n);

    const back = roundTrip(t);
    expect(back.getNode("/app")!.childNames().sort()).toEqual(["box", "eph", "ttl"]);
    expect(back.getNode("/app/box")!.childNames()).toEqual(["item"]);
    expect(back.getNode("/")!.childNames().sort()).toEqual(["app", "other", "zookeeper"]);
    expect([...back.getEphemerals(0x42n)]).toEqual(["/app/eph"]);
    expect([...back.getEphemerals(0x43n)]).toEqual(["/other"]);
    expect(back.getContainers()).toEqual(["/app/box"]);
    expect(back.getTtls()).toEqual(["/app/ttl"]);
    expect(back.getACL("/other").acl).toEqual([{ perms: 1, id: { scheme: "world", id: "anyone" } }]);
    expect(back.getData("/app", null).data?.toString()).toBe("a");
    expect(back.treeDigest).toBe(t.treeDigest);
    back.checkInvariants();
  });

  it("T19 a TTL owner is an ordinary session id when extended types are off", () => {
    const t = new DataTree({ extendedTypesEnabled: true });
    t.createNode("/ttl", null, OPEN_ACL_UNSAFE, ttlToEphemeralOwner(5000n), -1, 1n, 1000n);
    const back = roundTrip(t, { extendedTypesEnabled: false });
    expect(back.getTtls()).toEqual([]);
    expect(back.allEphemerals().size).toBe(1);
  });

  it("T19 an orphan path fails with Invalid Datatree", () => {
    const oa = new BinaryOutputArchive();
    oa.writeInt(0); // empty ACL cache
    const stat = { czxid: 0n, mzxid: 0n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: 0n };
    oa.writeString("");
    DataNodeRecord.write(oa, { data: null, acl: -1n, stat });
    oa.writeString("/missing/child");
    DataNodeRecord.write(oa, { data: null, acl: -1n, stat });
    oa.writeString("/");
    expect(() => new DataTree().deserialize(new BinaryInputArchive(oa.toBuffer()))).toThrow("Invalid Datatree, unable to find parent /missing of path /missing/child");
  });
});
