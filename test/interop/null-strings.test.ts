/**
 * Null strings in requests, as real clients send them: kazoo writes every empty string
 * as length -1 (its CREATOR_ALL_ACL is Id("auth", ""), so the id arrives as null), and
 * Java's BinaryInputArchive reads -1 as null and lets the request go on. Each case sends
 * one request with a null in one field, on a fresh session, to Apache ZooKeeper 3.8 and
 * to ours, and expects the same error code, and the connection still answering
 * afterwards on both.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BinaryOutputArchive } from "../../src/jute/BinaryOutputArchive.js";
import * as proto from "../../src/jute/proto.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { RawClient } from "../support/RawClient.js";
import { interopServersAvailable, startBoth, type InteropServer, type ServerName } from "./support/servers.js";

type Field = (oa: BinaryOutputArchive) => void;
const str = (s: string | null): Field => (oa) => oa.writeString(s);
const int = (n: number): Field => (oa) => oa.writeInt(n);
const bool = (b: boolean): Field => (oa) => oa.writeBool(b);
const nullBuffer: Field = (oa) => oa.writeBuffer(null);
/** An ACL list of one entry. */
const acl = (scheme: string | null, id: string | null): Field[] => [int(1), int(31), str(scheme), str(id)];

interface Case {
  name: string;
  type: number;
  body: Field[];
  /** Authenticate as digest alice:pw first. */
  auth?: boolean;
}

// Each case names its own node, so cases that succeed on one server do not change the others.
const CASES: Case[] = [
  { name: "create with Id(auth, null) after digest auth (kazoo's CREATOR_ALL_ACL)", type: OpCode.create, body: [str("/n-auth"), nullBuffer, ...acl("auth", null), int(0)], auth: true },
  { name: "create2 with Id(auth, null) after digest auth", type: OpCode.create2, body: [str("/n-auth2"), nullBuffer, ...acl("auth", null), int(0)], auth: true },
  { name: "setACL with Id(auth, null) after digest auth", type: OpCode.setACL, body: [str("/n-setacl"), ...acl("auth", null), int(-1)], auth: true },
  { name: "create with Id(auth, null) without auth", type: OpCode.create, body: [str("/n-noauth"), nullBuffer, ...acl("auth", null), int(0)] },
  { name: "create with Id(world, null)", type: OpCode.create, body: [str("/n-world"), nullBuffer, ...acl("world", null), int(0)] },
  { name: "create with Id(digest, null)", type: OpCode.create, body: [str("/n-digest"), nullBuffer, ...acl("digest", null), int(0)] },
  { name: "create with Id(ip, null)", type: OpCode.create, body: [str("/n-ip"), nullBuffer, ...acl("ip", null), int(0)] },
  { name: "create with a null scheme", type: OpCode.create, body: [str("/n-scheme"), nullBuffer, ...acl(null, "anyone"), int(0)] },
  { name: "create with a null ACL list", type: OpCode.create, body: [str("/n-acls"), nullBuffer, int(-1), int(0)] },
  { name: "create with a null path", type: OpCode.create, body: [str(null), nullBuffer, ...acl("world", "anyone"), int(0)] },
  { name: "delete with a null path", type: OpCode.delete, body: [str(null), int(-1)] },
  { name: "exists with a null path", type: OpCode.exists, body: [str(null), bool(false)] },
  { name: "getData with a null path", type: OpCode.getData, body: [str(null), bool(false)] },
  { name: "setData with a null path", type: OpCode.setData, body: [str(null), nullBuffer, int(-1)] },
  { name: "getACL with a null path", type: OpCode.getACL, body: [str(null)] },
  { name: "getChildren2 with a null path", type: OpCode.getChildren2, body: [str(null), bool(false)] },
  { name: "sync with a null path", type: OpCode.sync, body: [str(null)] },
  { name: "getAllChildrenNumber with a null path", type: OpCode.getAllChildrenNumber, body: [str(null)] },
  { name: "getEphemerals with a null prefix", type: OpCode.getEphemerals, body: [str(null)] },
  { name: "addWatch with a null path", type: OpCode.addWatch, body: [str(null), int(0)] },
  { name: "removeWatches with a null path", type: OpCode.removeWatches, body: [str(null), int(3)] },
  { name: "checkWatches with a null path", type: OpCode.checkWatches, body: [str(null), int(3)] },
];

interface Outcome {
  err: number;
  /** Whether an exists("/") afterwards on the same connection was answered. */
  stillServing: boolean;
}

async function send(port: number, c: Case): Promise<Outcome> {
  const client = await RawClient.connect(port);
  try {
    if (c.auth) expect(await client.auth("digest", "alice:pw")).toBe(0);
    if (c.type === OpCode.setACL) {
      const r = await client.request(OpCode.create, proto.CreateRequest, { path: "/n-setacl", data: null, acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], flags: 0 });
      expect(r.err).toBe(0);
    }
    const oa = new BinaryOutputArchive();
    proto.RequestHeader.write(oa, { xid: 100, type: c.type });
    for (const f of c.body) f(oa);
    const r = await client.requestBytes(100, oa.toBuffer());
    const after = await client.request(OpCode.exists, proto.ExistsRequest, { path: "/", watch: false });
    return { err: r.err, stillServing: after.err === 0 };
  } finally {
    client.destroy();
  }
}

describe.skipIf(!interopServersAvailable())("null strings in requests, as kazoo sends them", () => {
  let servers: Record<ServerName, InteropServer>;
  const apache = new Map<string, Outcome>();

  beforeAll(async () => {
    servers = await startBoth();
    for (const c of CASES) apache.set(c.name, await send(servers.apache.port, c));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(Object.values(servers ?? {}).map((s) => s.dispose()));
  });

  it("Apache ZooKeeper accepts kazoo's Id(auth, null) (the reference for this suite)", () => {
    expect(apache.get(CASES[0]!.name)).toEqual({ err: 0, stillServing: true });
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s: same error code as Apache ZooKeeper 3.8, connection kept", async (_name, c) => {
    const ours = await send(servers.ours.port, c);
    expect(ours).toEqual(apache.get(c.name));
  });
});
