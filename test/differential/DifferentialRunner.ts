/**
 * DifferentialRunner — one seeded random sequence of client operations, sent in lockstep
 * to Apache ZooKeeper 3.8 and to our server, comparing every reply and every watch event.
 *
 * Compared exactly: result codes, reply zxids, paths (sequential suffixes included),
 * data, ACLs, children and ephemerals in the order the server lists them (Java's
 * HashSet order), Stat fields. Compared by role: ctime/mtime (each
 * server's clock; checked to follow zxid order instead), session ids (mapped to which
 * logical client owns them). Events: per client, the notifications that arrived between
 * two operations, in order.
 */
import { BinaryInputArchive } from "../../src/jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../../src/jute/BinaryOutputArchive.js";
import type { ACL, Stat } from "../../src/jute/data.js";
import * as proto from "../../src/jute/proto.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { generateDigest } from "../../src/data/auth/DigestAuthenticationProvider.js";
import { RawClient, type RawSession } from "../support/RawClient.js";
import { SeededRandom } from "../support/random.js";

export type MultiMember =
  | { type: "create"; path: string; data: Buffer | null; acl: ACL[]; flags: number }
  | { type: "delete"; path: string; version: number }
  | { type: "setData"; path: string; data: Buffer | null; version: number }
  | { type: "check"; path: string; version: number }
  | { type: "getData"; path: string }
  | { type: "getChildren"; path: string };

export type Op =
  | { kind: "create"; opcode: number; path: string; data: Buffer | null; acl: ACL[]; flags: number; ttl: bigint }
  | { kind: "delete"; path: string; version: number }
  | { kind: "setData"; path: string; data: Buffer | null; version: number }
  | { kind: "getData" | "exists" | "getChildren" | "getChildren2"; path: string; watch: boolean }
  | { kind: "getACL" | "sync" | "getAllChildrenNumber"; path: string }
  | { kind: "setACL"; path: string; acl: ACL[]; version: number }
  | { kind: "auth"; scheme: string; id: string }
  | { kind: "multi" | "multiRead"; members: MultiMember[] }
  | { kind: "addWatch"; path: string; mode: number }
  | { kind: "removeWatches" | "checkWatches"; path: string; type: number }
  | { kind: "getEphemerals"; prefix: string }
  | { kind: "whoAmI" }
  | { kind: "closeSession" }
  | { kind: "reconnect"; watches: proto.SetWatches2 };

export interface Step {
  client: number;
  op: Op;
}

const OPEN: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const READ_ONLY: ACL[] = [{ perms: 1, id: { scheme: "world", id: "anyone" } }];
const U1 = generateDigest("u1:p1");
const U2 = generateDigest("u2:p2");
export const SUPER_DIGEST = generateDigest("super:secret");

const ACLS: ACL[][] = [
  OPEN,
  OPEN,
  OPEN,
  READ_ONLY,
  [{ perms: 31, id: { scheme: "digest", id: U1 } }],
  [{ perms: 1, id: { scheme: "world", id: "anyone" } }, { perms: 30, id: { scheme: "digest", id: U2 } }],
  [{ perms: 31, id: { scheme: "auth", id: "" } }],
  [{ perms: 31, id: { scheme: "ip", id: "127.0.0.1" } }],
  [{ perms: 31, id: { scheme: "ip", id: "10.0.0.0/8" } }],
  [{ perms: 31, id: { scheme: "digest", id: "malformed" } }],
  [{ perms: 31, id: { scheme: "nosuchscheme", id: "x" } }],
  [],
  [OPEN[0]!, OPEN[0]!],
];

const STATIC_PATHS = ["/d", "/d/a", "/d/b", "/d/a/x", "/d/a/y", "/d/b/x", "/d/a/x/z", "/e", "/e/c", "/zookeeper", "/"];
/** Quota nodes as zkCli's setquota creates them; their data must be StatsTrack text. */
const QUOTA_NODES = ["/zookeeper/quota/d", "/zookeeper/quota/d/zookeeper_limits", "/zookeeper/quota/d/zookeeper_stats", "/zookeeper/quota/d/a", "/zookeeper/quota/d/a/zookeeper_limits", "/zookeeper/quota/d/a/zookeeper_stats"];
const QUOTA_DATA = ["count=6,bytes=-1", "count=-1,bytes=60", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=7", "count=-1,bytes=-1=;byteHardLimit=90;countHardLimit=-1", "count=0,bytes=0"];
const ODD_PATHS = ["d", "/d/", "/d//a", "/d/./a", "/d/..", "", "/zookeeper/quota", "/zookeeper/config", "/d/\u0001"];

/** Generates the operations; sequential names come from the reference's replies. */
export class OpGenerator {
  readonly rnd: SeededRandom;
  readonly created = new Set<string>();

  constructor(
    seed: number,
    readonly clients: number,
  ) {
    this.rnd = new SeededRandom(seed);
  }

  /**
   * A hard count quota of 7 on /d and a soft byte quota on /d/a, set up the way zkCli's
   * setquota does it, so the random operations that follow run into QUOTAEXCEEDED.
   */
  quotaPreamble(): Step[] {
    const make = (path: string, data: string): Step => ({ client: 0, op: { kind: "create", opcode: OpCode.create, path, data: Buffer.from(data), acl: OPEN, flags: 0, ttl: -1n } });
    return [
      make("/d", ""),
      make("/d/a", ""),
      make("/zookeeper/quota/d", ""),
      make("/zookeeper/quota/d/zookeeper_limits", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=7"),
      make("/zookeeper/quota/d/zookeeper_stats", "count=0,bytes=0"),
      make("/zookeeper/quota/d/a", ""),
      make("/zookeeper/quota/d/a/zookeeper_limits", "count=-1,bytes=40"),
      make("/zookeeper/quota/d/a/zookeeper_stats", "count=0,bytes=0"),
    ];
  }

  observe(path: string): void {
    if (path.startsWith("/d") || path.startsWith("/e")) this.created.add(path);
  }

  path(): string {
    const r = this.rnd;
    if (r.chance(0.02)) return r.pick(ODD_PATHS);
    if (this.created.size > 0 && r.chance(0.3)) return r.pick([...this.created]);
    return r.pick(STATIC_PATHS);
  }

  data(): Buffer | null {
    const r = this.rnd;
    if (r.chance(0.1)) return null;
    return r.bytes(r.int(24));
  }

  version(): number {
    return this.rnd.chance(0.6) ? -1 : this.rnd.int(3);
  }

  member(read: boolean): MultiMember {
    const r = this.rnd;
    if (read) return r.chance(0.5) ? { type: "getData", path: this.path() } : { type: "getChildren", path: this.path() };
    switch (r.int(4)) {
      case 0:
        return { type: "create", path: this.path() + (r.chance(0.5) ? "/m" + r.int(4) : ""), data: this.data(), acl: r.pick(ACLS), flags: r.pick([0, 0, 1, 2, 3, 4]) };
      case 1:
        return { type: "delete", path: this.path(), version: this.version() };
      case 2:
        return { type: "setData", path: this.path(), data: this.data(), version: this.version() };
      default:
        return { type: "check", path: this.path(), version: this.version() };
    }
  }

  next(): Step {
    const r = this.rnd;
    const client = r.int(this.clients);
    const w = r.int(100);
    let op: Op;
    if (w < 2) {
      // Quota nodes: created in order by the generator's luck, like a partial setquota.
      op = { kind: "create", opcode: OpCode.create, path: r.pick(QUOTA_NODES), data: Buffer.from(r.pick(QUOTA_DATA)), acl: OPEN, flags: 0, ttl: -1n };
    } else if (w < 28) {
      const opcode = r.pick([OpCode.create, OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL]);
      let flags = r.pick([0, 0, 0, 1, 1, 2, 3]);
      if (opcode === OpCode.createContainer) flags = 4;
      if (opcode === OpCode.createTTL) flags = r.pick([5, 6, 0]);
      const ttl = opcode === OpCode.createTTL ? BigInt(r.pick([0, 1000, 60000, 3600000])) : -1n;
      const parent = this.path();
      const path = parent === "/" ? "/n" + r.int(3) : parent + "/n" + r.int(3);
      op = { kind: "create", opcode, path: r.chance(0.3) ? parent : path, data: this.data(), acl: r.pick(ACLS), flags, ttl };
    } else if (w < 36) op = { kind: "delete", path: this.path(), version: this.version() };
    else if (w < 46) op = { kind: "setData", path: this.path(), data: this.data(), version: this.version() };
    else if (w < 62) op = { kind: r.pick(["getData", "exists", "getChildren", "getChildren2"] as const), path: this.path(), watch: r.chance(0.6) };
    else if (w < 66) op = { kind: r.pick(["getACL", "sync", "getAllChildrenNumber"] as const), path: this.path() };
    else if (w < 69) op = { kind: "setACL", path: this.path(), acl: r.pick(ACLS), version: this.version() };
    else if (w < 71) op = { kind: "auth", scheme: r.pick(["digest", "digest", "digest", "nosuchscheme"]), id: r.pick(["u1:p1", "u2:p2", "super:secret", "u1:wrong"]) };
    else if (w < 80) op = { kind: "multi", members: Array.from({ length: 1 + r.int(4) }, () => this.member(false)) };
    else if (w < 82) op = { kind: "multiRead", members: Array.from({ length: 1 + r.int(3) }, () => this.member(true)) };
    else if (w < 86) op = { kind: "addWatch", path: this.path(), mode: r.int(2) };
    else if (w < 89) op = { kind: r.pick(["removeWatches", "checkWatches"] as const), path: this.path(), type: 1 + r.int(3) };
    else if (w < 91) op = { kind: "getEphemerals", prefix: r.pick(["/", "/d", "/d/a", ""]) };
    else if (w < 92) op = { kind: "whoAmI" };
    else if (w < 95) op = { kind: "closeSession" };
    else {
      const paths = () => Array.from({ length: r.int(3) }, () => this.path()).filter((p) => p.startsWith("/"));
      op = {
        kind: "reconnect",
        watches: { relativeZxid: 0n, dataWatches: paths(), existWatches: paths(), childWatches: paths(), persistentWatches: paths(), persistentRecursiveWatches: paths() },
      };
    }
    return { client, op };
  }
}

function encodeMulti(members: MultiMember[]): Buffer {
  const oa = new BinaryOutputArchive();
  for (const m of members) {
    switch (m.type) {
      case "create":
        proto.MultiHeader.write(oa, { type: OpCode.create, done: false, err: -1 });
        proto.CreateRequest.write(oa, { path: m.path, data: m.data, acl: m.acl, flags: m.flags });
        break;
      case "delete":
        proto.MultiHeader.write(oa, { type: OpCode.delete, done: false, err: -1 });
        proto.DeleteRequest.write(oa, { path: m.path, version: m.version });
        break;
      case "setData":
        proto.MultiHeader.write(oa, { type: OpCode.setData, done: false, err: -1 });
        proto.SetDataRequest.write(oa, { path: m.path, data: m.data, version: m.version });
        break;
      case "check":
        proto.MultiHeader.write(oa, { type: OpCode.check, done: false, err: -1 });
        proto.CheckVersionRequest.write(oa, { path: m.path, version: m.version });
        break;
      case "getData":
        proto.MultiHeader.write(oa, { type: OpCode.getData, done: false, err: -1 });
        proto.GetDataRequest.write(oa, { path: m.path, watch: false });
        break;
      case "getChildren":
        proto.MultiHeader.write(oa, { type: OpCode.getChildren, done: false, err: -1 });
        proto.GetChildrenRequest.write(oa, { path: m.path, watch: false });
        break;
    }
  }
  proto.MultiHeader.write(oa, { type: -1, done: true, err: -1 });
  return oa.toBuffer();
}

/** A decoded MultiResponse, as plain data. */
function decodeMultiResponse(body: Buffer): unknown[] {
  const ia = new BinaryInputArchive(body);
  const out: unknown[] = [];
  let h = proto.MultiHeader.read(ia);
  while (!h.done) {
    switch (h.type) {
      case OpCode.create:
        out.push({ create: proto.CreateResponse.read(ia) });
        break;
      case OpCode.create2:
        out.push({ create2: proto.Create2Response.read(ia) });
        break;
      case OpCode.delete:
        out.push("delete");
        break;
      case OpCode.check:
        out.push("check");
        break;
      case OpCode.setData:
        out.push({ setData: proto.SetDataResponse.read(ia) });
        break;
      case OpCode.getData:
        out.push({ getData: proto.GetDataResponse.read(ia) });
        break;
      case OpCode.getChildren: {
        const r = proto.GetChildrenResponse.read(ia);
        out.push({ getChildren: r.children });
        break;
      }
      case OpCode.error:
        out.push({ error: proto.ErrorResponse.read(ia).err, headerErr: h.err });
        break;
      default:
        throw new Error(`unexpected multi result type ${h.type}`);
    }
    h = proto.MultiHeader.read(ia);
  }
  return out;
}

/** One server under test: its clients (by logical index) and what they saw. */
export class Side {
  readonly clients: RawClient[] = [];
  /** sessionId → logical label "c<index>.<generation>". */
  readonly sessionLabels = new Map<bigint, string>();
  private readonly generations: number[] = [];
  /** zxid → time, to check that times follow zxid order. */
  readonly times = new Map<bigint, bigint>();

  constructor(
    readonly name: string,
    readonly port: number,
  ) {}

  async open(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      this.generations.push(0);
      this.clients.push(await this.connectNew(i));
    }
  }

  private async connectNew(i: number): Promise<RawClient> {
    const c = await RawClient.connect(this.port, { timeOut: 30000 });
    this.generations[i] = (this.generations[i] ?? 0) + 1;
    this.sessionLabels.set(c.session!.sessionId, `c${i}.${this.generations[i]}`);
    return c;
  }

  async replace(i: number): Promise<void> {
    this.clients[i]!.destroy();
    this.clients[i] = await this.connectNew(i);
  }

  async reattach(i: number, watches: proto.SetWatches2): Promise<unknown> {
    const old = this.clients[i]!;
    const session: RawSession = old.session!;
    old.destroy();
    const c = await RawClient.open(this.port);
    const rsp = await c.handshake({ session, timeOut: 30000 });
    this.clients[i] = c;
    if (rsp.sessionId === 0n) return { reattach: "expired" };
    const r = await c.request(OpCode.setWatches2, proto.SetWatches2, watches, -8);
    return { reattach: "ok", timeOut: rsp.timeOut, setWatchesErr: r.err };
  }

  label(id: bigint): string {
    return id === 0n ? "0" : (this.sessionLabels.get(id) ?? `unknown:${id.toString(16)}`);
  }

  stat(s: Stat): Record<string, unknown> {
    this.times.set(s.czxid, s.ctime);
    this.times.set(s.mzxid, s.mtime);
    return { ...s, ctime: "t", mtime: s.ctime === s.mtime ? "t" : "t'", ephemeralOwner: this.label(s.ephemeralOwner) };
  }

  async closeAll(): Promise<void> {
    for (const c of this.clients) c.destroy();
  }
}

/** Runs one op on one side; returns a normalized, comparable result. */
export async function execute(side: Side, step: Step, gen: OpGenerator | null): Promise<unknown> {
  const c = side.clients[step.client]!;
  const op = step.op;
  const S = (s: Stat) => side.stat(s);
  const reply = async (type: number, codec: any, value: any) => {
    const r = await c.request(type, codec, value);
    return r;
  };
  switch (op.kind) {
    case "create": {
      const codec = op.opcode === OpCode.createTTL ? proto.CreateTTLRequest : proto.CreateRequest;
      const value = op.opcode === OpCode.createTTL ? { path: op.path, data: op.data, acl: op.acl, flags: op.flags, ttl: op.ttl } : { path: op.path, data: op.data, acl: op.acl, flags: op.flags };
      const r = await reply(op.opcode, codec, value);
      if (r.err !== 0) return { err: r.err, zxid: r.zxid };
      if (op.opcode === OpCode.create) {
        const { path } = proto.CreateResponse.decode(r.body);
        gen?.observe(path);
        return { zxid: r.zxid, path };
      }
      const { path, stat } = proto.Create2Response.decode(r.body);
      gen?.observe(path);
      return { zxid: r.zxid, path, stat: S(stat) };
    }
    case "delete": {
      const r = await reply(OpCode.delete, proto.DeleteRequest, { path: op.path, version: op.version });
      return { err: r.err, zxid: r.zxid, bodyLength: r.body.length };
    }
    case "setData": {
      const r = await reply(OpCode.setData, proto.SetDataRequest, { path: op.path, data: op.data, version: op.version });
      return r.err !== 0 ? { err: r.err, zxid: r.zxid } : { zxid: r.zxid, stat: S(proto.SetDataResponse.decode(r.body).stat) };
    }
    case "getData": {
      const r = await reply(OpCode.getData, proto.GetDataRequest, { path: op.path, watch: op.watch });
      if (r.err !== 0) return { err: r.err, zxid: r.zxid };
      const d = proto.GetDataResponse.decode(r.body);
      return { zxid: r.zxid, data: d.data === null ? null : d.data.toString("hex"), stat: S(d.stat) };
    }
    case "exists": {
      const r = await reply(OpCode.exists, proto.ExistsRequest, { path: op.path, watch: op.watch });
      return r.err !== 0 ? { err: r.err, zxid: r.zxid } : { zxid: r.zxid, stat: S(proto.ExistsResponse.decode(r.body).stat) };
    }
    case "getChildren": {
      const r = await reply(OpCode.getChildren, proto.GetChildrenRequest, { path: op.path, watch: op.watch });
      return r.err !== 0 ? { err: r.err, zxid: r.zxid } : { zxid: r.zxid, children: proto.GetChildrenResponse.decode(r.body).children };
    }
    case "getChildren2": {
      const r = await reply(OpCode.getChildren2, proto.GetChildren2Request, { path: op.path, watch: op.watch });
      if (r.err !== 0) return { err: r.err, zxid: r.zxid };
      const d = proto.GetChildren2Response.decode(r.body);
      return { zxid: r.zxid, children: d.children, stat: S(d.stat) };
    }
    case "getACL": {
      const r = await reply(OpCode.getACL, proto.GetACLRequest, { path: op.path });
      if (r.err !== 0) return { err: r.err, zxid: r.zxid };
      const d = proto.GetACLResponse.decode(r.body);
      return { zxid: r.zxid, acl: d.acl, stat: S(d.stat) };
    }
    case "sync": {
      const r = await reply(OpCode.sync, proto.SyncRequest, { path: op.path });
      return r.err !== 0 ? { err: r.err, zxid: r.zxid } : { zxid: r.zxid, path: proto.SyncResponse.decode(r.body).path };
    }
    case "getAllChildrenNumber": {
      const r = await reply(OpCode.getAllChildrenNumber, proto.GetAllChildrenNumberRequest, { path: op.path });
      return r.err !== 0 ? { err: r.err, zxid: r.zxid } : { zxid: r.zxid, n: proto.GetAllChildrenNumberResponse.decode(r.body).totalNumber };
    }
    case "setACL": {
      const r = await reply(OpCode.setACL, proto.SetACLRequest, { path: op.path, acl: op.acl, version: op.version });
      return r.err !== 0 ? { err: r.err, zxid: r.zxid } : { zxid: r.zxid, stat: S(proto.SetACLResponse.decode(r.body).stat) };
    }
    case "auth": {
      const err = await c.auth(op.scheme, op.id);
      if (err !== 0) {
        const closed = await c.waitClosed(5000);
        await side.replace(step.client);
        return { authErr: err, closed };
      }
      return { auth: 0 };
    }
    case "multi":
    case "multiRead": {
      const oa = new BinaryOutputArchive();
      const xid = 1_000_000 + Math.floor(Math.random() * 1000);
      proto.RequestHeader.write(oa, { xid, type: op.kind === "multi" ? OpCode.multi : OpCode.multiRead });
      oa.writeRaw(encodeMulti(op.members));
      const r = await c.requestBytes(xid, oa.toBuffer());
      if (r.err !== 0) return { err: r.err, zxid: r.zxid };
      const results = decodeMultiResponse(r.body).map((x: any) => {
        if (x.create) gen?.observe(x.create.path);
        if (x.create2) return { create2: { path: x.create2.path, stat: S(x.create2.stat) } };
        if (x.setData) return { setData: S(x.setData.stat) };
        if (x.getData) return { getData: { data: x.getData.data?.toString("hex") ?? null, stat: S(x.getData.stat) } };
        return x;
      });
      return { zxid: r.zxid, results };
    }
    case "addWatch": {
      const r = await reply(OpCode.addWatch, proto.AddWatchRequest, { path: op.path, mode: op.mode });
      return { err: r.err, zxid: r.zxid, body: r.body.toString("hex") };
    }
    case "removeWatches":
    case "checkWatches": {
      const type = op.kind === "removeWatches" ? OpCode.removeWatches : OpCode.checkWatches;
      const codec = op.kind === "removeWatches" ? proto.RemoveWatchesRequest : proto.CheckWatchesRequest;
      const r = await reply(type, codec, { path: op.path, type: op.type });
      return { err: r.err, zxid: r.zxid, body: r.body.toString("hex") };
    }
    case "getEphemerals": {
      const r = await reply(OpCode.getEphemerals, proto.GetEphemeralsRequest, { prefixPath: op.prefix });
      return r.err !== 0 ? { err: r.err, zxid: r.zxid } : { zxid: r.zxid, ephemerals: proto.GetEphemeralsResponse.decode(r.body).ephemerals };
    }
    case "whoAmI": {
      const r = await reply(OpCode.whoAmI, null, null);
      return r.err !== 0 ? { err: r.err, zxid: r.zxid } : { zxid: r.zxid, who: proto.WhoAmIResponse.decode(r.body).clientInfo };
    }
    case "closeSession": {
      const r = await c.request(OpCode.closeSession, null, null);
      const closed = await c.waitClosed(5000);
      await side.replace(step.client);
      return { err: r.err, zxid: r.zxid, closed };
    }
    case "reconnect":
      return side.reattach(step.client, op.watches);
  }
}

/** Pings every client so all notifications already sent have arrived; returns new events. */
export async function drainEvents(side: Side, seen: WeakMap<RawClient, number>): Promise<string[][]> {
  const out: string[][] = [];
  for (let i = 0; i < side.clients.length; i++) {
    const c = side.clients[i]!;
    await c.ping();
    const fresh = c.events.slice(seen.get(c) ?? 0);
    seen.set(c, c.events.length);
    out.push(fresh.map((e) => `${e.type}:${e.state}:${e.path}`));
  }
  return out;
}
