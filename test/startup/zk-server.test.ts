/**
 * `npx zk-server zoo.cfg` as an operator runs it: it serves quickly, says what is wrong
 * with a bad config (key and line) and exits with zkServer.sh's codes, refuses an
 * ensemble config it cannot run, and keeps its data across a restart.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataTree } from "../../src/data/DataTree.js";
import { FileTxnSnapLog } from "../../src/persistence/FileTxnSnapLog.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import * as proto from "../../src/jute/proto.js";
import { apacheZooKeeperAvailable, startApacheZooKeeper } from "../support/apacheZooKeeper.js";
import { fourLetterWord, freePort, waitForServing } from "../support/net.js";
import { startOurServerProcess, type OurServerProcess } from "../support/ourServerProcess.js";
import { startFailure } from "../support/serverProcess.js";
import { RawClient } from "../support/RawClient.js";

const ROOT = resolve(import.meta.dirname, "../..");
const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function runZkServer(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/zk-server.js"), ...args], { encoding: "utf8", env: { ...process.env, ZK_LOG_LEVEL: "ERROR" }, timeout: 30_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** A listener on a loopback port the OS picked, closed after the test: a taken clientPort. */
async function takenPort(): Promise<number> {
  const srv: Server = createServer((sock) => sock.destroy());
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
  return (srv.address() as { port: number }).port;
}

const snapshots = (dataDir: string) => (existsSync(join(dataDir, "version-2")) ? readdirSync(join(dataDir, "version-2")).filter((f) => f.startsWith("snapshot.")) : []);

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "zkserver-"));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe("zk-server", () => {
  it("answers ruok and srvr soon after it starts", async () => {
    // Warm the bundle first so the timing below is the server's start, not a build.
    const warm = await startOurServerProcess();
    await warm.stop();
    const t0 = performance.now();
    const s = await startOurServerProcess();
    cleanup.push(() => s.stop());
    const elapsed = performance.now() - t0;
    expect(await fourLetterWord(s.port, "ruok")).toBe("imok");
    expect(await fourLetterWord(s.port, "srvr")).toMatch(/Mode: standalone/);
    // bench/ measures this precisely; here only a guard against a regression to seconds.
    expect(elapsed).toBeLessThan(3000);
  });

  it("exits 2 with the file, line and key of a bad setting", () => {
    const d = tempDir();
    const cfg = join(d, "zoo.cfg");
    writeFileSync(cfg, `tickTime=2000\ndataDir=${d}\nclientPort=notaport\n`);
    const r = runZkServer([cfg]);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`${cfg}:3: clientPort: "notaport" is not an integer`);
  });

  it("exits 2 with a usage line when the config argument is missing", () => {
    const r = runZkServer([]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("Usage: zk-server zoo.cfg");
  });

  it("refuses an ensemble config with an explicit message (quorum mode is not in this build)", () => {
    const d = tempDir();
    writeFileSync(join(d, "myid"), "1\n");
    const cfg = join(d, "zoo.cfg");
    writeFileSync(cfg, `tickTime=2000\ninitLimit=5\nsyncLimit=2\ndataDir=${d}\nclientPort=2181\nserver.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n`);
    const r = runZkServer([cfg]);
    expect(r.code).toBe(78);
    expect(r.out).toContain("quorum mode (election, sync, broadcast) is not part of this build yet");
  });

  it("binds the client port before it reads the data dir: a taken port stops it, nothing written, as Apache's", async () => {
    const port = await takenPort();
    const d = tempDir();
    const cfg = join(d, "zoo.cfg");
    writeFileSync(cfg, `tickTime=2000\ndataDir=${join(d, "data")}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n`);
    const r = runZkServer([cfg]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`Unexpected exception, exiting abnormally: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    expect(snapshots(join(d, "data"))).toEqual([]);
    if (!apacheZooKeeperAvailable()) return;
    const apacheData = join(d, "apache-data");
    const err = await startFailure(startApacheZooKeeper({ port, dataDir: apacheData }));
    expect(err).toMatch(/the server exited before serving[\s\S]*Address already in use/);
    expect(snapshots(apacheData)).toEqual([]);
  });

  it("datadir.autocreate=false and no version-2: exit 3, 'Unable to access datadir', as Apache's", async () => {
    const d = tempDir();
    const cfg = join(d, "zoo.cfg");
    writeFileSync(cfg, `tickTime=2000\ndataDir=${join(d, "data")}\nclientPort=${await freePort()}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\ndatadir.autocreate=false\n`);
    const r = runZkServer([cfg]);
    expect(r.code, r.out).toBe(3);
    expect(r.out).toContain(`Unable to access datadir, exiting abnormally: Missing data directory ${join(d, "data", "version-2")}, automatic data directory creation is disabled (zookeeper.datadir.autocreate is false). Please create this directory manually.`);
    expect(existsSync(join(d, "data", "version-2"))).toBe(false);
    if (!apacheZooKeeperAvailable()) return;
    const err = await startFailure(startApacheZooKeeper({ dataDir: join(d, "apache-data"), extraConfig: { "datadir.autocreate": "false" } }));
    expect(err).toContain("Unable to access datadir, exiting abnormally");
    expect(err).toContain("automatic data directory creation is disabled (zookeeper.datadir.autocreate is false)");
  });

  it("an AdminServer port that is taken: exit 4, 'Unable to start AdminServer', as Apache's", async () => {
    const adminPort = await takenPort();
    const d = tempDir();
    const cfg = join(d, "zoo.cfg");
    writeFileSync(cfg, `tickTime=2000\ndataDir=${join(d, "data")}\nclientPort=${await freePort()}\nclientPortAddress=127.0.0.1\nadmin.enableServer=true\nadmin.serverAddress=127.0.0.1\nadmin.serverPort=${adminPort}\n`);
    const r = runZkServer([cfg]);
    expect(r.code, r.out).toBe(4);
    expect(r.out).toContain(`Unable to start AdminServer, exiting abnormally: Problem starting AdminServer on address 127.0.0.1, port ${adminPort} and command URL /commands`);
    if (!apacheZooKeeperAvailable()) return;
    const err = await startFailure(startApacheZooKeeper({ dataDir: join(d, "apache-data"), extraConfig: { "admin.enableServer": "true", "admin.serverAddress": "127.0.0.1", "admin.serverPort": adminPort } }));
    expect(err).toContain("Unable to start AdminServer, exiting abnormally");
    expect(err).toContain(`Problem starting AdminServer on address 127.0.0.1, port ${adminPort} and command URL /commands`);
  });

  it("answers ruok while it loads a large snapshot, says it is not serving yet and closes a client; then serves", async () => {
    // 300,000 znodes: a couple of seconds of restore, with the port open all along.
    const dataDir = tempDir();
    const tree = new DataTree();
    let zxid = 1n;
    tree.createNode("/big", null, OPEN, 0n, -1, zxid, 1n);
    for (let i = 0; i < 300_000; i++) tree.createNode(`/big/n${i}`, Buffer.from("0123456789"), OPEN, 0n, -1, ++zxid, 1n);
    tree.lastProcessedZxid = zxid;
    const snapLog = await FileTxnSnapLog.open(dataDir, dataDir);
    await snapLog.save(tree, new Map(), false);
    await snapLog.close();

    const port = await freePort();
    const cfg = join(tempDir(), "zoo.cfg");
    writeFileSync(cfg, `tickTime=2000\ndataDir=${dataDir}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=*\n`);
    const child = spawn(process.execPath, [join(ROOT, "bin/zk-server.js"), cfg], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ZK_LOG_LEVEL: "INFO" } });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const exited = new Promise((r) => child.once("exit", r));
    cleanup.push(async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    });
    // The first answer on the port comes while the snapshot is still being read.
    let first = "";
    for (const deadline = Date.now() + 30_000; first === "" && Date.now() < deadline; ) {
      first = await fourLetterWord(port, "srvr", "127.0.0.1", 5000).catch(() => "");
      if (first === "") await new Promise((r) => setTimeout(r, 10));
    }
    expect(first, out).toBe("This ZooKeeper instance is not currently serving requests\n");
    expect(out).not.toContain("Snapshot loaded in");
    expect(await fourLetterWord(port, "ruok")).toBe("imok");
    const early = await RawClient.open(port);
    cleanup.push(() => early.destroy());
    await expect(early.handshake()).rejects.toThrow("connection closed during handshake");

    await waitForServing(port, 60_000);
    for (const deadline = Date.now() + 10_000; !out.includes("Snapshot taken in") && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    // The server's own log puts these in order: the port is bound before the snapshot is
    // read, and four-letter words are answered between slices of the snapshot's tree.
    expect(out).toContain("Closing connection: ZooKeeperServer not running");
    const reading = out.indexOf("Reading snapshot");
    const loaded = out.indexOf("Snapshot loaded in");
    expect(out.indexOf("binding to port")).toBeLessThan(reading);
    // While the tree is rebuilt the test keeps asking srvr (every 50 ms): the longest
    // the server leaves it unanswered is a slice of the restore, not most of it (a
    // restore that does not yield leaves a silence of about 85 % of its time, 1.7 s of
    // 2 s here; with slices the longest silence is about 10 %, 0.2 s).
    const start = out.lastIndexOf("\n", reading) + 1;
    const stamps = out
      .slice(start, out.indexOf("\n", loaded))
      .split("\n")
      .filter((l) => /Reading snapshot|Processing (srvr|ruok) command|Snapshot loaded in/.test(l))
      .map((l) => Date.parse(l.slice(0, 23).replace(" ", "T").replace(",", ".")));
    const longestGap = Math.max(...stamps.slice(1).map((t, i) => t - stamps[i]!));
    expect(stamps.length, out).toBeGreaterThan(3);
    expect(longestGap / (stamps[stamps.length - 1]! - stamps[0]!), out).toBeLessThan(0.5);
    const c = await RawClient.connect(port);
    cleanup.push(() => c.destroy());
    const r = await c.request(OpCode.getChildren2, proto.GetChildren2Request, { path: "/big", watch: false });
    expect(proto.GetChildren2Response.decode(r.body).stat.numChildren).toBe(300_000);
  });

  it("snapshot.compression.method in zoo.cfg picks the snapshot codec, any case, as Java's StreamMode.fromString", async () => {
    for (const [value, name] of [["SNAPPY", "snapshot.0.snappy"], ["gz", "snapshot.0.gz"], ["lz4", "snapshot.0"]] as const) {
      const dataDir = tempDir();
      const s = await startOurServerProcess({ dataDir, extraConfig: { "snapshot.compression.method": value }, env: { ZK_LOG_LEVEL: "INFO" } });
      cleanup.push(() => s.stop());
      expect(snapshots(dataDir)).toEqual([name]);
      expect(s.output()).toContain(`zookeeper.snapshot.compression.method = ${value === "lz4" ? "CHECKED" : value.toUpperCase() === "GZ" ? "GZIP" : "SNAPPY"}`);
      await s.stop();
    }
  });

  it("a clean snapshot that cannot be written at start: exit 10, 'Severe unrecoverable error', as Apache's", async () => {
    const dataDir = tempDir();
    const first = await startOurServerProcess({ dataDir });
    const c = await RawClient.connect(first.port);
    for (let i = 0; i < 3; i++) await c.request(OpCode.create, proto.CreateRequest, { path: `/n${i}`, data: null, acl: OPEN, flags: 0 });
    await c.closeSession();
    const zxid = /Zxid: 0x([0-9a-f]+)/.exec(await fourLetterWord(first.port, "srvr"))![1]!;
    await first.stop();
    // The restart's clean snapshot would be snapshot.<zxid>: make that name a directory.
    mkdirSync(join(dataDir, "version-2", `snapshot.${zxid}`, "in-the-way"), { recursive: true });
    const apacheCopy = tempDir();
    cpSync(dataDir, apacheCopy, { recursive: true });

    const cfg = join(tempDir(), "zoo.cfg");
    writeFileSync(cfg, `tickTime=2000\ndataDir=${dataDir}\nclientPort=${await freePort()}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n`);
    const r = runZkServer([cfg]);
    expect(r.code, r.out).toBe(10);
    expect(r.out).toContain("Severe unrecoverable error, exiting: could not take a snapshot");
    if (!apacheZooKeeperAvailable()) return;
    const err = await startFailure(startApacheZooKeeper({ dataDir: apacheCopy }));
    expect(err).toContain("Severe unrecoverable error, exiting");
  });

  it("says at start that an authProvider.N (a Java class) is ignored, and serves", async () => {
    const s = await startOurServerProcess({ extraConfig: { "authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider" } });
    cleanup.push(() => s.stop());
    expect(s.output()).toContain("zookeeper.authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider names a Java authentication provider; this server has only ip and digest, so it is ignored");
    expect(await fourLetterWord(s.port, "ruok")).toBe("imok");
  });

  it("keeps znodes and sessions across a clean restart on the same data dir", async () => {
    const dataDir = tempDir();
    const port = await freePort();
    let s: OurServerProcess = await startOurServerProcess({ dataDir, port });
    const c = await RawClient.connect(s.port);
    for (let i = 0; i < 50; i++) {
      const r = await c.request(OpCode.create, proto.CreateRequest, { path: `/n${i}`, data: Buffer.from(`v${i}`), acl: OPEN, flags: 0 });
      expect(r.err).toBe(0);
    }
    const eph = await c.request(OpCode.create, proto.CreateRequest, { path: "/eph", data: null, acl: OPEN, flags: 1 });
    expect(eph.err).toBe(0);
    const session = c.session!;
    c.destroy();
    expect(await s.stop()).toBe(0);

    s = await startOurServerProcess({ dataDir, port });
    cleanup.push(() => s.stop());
    await waitForServing(s.port);
    // The session survives the restart (its timeout has not run out): re-attach with it.
    const again = await RawClient.open(s.port);
    cleanup.push(() => again.destroy());
    const rsp = await again.handshake({ session, timeOut: session.timeOut });
    expect(rsp.sessionId).toBe(session.sessionId);
    for (const i of [0, 17, 49]) {
      const r = await again.request(OpCode.getData, proto.GetDataRequest, { path: `/n${i}`, watch: false });
      expect(r.err).toBe(0);
      expect(proto.GetDataResponse.decode(r.body).data?.toString()).toBe(`v${i}`);
    }
    const e = await again.request(OpCode.exists, proto.ExistsRequest, { path: "/eph", watch: false });
    expect(proto.ExistsResponse.decode(e.body).stat.ephemeralOwner).toBe(session.sessionId);
  });
});
