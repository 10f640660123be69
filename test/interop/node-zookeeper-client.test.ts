/**
 * node-zookeeper-client (npm, a 3.4-protocol client: no create2, TTL, containers or
 * persistent watches) against our server: every operation it has — create in its four
 * modes, mkdirp, exists, getData, setData, getChildren (with Stat), getACL, setACL,
 * addAuthInfo (digest), remove, removeRecursive, listSubTreeBFS, transactions with a
 * failing op, watchers on exists, getData and getChildren — and a server restart on the
 * same data dir, after which the client's session, ephemerals and watches
 * (re-registered with setWatches) survive. The transcript against ours equals the one
 * against Apache ZooKeeper 3.8 line for line, with session ids and times masked.
 */
import zookeeper from "node-zookeeper-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interopServersAvailable, startInteropServer, type ServerName } from "./support/servers.js";
import { expectSameTranscript, INTERNAL_ERROR } from "./support/transcript.js";

/** The library has these two; its type definitions do not. */
type Client = zookeeper.Client & {
  listSubTreeBFS(path: string, cb: (err: unknown, children: string[]) => void): void;
  removeRecursive(path: string, cb: (err: unknown) => void): void;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Callback = (err: unknown, ...results: any[]) => void;

const long = (b: Buffer): bigint => b.readBigInt64BE(0);

/** Builds one run's transcript: session ids map to <A>, <B>; times print as "t". */
class Transcript {
  readonly lines: string[] = [];
  private readonly sessions: bigint[] = [];

  addSession(c: Client): string {
    this.sessions.push(long(c.getSessionId()));
    return this.session(long(c.getSessionId()));
  }

  session(id: bigint): string {
    const i = this.sessions.indexOf(id);
    return i < 0 ? `0x${id.toString(16)}` : `<${"AB"[i]}>`;
  }

  stat(s: zookeeper.Stat | undefined): string {
    if (!s) return String(s);
    const hex = (b: Buffer) => `0x${long(b).toString(16)}`;
    const t = (b: Buffer) => (long(b) === 0n ? "0" : "t");
    return `{czxid=${hex(s.czxid)} mzxid=${hex(s.mzxid)} pzxid=${hex(s.pzxid)} ctime=${t(s.ctime)} mtime=${t(s.mtime)} version=${s.version} cversion=${s.cversion} aversion=${s.aversion} owner=${this.session(long(s.ephemeralOwner))} dataLength=${s.dataLength} numChildren=${s.numChildren}}`;
  }

  show(v: unknown): string {
    if (v === undefined || v === null) return String(v);
    if (Buffer.isBuffer(v)) return `'${v.toString("utf8")}'`;
    if (Array.isArray(v)) return `[${v.map((x) => this.show(x)).join(", ")}]`;
    if (typeof v === "object" && "czxid" in v) return this.stat(v as zookeeper.Stat);
    if (typeof v === "object" && "id" in v && ("permission" in v || "perms" in v)) {
      const a = v as { permission?: number; perms?: number; id: { scheme: string; id: string } };
      return `${a.id.scheme}:${a.id.id}:${a.permission ?? a.perms}`;
    }
    if (typeof v === "object" && "type" in v) {
      // A transaction result: {type, path?, stat?}
      const r = v as { type: number; path?: string; stat?: zookeeper.Stat };
      return `{type=${r.type}${r.path !== undefined ? ` path=${r.path}` : ""}${r.stat ? ` stat=${this.stat(r.stat)}` : ""}}`;
    }
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  /** Runs a callback-style call and logs its results or its error. */
  async step(label: string, fn: (cb: Callback) => void): Promise<unknown[]> {
    const [err, results] = await new Promise<[unknown, unknown[]]>((resolve) => {
      try {
        fn((e, ...r) => resolve([e, r]));
      } catch (e) {
        resolve([e, []]); // the library's own argument checks throw
      }
    });
    if (err) {
      const e = err as { getName?: () => string; message?: string };
      this.lines.push(`${label} -> error ${e.getName ? e.getName() : e.message}`);
      return [];
    }
    this.lines.push(`${label} -> ${results.map((r) => this.show(r)).join(" ")}`);
    return results;
  }

  line(s: string): void {
    this.lines.push(s);
  }
}

function connect(connectString: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = zookeeper.createClient(connectString, { sessionTimeout: 30000, spinDelay: 100, retries: 0 }) as Client;
    const t = setTimeout(() => reject(new Error(`could not connect to ${connectString}`)), 20000);
    c.once("connected", () => {
      clearTimeout(t);
      resolve(c);
    });
    c.connect();
  });
}

/** Collects watcher events; `settle(n)` waits for n of them (10 s at most). */
class Events {
  readonly seen: string[] = [];
  private wake: (() => void) | null = null;
  readonly watcher = (e: zookeeper.Event) => {
    this.seen.push(`${e.getName()}:${e.getPath()}`);
    this.wake?.();
  };
  async settle(n: number): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    while (this.seen.length < n && Date.now() < deadline) {
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 100);
      });
    }
    await new Promise((r) => setTimeout(r, 50)); // an extra event would show as a difference
    return this.seen.splice(0);
  }
}

const open = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id("world", "anyone"))];
const { PERSISTENT, PERSISTENT_SEQUENTIAL, EPHEMERAL, EPHEMERAL_SEQUENTIAL } = zookeeper.CreateMode as unknown as Record<string, number>;

async function transcript(name: ServerName): Promise<{ lines: string[]; output: string }> {
  const server = await startInteropServer(name);
  const t = new Transcript();
  const clients: Client[] = [];
  try {
    const a = await connect(server.gatedConnectString);
    const b = await connect(server.gatedConnectString);
    clients.push(a, b);
    t.line(`connected: ${t.addSession(a)} ${t.addSession(b)} timeout=${a.getSessionTimeout()}`);
    const B = (s: string) => Buffer.from(s);

    await t.step("create", (cb) => a.create("/n", B("root"), cb));
    await t.step("create PERSISTENT", (cb) => a.create("/n/p", B("p"), open, PERSISTENT!, cb));
    await t.step("create PERSISTENT_SEQUENTIAL", (cb) => a.create("/n/ps-", B("ps"), open, PERSISTENT_SEQUENTIAL!, cb));
    await t.step("create EPHEMERAL", (cb) => a.create("/n/e", B("e"), open, EPHEMERAL!, cb));
    await t.step("create EPHEMERAL_SEQUENTIAL", (cb) => a.create("/n/es-", null as unknown as Buffer, open, EPHEMERAL_SEQUENTIAL!, cb));
    await t.step("create exists", (cb) => a.create("/n/p", cb));
    await t.step("create no parent", (cb) => a.create("/n/none/x", cb));
    await t.step("create under ephemeral", (cb) => a.create("/n/e/x", cb));
    await t.step("mkdirp", (cb) => a.mkdirp("/n/deep/er/est", B("leaf"), cb));
    await t.step("mkdirp again", (cb) => a.mkdirp("/n/deep/er/est", cb));

    await t.step("exists", (cb) => a.exists("/n/p", cb));
    await t.step("exists missing", (cb) => a.exists("/n/missing", cb));
    await t.step("getData", (cb) => a.getData("/n/ps-0000000001", cb));
    await t.step("getData null data", (cb) => a.getData("/n/es-0000000003", cb));
    await t.step("getData missing", (cb) => a.getData("/n/missing", cb));
    await t.step("getChildren", (cb) => a.getChildren("/n", (e, c, s) => cb(e, c?.sort(), s)));
    await t.step("getChildren missing", (cb) => a.getChildren("/n/missing", cb));
    await t.step("listSubTreeBFS", (cb) => a.listSubTreeBFS("/n/deep", cb));
    await t.step("getACL", (cb) => a.getACL("/n/p", cb));

    await t.step("setData", (cb) => a.setData("/n/p", B("p1"), cb));
    await t.step("setData version", (cb) => a.setData("/n/p", B("p2"), 1, cb));
    await t.step("setData bad version", (cb) => a.setData("/n/p", B("p3"), 9, cb));
    await t.step("setData empty", (cb) => a.setData("/n/p", Buffer.alloc(0), cb));
    await t.step("remove bad version", (cb) => a.remove("/n/p", 0, cb));
    await t.step("remove not empty", (cb) => a.remove("/n/deep", cb));
    await t.step("removeRecursive", (cb) => a.removeRecursive("/n/deep", cb));
    await t.step("remove missing", (cb) => a.remove("/n/missing", cb));

    // ACLs and auth
    const alice = new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id("digest", "alice:V55/p2T0OpjQ+low3NVAH4aLvm0="));
    const anyoneRead = new zookeeper.ACL(zookeeper.Permission.READ, new zookeeper.Id("world", "anyone"));
    await t.step("create with digest ACL", (cb) => a.create("/n/secret", B("s"), [alice, anyoneRead], PERSISTENT!, cb));
    await t.step("getACL digest", (cb) => a.getACL("/n/secret", cb));
    await t.step("setData NoAuth", (cb) => a.setData("/n/secret", B("x"), cb));
    a.addAuthInfo("digest", B("alice:pw"));
    await t.step("setData as alice", (cb) => a.setData("/n/secret", B("x"), cb));
    await t.step("setACL ip", (cb) => a.setACL("/n/secret", [alice, new zookeeper.ACL(zookeeper.Permission.READ | zookeeper.Permission.WRITE, new zookeeper.Id("ip", "127.0.0.1"))], cb));
    await t.step("setACL bad version", (cb) => a.setACL("/n/secret", open, 0, cb));
    await t.step("setACL invalid", (cb) => a.setACL("/n/secret", [new zookeeper.ACL(31, new zookeeper.Id("nosuch", "x"))], cb));
    await t.step("b setData by ip", (cb) => b.setData("/n/secret", B("y"), cb));
    await t.step("create auth ACL", (cb) => a.create("/n/mine", B("m"), [new zookeeper.ACL(31, new zookeeper.Id("auth", ""))], PERSISTENT!, cb));
    await t.step("getACL auth", (cb) => a.getACL("/n/mine", cb));
    await t.step("b getData NoAuth", (cb) => b.getData("/n/mine", cb));

    // transactions
    await t.step("transaction", (cb) =>
      a.transaction().create("/n/t1", B("1")).create("/n/ts-", B("2"), PERSISTENT_SEQUENTIAL!).setData("/n/t1", B("3")).check("/n/t1", 1).remove("/n/mine").commit(cb),
    );
    await t.step("transaction failing op", (cb) => a.transaction().create("/n/t2").setData("/n/t1", B("x"), 5).remove("/n/t1").commit(cb));
    await t.step("nothing of it", (cb) => a.exists("/n/t2", cb));

    // watchers
    const ev = new Events();
    await t.step("exists watcher", (cb) => a.exists("/n/w", ev.watcher, cb));
    await t.step("getChildren watcher", (cb) => a.getChildren("/n", ev.watcher, (e, c) => cb(e, c?.length)));
    await t.step("b create /n/w", (cb) => b.create("/n/w", B("0"), cb));
    t.line(`events: ${(await ev.settle(2)).sort().join(", ")}`);
    await t.step("getData watcher", (cb) => a.getData("/n/w", ev.watcher, cb));
    await t.step("b setData /n/w", (cb) => b.setData("/n/w", B("1"), cb));
    t.line(`events: ${(await ev.settle(1)).join(", ")}`);
    await t.step("getData watcher", (cb) => a.getData("/n/w", ev.watcher, cb));
    await t.step("b remove /n/w", (cb) => b.remove("/n/w", cb));
    t.line(`events: ${(await ev.settle(1)).join(", ")}`);

    // a restart on the same data dir: session, ephemerals, watches (setWatches) survive
    const states: string[] = [];
    a.on("state", (s: zookeeper.State) => states.push(String(s)));
    await t.step("getData watcher before restart", (cb) => a.getData("/n/p", ev.watcher, cb));
    await t.step("exists watcher before restart", (cb) => a.exists("/n/later", ev.watcher, cb));
    const reconnected = new Promise<void>((r) => a.once("connected", () => r()));
    const bReconnected = new Promise<void>((r) => b.once("connected", () => r()));
    await server.restart();
    await Promise.race([
      Promise.all([reconnected, bReconnected]),
      new Promise((_r, reject) => setTimeout(() => reject(new Error(`no reconnect within 40 s after the restart: ${states}`)), 40_000)),
    ]);
    t.line(`after restart: ${t.session(long(a.getSessionId()))} ${t.session(long(b.getSessionId()))} states ${states.join(",")}`);
    await t.step("ephemerals kept", (cb) => b.getChildren("/n", (e, c) => cb(e, c?.filter((x) => x.startsWith("e")).sort())));
    await t.step("b setData /n/p", (cb) => b.setData("/n/p", B("after"), cb));
    await t.step("b create /n/later", (cb) => b.create("/n/later", cb));
    t.line(`events: ${(await ev.settle(2)).sort().join(", ")}`);

    // close: the ephemerals go
    const gone = new Events();
    await t.step("b exists watcher /n/e", (cb) => b.exists("/n/e", gone.watcher, cb));
    a.close();
    t.line(`events: ${(await gone.settle(1)).join(", ")}`);
    await t.step("children after close", (cb) => b.getChildren("/n", (e, c) => cb(e, c?.sort())));
    await t.step("removeRecursive /n", (cb) => b.removeRecursive("/n", cb));
    await t.step("root", (cb) => b.getChildren("/", (e, c) => cb(e, c?.sort())));
    t.line("done");
    return { lines: t.lines, output: server.output() };
  } finally {
    for (const c of clients) c.close();
    await server.dispose();
  }
}

describe.skipIf(!interopServersAvailable())("node-zookeeper-client against our server", () => {
  let apache: { lines: string[]; output: string };
  let ours: { lines: string[]; output: string };

  beforeAll(async () => {
    [apache, ours] = await Promise.all([transcript("apache"), transcript("ours")]);
  }, 180_000);

  it("prints the same transcript against ours as against Apache ZooKeeper 3.8", () => {
    expectSameTranscript(ours.lines.join("\n"), apache.lines.join("\n"), "node-zookeeper-client's transcript");
  });

  it("the transcript exercised what it claims: transactions, watchers, the restart", () => {
    const t = apache.lines.join("\n") + "\n";
    expect(t).toContain("transaction failing op -> error");
    expect(t).toContain("events: NODE_CHILDREN_CHANGED:/n, NODE_CREATED:/n/w\n");
    expect(t).toContain("after restart: <A> <B>");
    expect(t).toContain("events: NODE_CREATED:/n/later, NODE_DATA_CHANGED:/n/p\n");
    expect(t).toContain("events: NODE_DELETED:/n/e\n");
    expect(t).toMatch(/\ndone\n$/);
  });

  it("our server logged no internal error while serving it", () => {
    expect(ours.output).not.toMatch(INTERNAL_ERROR);
  });
});
