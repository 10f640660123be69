/**
 * Chapter 09's traced runs: a real client against a real server (ours, in this process,
 * on 127.0.0.1), with a TCP proxy between them where the network has to fail. The
 * diagrams (diagrams.ts) are drawn from what these runs report to the tracer.
 *
 * What keeps a run the same every time:
 * - the server's wall clock is pinned, so the session ids it derives from it
 *   (SessionTracker#next-session-id) are the same on every run; its timers run for real;
 * - the client's reconnect pause is "random" 0.5, i.e. 500 ms;
 * - each step waits for the event that ends the previous one (Disconnected before the
 *   other client writes, and so on), so nothing depends on who is faster;
 * - ports are replaced by names ("server"), pings are left out, and the expiry run's
 *   refused reconnect attempts (their number depends on timing) are summarized in a note.
 */
import { ZooKeeper } from "../../src/client/ZooKeeper.js";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { EventType, KeeperState } from "../../src/jute/Watcher.js";
import { OPEN_ACL_UNSAFE, OpCode } from "../../src/jute/ZooDefs.js";
import { MemoryTxnSnapLog } from "../../src/data/ZKDatabase.js";
import { ServerCnxnFactory } from "../../src/startup/ServerCnxnFactory.js";
import { ZooKeeperServer } from "../../src/server/ZooKeeperServer.js";
import { recordTrace, type TraceEvent, type TraceFields } from "../../src/trace/index.js";
import type { WatchedEvent } from "../../src/client/WatchedEvent.js";
import { startTcpProxy, type TcpProxy } from "../../test/client/support/tcpProxy.js";
import { collapseRefusedAttempts } from "../support/clientDiagrams.js";
import { pinnedClock } from "../support/inProcessServer.js";

/** The names the diagrams use for their participants. */
export const CLIENT = "client";
export const OTHER = "client 2";
export const SERVER = "server";

interface Stage {
  readonly server: ZooKeeperServer;
  readonly factory: ServerCnxnFactory;
  readonly address: string;
  readonly proxy: TcpProxy;
  readonly handles: ZooKeeper[];
  stop(): Promise<void>;
}

/** A standalone server (tickTime 1000 ms: sessions of 2 to 20 s) and a proxy in front of it. */
async function stage(): Promise<Stage> {
  const server = new ZooKeeperServer(new MemoryTxnSnapLog(), { tickTime: 1000, minSessionTimeout: 2000, maxSessionTimeout: 20000 }, pinnedClock());
  const factory = new ServerCnxnFactory({ host: "127.0.0.1", port: 0, maxClientCnxns: 0, fourLetterWordWhitelist: "" });
  await factory.startup(server);
  const proxy = await startTcpProxy(factory.localPort);
  const handles: ZooKeeper[] = [];
  return {
    server,
    factory,
    address: `127.0.0.1:${factory.localPort}`,
    proxy,
    handles,
    async stop() {
      await Promise.all(handles.map((h) => h.close()));
      await proxy.close();
      await factory.shutdown();
    },
  };
}

/** A handle whose watcher records events; `until` resolves at the first matching one. */
function client(s: Stage, connectString: string, sessionTimeout: number, traceName: string) {
  const seen: WatchedEvent[] = [];
  const waiters: Array<{ match: (e: WatchedEvent) => boolean; resolve: () => void }> = [];
  const watcher = (e: WatchedEvent) => {
    seen.push(e);
    for (const w of waiters.splice(0)) (w.match(e) ? w.resolve() : waiters.push(w));
  };
  const zk = new ZooKeeper(connectString, sessionTimeout, watcher, { traceName, random: () => 0.5 });
  s.handles.push(zk);
  const until = (match: (e: WatchedEvent) => boolean) =>
    new Promise<void>((resolve) => (seen.some(match) ? resolve() : waiters.push({ match, resolve })));
  return { zk, watcher, until };
}

const state = (s: number) => (e: WatchedEvent) => e.type === EventType.None && e.state === s;
const node = (type: number, path: string) => (e: WatchedEvent) => e.type === type && e.path === path;

/**
 * Diagram 1: a new session through a chroot, and one create. The client asks for zkCli's
 * default 30 s; the server grants at most 20 ticks (20 s).
 */
export async function connectAndCreate(): Promise<TraceEvent[]> {
  const s = await stage();
  try {
    const setup = client(s, s.address, 20000, "setup");
    await setup.until(state(KeeperState.SyncConnected));
    await setup.zk.create("/app", null);
    await setup.zk.close();
    const { events } = await recordTrace(async () => {
      const c = client(s, `${s.address}/app`, 30000, CLIENT);
      await c.until(state(KeeperState.SyncConnected));
      await c.zk.create("/config", "v1");
    });
    return normalize(events, s);
  } finally {
    await s.stop();
  }
}

/**
 * Diagram 2: the connection drops (the proxy cuts it), another client changes the watched
 * node meanwhile, and the client comes back on the same session: ConnectRequest with its
 * session id, password and lastZxidSeen, then setWatches, which fires the change at once.
 */
export async function reconnectWithWatches(): Promise<TraceEvent[]> {
  const s = await stage();
  try {
    const c = client(s, s.proxy.connectString, 20000, CLIENT);
    await c.until(state(KeeperState.SyncConnected));
    await c.zk.create("/config", "v1");
    await c.zk.getData("/config", c.watcher);
    const other = client(s, s.address, 20000, OTHER);
    await other.until(state(KeeperState.SyncConnected));
    const { events } = await recordTrace(async () => {
      s.proxy.dropConnections();
      await c.until(state(KeeperState.Disconnected));
      await other.zk.setData("/config", "v2");
      await c.until(node(EventType.NodeDataChanged, "/config"));
    });
    return normalize(events, s);
  } finally {
    await s.stop();
  }
}

export const REFUSED_NOTE = "the client tries again every 1.6 s (100 ms + 1 s back-off + 500 ms pause); the proxy closes each connection at once (not drawn)";

/**
 * Diagram 3: the network stays down longer than the session timeout. The server expires
 * the session (the other client's exists watch sees the ephemeral node go); when the
 * network is back, the server answers the client's ConnectRequest with timeOut 0: Expired,
 * delivered once, then Closed.
 */
export async function sessionExpiry(): Promise<TraceEvent[]> {
  const s = await stage();
  try {
    const c = client(s, s.proxy.connectString, 2000, CLIENT);
    await c.until(state(KeeperState.SyncConnected));
    await c.zk.create("/lock", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    const other = client(s, s.address, 20000, OTHER);
    await other.until(state(KeeperState.SyncConnected));
    await other.zk.exists("/lock", other.watcher);
    const { events } = await recordTrace(async () => {
      s.proxy.setRefusing(true);
      s.proxy.dropConnections();
      await other.until(node(EventType.NodeDeleted, "/lock"));
      s.proxy.setRefusing(false);
      await c.until(state(KeeperState.Closed));
    });
    return collapseRefusedAttempts(normalize(events, s), CLIENT, REFUSED_NOTE);
  } finally {
    await s.stop();
  }
}

/** Ports become "server", the CONNECTING state loses its address, pings are dropped. */
function normalize(events: readonly TraceEvent[], s: Stage): TraceEvent[] {
  const servers = new Set([s.address, s.proxy.connectString, "server"]);
  const rename = (n: string) => (servers.has(n) ? SERVER : n);
  const isPing = (e: TraceEvent) => e.kind === "message" && (e.label === "ping" || e.fields.op === OpCode.ping);
  return events
    .filter((e) => !isPing(e))
    .map((e): TraceEvent => {
      if (e.kind === "message") return { ...e, from: rename(e.from), to: rename(e.to) };
      if (e.kind === "state") return { ...e, node: rename(e.node), fields: withoutServer(e.fields) };
      return e;
    })
    .filter(byClient);
}

/**
 * Only what a client reports, between the clients and the server: the server's own trace
 * points (chapter 03) describe its insides (ServerCnxn, SessionTracker, ...) and would tie
 * these diagrams to another chapter's vocabulary.
 */
function byClient(e: TraceEvent): boolean {
  const clients = [CLIENT, OTHER];
  const ends = [...clients, SERVER];
  if (e.kind === "message") return (clients.includes(e.from) || clients.includes(e.to)) && ends.includes(e.from) && ends.includes(e.to);
  return e.kind === "state" && clients.includes(e.node);
}

function withoutServer(fields: TraceFields): TraceFields {
  const { server: _server, ...rest } = fields;
  return rest;
}
