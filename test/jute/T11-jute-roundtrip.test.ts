/**
 * T11 — jute round trip [001 L636–778]: every primitive and the records of chapter 2
 * written with BinaryOutputArchive and read back are equal; null string, buffer and
 * vector encode as -1.
 */
import { describe, expect, it } from "vitest";
import { BinaryInputArchive, JuteError } from "../../src/jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../../src/jute/BinaryOutputArchive.js";
import { Id, Stat, StatPersisted, DataNodeRecord, ACL } from "../../src/jute/data.js";
import * as proto from "../../src/jute/proto.js";
import * as txn from "../../src/jute/txn.js";
import { LearnerInfo, QuorumPacket } from "../../src/jute/quorum.js";
import type { RecordCodec } from "../../src/jute/Record.js";

function roundTrip<T>(codec: RecordCodec<T>, value: T): T {
  return codec.decode(codec.encode(value));
}

const stat: Stat = {
  czxid: 0x100000005n,
  mzxid: 0x100000007n,
  ctime: 1700000000123n,
  mtime: 1700000000456n,
  version: 2,
  cversion: -1,
  aversion: 0,
  ephemeralOwner: -0x8000000000000000n,
  dataLength: 5,
  numChildren: 3,
  pzxid: 0x7fffffffffffffffn,
};

describe("T11 jute round trip", () => {
  it("T11 primitives encode big-endian with Java's widths", () => {
    const oa = new BinaryOutputArchive(1);
    oa.writeByte(-2);
    oa.writeBool(true);
    oa.writeInt(-123456);
    oa.writeLong(-0x123456789abcdefn);
    oa.writeString("héllo/路径");
    oa.writeBuffer(Buffer.from([1, 2, 3]));
    const bytes = oa.toBuffer();
    expect(bytes.subarray(0, 6)).toEqual(Buffer.from([0xfe, 1, 0xff, 0xfe, 0x1d, 0xc0]));
    const ia = new BinaryInputArchive(bytes);
    expect(ia.readByte()).toBe(-2);
    expect(ia.readBool()).toBe(true);
    expect(ia.readInt()).toBe(-123456);
    expect(ia.readLong()).toBe(-0x123456789abcdefn);
    expect(ia.readString()).toBe("héllo/路径");
    expect(ia.readBuffer()).toEqual(Buffer.from([1, 2, 3]));
    expect(ia.remaining).toBe(0);
  });

  it("T11 strings: ASCII, non-ASCII after an ASCII prefix, surrogate pairs, empty and long ones are UTF-8 with a byte count", () => {
    const cases = ["", "/a/b/n0000000001", "/ascii-then-é", "/日本/😀", "x".repeat(64), "y".repeat(65) + "é", "z".repeat(1000)];
    for (const s of cases) {
      const oa = new BinaryOutputArchive(1);
      oa.writeString(s);
      oa.writeInt(7); // the next field starts right after the string's bytes
      const utf8 = Buffer.from(s, "utf8");
      const expected = Buffer.alloc(8 + utf8.length);
      expected.writeInt32BE(utf8.length, 0);
      utf8.copy(expected, 4);
      expected.writeInt32BE(7, 4 + utf8.length);
      expect(oa.toBuffer()).toEqual(expected);
    }
  });

  it("T11 null string, buffer and vector encode as -1", () => {
    const oa = new BinaryOutputArchive();
    oa.writeString(null);
    oa.writeBuffer(null);
    const recNullVector = proto.ReconfigRequest.encode({ joiningServers: null, leavingServers: null, newMembers: "x", curConfigId: -1n });
    expect(oa.toBuffer()).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    const ia = new BinaryInputArchive(oa.toBuffer());
    expect(ia.readString()).toBeNull();
    expect(ia.readBuffer()).toBeNull();
    expect(recNullVector.subarray(0, 8)).toEqual(Buffer.alloc(8, 0xff));
    expect(proto.ReconfigRequest.decode(recNullVector)).toEqual({ joiningServers: null, leavingServers: null, newMembers: "x", curConfigId: -1n });
    // A vector count of -1 is the null vector at the archive level.
    const v = new BinaryInputArchive(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(v.readVectorCount()).toBe(-1);
  });

  it("T11 data records round-trip", () => {
    expect(roundTrip(Stat, stat)).toEqual(stat);
    const { dataLength: _d, numChildren: _n, ...persisted } = stat;
    expect(roundTrip(StatPersisted, persisted)).toEqual(persisted);
    expect(roundTrip(Id, { scheme: "digest", id: "u:hash=" })).toEqual({ scheme: "digest", id: "u:hash=" });
    const acl: ACL = { perms: 31, id: { scheme: "world", id: "anyone" } };
    expect(roundTrip(ACL, acl)).toEqual(acl);
    const node = { data: null, acl: -1n, stat: persisted };
    expect(roundTrip(DataNodeRecord, node)).toEqual(node);
    // Stat is 68 bytes on the wire: 6 longs and 5 ints.
    expect(Stat.encode(stat).length).toBe(68);
  });

  it("T11 request and reply records round-trip", () => {
    const cr: proto.ConnectRequest = { protocolVersion: 0, lastZxidSeen: 5n, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16) };
    expect(roundTrip(proto.ConnectRequest, cr)).toEqual(cr);
    expect(roundTrip(proto.RequestHeader, { xid: 7, type: 1 })).toEqual({ xid: 7, type: 1 });
    expect(roundTrip(proto.ReplyHeader, { xid: -1, zxid: -1n, err: -101 })).toEqual({ xid: -1, zxid: -1n, err: -101 });
    const create: proto.CreateRequest = { path: "/a", data: Buffer.from("x"), acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], flags: 3 };
    expect(roundTrip(proto.CreateRequest, create)).toEqual(create);
    const ttl: proto.CreateTTLRequest = { ...create, flags: 5, ttl: 1000n };
    expect(roundTrip(proto.CreateTTLRequest, ttl)).toEqual(ttl);
    const sw: proto.SetWatches2 = { relativeZxid: 9n, dataWatches: ["/a"], existWatches: [], childWatches: ["/"], persistentWatches: [], persistentRecursiveWatches: ["/r"] };
    expect(roundTrip(proto.SetWatches2, sw)).toEqual(sw);
    expect(roundTrip(proto.GetDataResponse, { data: Buffer.from("v"), stat })).toEqual({ data: Buffer.from("v"), stat });
    expect(roundTrip(proto.WatcherEvent, { type: 3, state: 3, path: "/a" })).toEqual({ type: 3, state: 3, path: "/a" });
  });

  it("T11 txn, file and quorum records round-trip", () => {
    const hdr: txn.TxnHeader = { clientId: 0x1000001n, cxid: 4, zxid: 0x100000005n, time: 1n, type: 1 };
    expect(roundTrip(txn.TxnHeader, hdr)).toEqual(hdr);
    const ct: txn.CreateTxn = { path: "/a", data: null, acl: [], ephemeral: true, parentCVersion: 1 };
    expect(roundTrip(txn.CreateTxn, ct)).toEqual(ct);
    const multi: txn.MultiTxn = { txns: [{ type: 1, data: txn.CreateTxn.encode(ct) }, { type: -1, data: txn.ErrorTxn.encode({ err: -101 }) }] };
    expect(roundTrip(txn.MultiTxn, multi)).toEqual(multi);
    expect(roundTrip(txn.FileHeader, { magic: 0x5a4b4c47, version: 2, dbid: 0n })).toEqual({ magic: 0x5a4b4c47, version: 2, dbid: 0n });
    expect(roundTrip(LearnerInfo, { serverid: 3n, protocolVersion: 0x10000, configVersion: -1n })).toEqual({ serverid: 3n, protocolVersion: 0x10000, configVersion: -1n });
    const qp: QuorumPacket = { type: 2, zxid: 0x200000001n, data: null, authinfo: [] };
    expect(roundTrip(QuorumPacket, qp)).toEqual(qp);
  });

  it("T11 decoding never trusts a length", () => {
    const negative = Buffer.from([0xff, 0xff, 0xff, 0xfe]);
    expect(() => new BinaryInputArchive(negative).readString()).toThrow(JuteError);
    const huge = Buffer.alloc(8);
    huge.writeInt32BE(0x7fffffff);
    expect(() => new BinaryInputArchive(huge).readBuffer()).toThrow(/Unreasonable length/);
    const pastEnd = Buffer.from([0, 0, 0, 10, 1, 2]);
    expect(() => new BinaryInputArchive(pastEnd).readBuffer()).toThrow(/truncated/);
    const lyingVector = Buffer.from([0, 0x10, 0, 0, 0]);
    expect(() => new BinaryInputArchive(lyingVector).readVectorCount()).toThrow(/vector count/);
    // Replies never carry a null path: a -1 there is malformed. (Request paths may be null:
    // kazoo sends them, and the server answers them as Java does.)
    expect(() => proto.CreateResponse.decode(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(/null ustring/);
    expect(proto.GetDataRequest.decode(Buffer.from([0xff, 0xff, 0xff, 0xff, 0]))).toEqual({ path: null, watch: false });
    expect(() => proto.RequestHeader.decode(Buffer.from([0, 0, 0, 1, 0, 0, 0, 2, 9]))).toThrow(/trailing/);
  });
});
