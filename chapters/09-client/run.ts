/**
 * Chapter 09's example: a client's life, narrated. Run with `npm run chapter -- client`.
 *
 * Starts our server as its own process (bin/zk-server.js with this folder's zoo.cfg, a
 * temp data dir, 127.0.0.1, a free port) with a TCP proxy in front of it, the network
 * the example can cut. Then: a
 * session is negotiated; create/get/set with a watch; a chroot; the server process is
 * restarted within the session timeout and the session survives, watches included; the
 * connection drops while another client changes a watched node; the network stays down
 * past the session timeout and Expired is delivered once; finally zk-cli runs a few
 * commands non-interactively. Lines starting with `client ->` or `server ->` are the
 * client's trace events (src/client/ClientTrace.ts) as they happen; pings are left out.
 *
 * Ctrl-C aborts `signal`: the current wait ends, everything is closed and stopped.
 */
import { spawn } from "node:child_process";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeeperException } from "../../src/jute/KeeperException.js";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { EventType, KeeperState } from "../../src/jute/Watcher.js";
import { OPEN_ACL_UNSAFE, OpCode } from "../../src/jute/ZooDefs.js";
import { ZooKeeper } from "../../src/client/ZooKeeper.js";
import type { WatchedEvent } from "../../src/client/WatchedEvent.js";
import { describeEvent, formatSessionId, TRACE_CHANNEL, type TraceEvent } from "../../src/trace/index.js";
import { getLogLevel, setLogLevel } from "../../src/util/Logger.js";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { startTcpProxy, type TcpProxy } from "../../test/client/support/tcpProxy.js";
import { pickPort, startServer, writeConfig, type ServerChild } from "../support/serverProcess.js";

/** tickTime 1000 and maxSessionTimeout 6000; dataDir and clientPort are filled in. */
const TEMPLATE = join(import.meta.dirname, "zoo.cfg");

/** The client asks for zkCli's default; zoo.cfg's maxSessionTimeout (6000) caps it. */
const ASKED_TIMEOUT = 30000;

class Aborted extends Error {}

interface Client {
  readonly zk: ZooKeeper;
  /** Every event the handle's watchers were given, in order. */
  readonly events: WatchedEvent[];
  /** A watcher that prints what it gets. */
  readonly watcher: (e: WatchedEvent) => void;
  until(match: (e: WatchedEvent) => boolean, what: string, timeoutMs?: number): Promise<void>;
}

export default async function run(signal: AbortSignal): Promise<void> {
  let finished = false;
  const say = (line = "") => {
    if (!signal.aborted && !finished) console.log(line);
  };
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(new Aborted());
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
  aborted.catch(() => undefined);
  const abortable = <T>(p: Promise<T>): Promise<T> => Promise.race([p, aborted]);

  // The client's log would repeat what the narration says; ZK_LOG_LEVEL brings it back.
  const logLevel = getLogLevel();
  if (!process.env.ZK_LOG_LEVEL) setLogLevel("OFF");

  const home = mkdtempSync(join(tmpdir(), "chapter-09-"));
  const dataDir = join(home, "data");
  mkdirSync(dataDir);
  const handles: ZooKeeper[] = [];
  let server: ServerChild | null = null;
  let proxy: TcpProxy | null = null;
  const names = new Map<string, string>();

  // Client trace events, printed as they happen (pings and deliveries left out: the
  // watchers print what they are given).
  const onTrace = (message: unknown) => {
    const e = message as TraceEvent;
    if (e.kind === "message" && (e.label === "ping" || e.fields.op === OpCode.ping)) return;
    if (e.kind === "state" && e.label === "WatchedEvent") return;
    const named: TraceEvent = e.kind === "message" ? { ...e, from: names.get(e.from) ?? e.from, to: names.get(e.to) ?? e.to } : e;
    say(`     ${describeEvent(named)}`);
  };

  const client = (connectString: string, name: string, timeout = ASKED_TIMEOUT): Client => {
    const events: WatchedEvent[] = [];
    const waiters = new Set<() => void>();
    const watcher = (e: WatchedEvent) => {
      events.push(e);
      say(`     ${name} watcher <- ${e.toString()}`);
      for (const w of waiters) w();
    };
    const zk = new ZooKeeper(connectString, timeout, watcher, { traceName: name });
    handles.push(zk);
    // Ends at the first matching event, after timeoutMs, or on Ctrl-C, leaving no timer behind.
    const until = (match: (e: WatchedEvent) => boolean, what: string, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const end = (error?: Error) => {
          waiters.delete(check);
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (events.some(match)) end();
        };
        const onAbort = () => end(new Aborted());
        const timer = setTimeout(() => end(new Error(`${name}: no ${what} within ${timeoutMs} ms`)), timeoutMs);
        signal.addEventListener("abort", onAbort);
        waiters.add(check);
        if (signal.aborted) onAbort();
        else check();
      });
    return { zk, events, watcher, until };
  };
  const connectedState = (s: number) => (e: WatchedEvent) => e.type === EventType.None && e.state === s;
  const seen = (c: Client, type: number, path: string, from = 0) => (e: WatchedEvent) => c.events.indexOf(e) >= from && e.type === type && e.path === path;

  subscribe(TRACE_CHANNEL, onTrace);
  try {
    // ---------------------------------------------------------------------------------
    say("== 1. Our server, and a network we can cut");
    // Starting and stopping processes is never abandoned half way (a server left starting
    // would outlive the example); the abort is noticed at the next wait instead.
    const port = await pickPort();
    const configFile = writeConfig(TEMPLATE, home, dataDir, port);
    const address = `127.0.0.1:${port}`;
    server = await startServer(configFile, port);
    proxy = await startTcpProxy(port);
    names.set(address, "server").set(proxy.connectString, "server");
    say(`   zk-server runs chapters/09-client/zoo.cfg as process ${server.pid} on ${address} (tickTime 1000, maxSessionTimeout 6000);`);
    say(`   the client connects through a TCP proxy on ${proxy.connectString}, which stands for the network.`);

    // ---------------------------------------------------------------------------------
    say("\n== 2. Connect: ConnectRequest, ConnectResponse (T75, T76)");
    say(`   new ZooKeeper("${proxy.connectString}", ${ASKED_TIMEOUT}, watcher): a new session asks with session id 0 and a zero password.`);
    const c = client(proxy.connectString, "client");
    await c.until(connectedState(KeeperState.SyncConnected), "SyncConnected");
    const negotiated = c.zk.getSessionTimeout();
    const readTimeout = Math.trunc((negotiated * 2) / 3);
    say(`   => session ${formatSessionId(c.zk.getSessionId())}, negotiated timeout ${negotiated} ms (asked ${ASKED_TIMEOUT}; the server caps it at maxSessionTimeout).`);
    say(`      readTimeout = 2/3 of it = ${readTimeout} ms; an idle client pings every readTimeout/2 = ${Math.trunc(readTimeout / 2)} ms (T73, T74).`);

    // ---------------------------------------------------------------------------------
    say("\n== 3. Create, get with a watch, set: the watcher runs before setData returns");
    await abortable(c.zk.create("/app", null));
    await abortable(c.zk.create("/app/config", "v1"));
    const got = await abortable(c.zk.getData("/app/config", c.watcher));
    say(`   getData("/app/config", watcher) = "${got.data}" (version ${got.stat.version}); the data watch is registered once the reply is in.`);
    const stat = await abortable(c.zk.setData("/app/config", "v2"));
    say(`   setData returned version ${stat.version}. The server sent the notification before the reply, and the`);
    say("   event thread delivers in arrival order: the watcher line above came first.");

    // ---------------------------------------------------------------------------------
    say("\n== 4. A chroot: 127.0.0.1:port/app");
    const r = client(`${address}/app`, "chroot client", 10000);
    await r.until(connectedState(KeeperState.SyncConnected), "SyncConnected");
    const created = await abortable(r.zk.create("/from-chroot", "x"));
    const children = await abortable(r.zk.getChildren("/"));
    say(`   create("/from-chroot") answered ${created.path}; getChildren("/") = [${children.join(", ")}]: the server saw /app/..., the client never does.`);
    await abortable(r.zk.close());

    // ---------------------------------------------------------------------------------
    say("\n== 5. Restart the server process within the session timeout");
    await abortable(c.zk.getData("/app/config", c.watcher));
    say("   The client watches /app/config again. Stopping zk-server (SIGTERM), starting it on the same port and data dir:");
    await server.stop();
    await c.until(connectedState(KeeperState.Disconnected), "Disconnected");
    server = await startServer(configFile, port);
    say(`   zk-server is back as process ${server.pid}; the client retries every 1–2 s (1 s back-off after a full round of its one host, plus a random 0–999 ms).`);
    const before = c.events.length;
    await c.until((e) => c.events.indexOf(e) >= before && connectedState(KeeperState.SyncConnected)(e), "SyncConnected");
    say(`   => same session ${formatSessionId(c.zk.getSessionId())}: the server restored it from its log and accepted the password.`);
    say("      setWatches re-registered the watch on the new connection. Another client changes the node:");
    const other = client(address, "client 2", 10000);
    await other.until(connectedState(KeeperState.SyncConnected), "SyncConnected");
    let mark = c.events.length;
    await abortable(other.zk.setData("/app/config", "v3"));
    await c.until(seen(c, EventType.NodeDataChanged, "/app/config", mark), "NodeDataChanged");

    // ---------------------------------------------------------------------------------
    say("\n== 6. The connection drops while another client changes a watched node");
    await abortable(c.zk.getData("/app/config", c.watcher));
    proxy.setRefusing(true);
    proxy.dropConnections();
    await c.until((e) => c.events.indexOf(e) >= mark && connectedState(KeeperState.Disconnected)(e), "Disconnected");
    mark = c.events.length;
    await abortable(other.zk.setData("/app/config", "v4"));
    say("   client 2 set /app/config to v4 while the client was away. The network comes back:");
    proxy.setRefusing(false);
    await c.until(seen(c, EventType.NodeDataChanged, "/app/config", mark), "NodeDataChanged");
    say("   => setWatches carried relativeZxid = the last zxid the client had seen; the node changed after it, so the");
    say("      server fired the watch at once. Nothing was missed, though the change happened while nobody listened.");

    // ---------------------------------------------------------------------------------
    say("\n== 7. The network stays down longer than the session timeout: Expired, once");
    await abortable(c.zk.create("/app/lock", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL));
    await abortable(other.zk.exists("/app/lock", other.watcher));
    say(`   The client holds the ephemeral /app/lock; client 2 watches it. Cutting the network for good...`);
    proxy.setRefusing(true);
    proxy.dropConnections();
    await other.until(seen(other, EventType.NodeDeleted, "/app/lock"), "NodeDeleted", 60_000);
    say(`   The server heard nothing for ${negotiated} ms and expired the session: its ephemeral node is gone.`);
    say("   The network comes back; the server answers the client's ConnectRequest with timeOut 0:");
    proxy.setRefusing(false);
    await c.until(connectedState(KeeperState.Closed), "Closed");
    const expired = c.events.filter(connectedState(KeeperState.Expired)).length;
    say(`   => Expired delivered ${expired === 1 ? "once" : `${expired} times`}, then Closed, the last event a handle ever gets.`);
    const after = await abortable(c.zk.getData("/app/config").then(() => "succeeded", (e: KeeperException) => e.message));
    say(`      Requests now fail at once: getData -> ${after}. A new session needs a new handle.`);

    // ---------------------------------------------------------------------------------
    say("\n== 8. zk-cli, non-interactively (T77)");
    const cli = async (args: string[], input?: string) => {
      const command = ["zk-cli", "-server", address, ...args].join(" ");
      say(`   $ ${input === undefined ? "" : `printf '${input.replace(/\n/g, "\\n")}' | `}${command}`);
      const res = await abortable(runCli(["-server", address, ...args], input, signal));
      for (const line of res.stdout.split("\n").filter((l) => l !== "")) say(`     out| ${line}`);
      const err = res.stderr.split("\n").filter((l) => l !== "");
      for (const line of err.slice(0, 4)) say(`     err| ${line}`);
      if (err.length > 4) say(`     err| ... (${err.length - 4} more lines)`);
      say(`     exit ${res.code}`);
    };
    await cli(["get", "/app/config"]);
    await cli(["get", "/app/nope"]);
    await cli(["bogus"]);
    await cli([], "create /app/cli hello\nget /app/cli\nls /app\nhistory\n");
    say("\n   Same output, stderr and exit codes as zkCli.sh: test/client/zk-cli.test.ts compares them on both servers.");
    say("\ndone.");
  } catch (e) {
    if (!(e instanceof Aborted)) throw e;
  } finally {
    finished = true;
    unsubscribe(TRACE_CHANNEL, onTrace);
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
    await proxy?.close();
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
    setLogLevel(logLevel);
  }
}

/** Runs bin/zk-cli.js with `args` (and `input` on stdin when given) and collects what it prints. */
function runCli(args: string[], input: string | undefined, signal: AbortSignal): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin/zk-cli.js"), ...args], {
      cwd: REPO_ROOT,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      env: { ...process.env, TZ: "UTC" },
      signal,
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", (e) => (e.name === "AbortError" ? resolve({ stdout, stderr, code: null }) : reject(e)));
    child.on("close", (code) => resolve({ stdout, stderr, code }));
    if (input !== undefined) child.stdin!.end(input);
  });
}
