/**
 * A standalone server in this process, on a real data directory: what the diagram
 * generators of chapters 02 and 04 record.
 *
 * The same classes `zk-server` wires up (FileTxnSnapLog, ZooKeeperServer,
 * ServerCnxnFactory on 127.0.0.1), minus the admin server and the purge task, with two
 * inputs pinned so that a run draws the same diagram every time (diagrams/README.md):
 * the wall clock, which seeds session ids and stamps ctime/mtime, and the client port's
 * number, which the client puts into its trace events as the server's name.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZooKeeper } from "../../src/client/ZooKeeper.js";
import { FileTxnSnapLog, type FileTxnSnapLogOptions } from "../../src/persistence/FileTxnSnapLog.js";
import { ServerCnxnFactory } from "../../src/startup/ServerCnxnFactory.js";
import { ZooKeeperServer, type ServerConfig } from "../../src/server/ZooKeeperServer.js";
import { eventText, formatValue, toMermaidSequence, type TraceEvent, type TraceFields } from "../../src/trace/index.js";
import { systemClock, type Clock } from "../../src/util/Clock.js";
import { setLogSink } from "../../src/util/Logger.js";

/** 2024-01-01T00:00:00Z: every txn of a recorded run carries this time. */
export const FIXED_WALL_TIME = Date.UTC(2024, 0, 1);

/** Real time for timeouts, a fixed wall clock for everything stored. */
export function pinnedClock(wallTime = FIXED_WALL_TIME): Clock {
  return { ...systemClock, wallTime: () => wallTime };
}

export interface InProcessServer {
  readonly dataDir: string;
  readonly zks: ZooKeeperServer;
  readonly snapLog: FileTxnSnapLog;
  readonly connectString: string;
  /** A client with a 30 s session, connected. */
  connect(): Promise<ZooKeeper>;
  /** Closes the port and shuts the server down; sessions stay open on disk, as after a crash. */
  stop(): Promise<void>;
}

/** A fresh temp directory; the caller removes it with `removeDir`. */
export function tempDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Builds the server and starts it (loading `dataDir`): call inside a recording to draw the start. */
export async function startInProcessServer(
  dataDir: string,
  opts: {
    config?: Partial<ServerConfig>;
    storage?: FileTxnSnapLogOptions;
    /**
     * The pinned wall time. A restart must pass a later one, as real time would be:
     * session ids are seeded from it, and a reused id would collide with a session the
     * restored data still holds.
     */
    wallTime?: number;
  } = {},
): Promise<InProcessServer> {
  const clock = pinnedClock(opts.wallTime);
  const snapLog = await FileTxnSnapLog.open(dataDir, dataDir, { clock, ...opts.storage });
  const zks = new ZooKeeperServer(snapLog, opts.config, clock);
  const factory = new ServerCnxnFactory({ host: "127.0.0.1", port: 0, maxClientCnxns: 0, fourLetterWordWhitelist: "" });
  await factory.startup(zks);
  const connectString = `127.0.0.1:${factory.localPort}`;
  const clients: ZooKeeper[] = [];
  return {
    dataDir,
    zks,
    snapLog,
    connectString,
    async connect() {
      const zk = await connected(new ZooKeeper(connectString, 30000, null, { random: () => 0 }));
      clients.push(zk);
      return zk;
    },
    async stop() {
      await factory.shutdown();
      // The server is gone: the clients can only give up (no closeSession reaches the disk).
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    },
  };
}

function connected(zk: ZooKeeper): Promise<ZooKeeper> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error("client did not connect within 10 s")), 10_000);
    const poll = () => {
      if (zk.getState() === "CONNECTED") {
        clearTimeout(deadline);
        resolve(zk);
      } else setTimeout(poll, 2);
    };
    poll();
  });
}

/**
 * Renames the server in recorded events: the client calls it by its address
 * ("127.0.0.1:<port>"), the server calls itself ZooKeeperServer. One name keeps the
 * diagram to one lifeline for it, and keeps the random port out of the text.
 */
export function nameServer(events: readonly TraceEvent[], address: string, name = "ZooKeeperServer"): TraceEvent[] {
  const rename = (n: string) => (n === address ? name : n);
  return events.map((e) => {
    switch (e.kind) {
      case "message":
        return { ...e, from: rename(e.from), to: rename(e.to) };
      case "state":
        return { ...e, node: rename(e.node) };
      case "note":
        return { ...e, nodes: e.nodes.map(rename) };
    }
  });
}

/** The participants the persistence chapters draw; everything else is other chapters' story. */
const STORAGE = new Set(["FileTxnLog", "FileSnap", "FileTxnSnapLog", "ZKDatabase", "DataTree", "disk"]);

/**
 * Keeps what chapters 02 and 04 tell, in as few columns and as short labels as a page
 * can show: the client's requests and the answers it reads (as the client traces them,
 * with only the session on the handshake), each write entering SyncRequestProcessor
 * (drawn from the server, whose PrepRequestProcessor gave it its zxid), the server's own
 * start-up steps, and every storage event. The hand-off to FinalRequestProcessor is left
 * out: the server's `processTxn` arrow to DataTree marks the same moment. Fields a
 * reader already knows from the line before (the op of an append, the file of a write)
 * are dropped.
 */
export function persistenceView(events: readonly TraceEvent[], server = "ZooKeeperServer"): TraceEvent[] {
  const out: TraceEvent[] = [];
  const without = (e: TraceEvent & { fields: TraceFields }, ...keys: string[]) =>
    ({ ...e, fields: Object.fromEntries(Object.entries(e.fields).filter(([k]) => !keys.includes(k))) }) as TraceEvent;
  for (const e of events) {
    if (e.kind === "note") out.push(e);
    else if (e.kind === "state") {
      if (e.node === "FileSnap" && e.label === "invalid" && typeof e.fields.reason === "string") {
        out.push({ ...e, fields: { ...e.fields, reason: e.fields.reason.replace(/: stored checksum.*$/, "") } });
      } else if (e.node === "FileTxnLog" && e.label === "append") out.push(without(e, "op"));
      else if (STORAGE.has(e.node) || (e.node === server && /dead session|clean snapshot/.test(e.label))) out.push(e);
    } else if (e.from === "client" && e.to === server) {
      out.push(e.label === "ConnectRequest" ? { ...e, fields: { sessionId: e.fields.sessionId ?? null } } : e);
    } else if (e.from === server && e.to === "client" && e.label !== "notification") {
      if (e.label === "ConnectResponse") out.push({ ...e, fields: { sessionId: e.fields.sessionId ?? null } });
      else out.push(e.fields.err === "OK" ? without(e, "op", "err") : without(e, "op"));
    } else if (e.from === "PrepRequestProcessor" && e.to === "SyncRequestProcessor") {
      out.push({ ...without(e, "sessionId"), from: server } as TraceEvent);
    } else if (e.from === "FileTxnLog" && e.to === "disk" && e.label !== "create") out.push(without(e, "file"));
    else if (e.label === "processTxn" && e.from === server) out.push(without(e, "op"));
    else if (STORAGE.has(e.from) || STORAGE.has(e.to)) out.push(e);
  }
  return out.map(wrapLong);
}

/** A long label with its fields becomes one line each: mermaid widens a column to its longest line. */
function wrapLong(e: TraceEvent): TraceEvent {
  if (e.kind === "note" || Object.keys(e.fields).length === 0 || eventText(e).length <= 34) return e;
  const lines = Object.entries(e.fields).map(([k, v]) => `${k}=${formatValue(k, v)}`);
  return { ...e, label: [e.label, ...lines].join("\n"), fields: {} };
}

/** Runs `fn` on a fresh temp directory with all log output dropped; removes the directory afterwards. */
export async function inQuietTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const restoreLog = setLogSink(() => undefined);
  const dir = tempDataDir(prefix);
  try {
    return await fn(dir);
  } finally {
    removeDir(dir);
    restoreLog();
  }
}

/**
 * Draws recorded events the way chapters 02 and 04 do: the server under one name,
 * persistenceView, then `shape` (if given), a note on top, and the columns in the order
 * `participants` gives (those without an event left out).
 */
export function drawPersistence(
  events: readonly TraceEvent[],
  serverAddress: string,
  note: string,
  participants: readonly string[],
  shape: (events: TraceEvent[]) => TraceEvent[] = (e) => e,
): string {
  const kept = shape(persistenceView(nameServer(events, serverAddress)));
  const lead: TraceEvent = { kind: "note", nodes: [participants[0]!, participants[participants.length - 1]!], text: note };
  return toMermaidSequence([lead, ...kept], { participants: participants.filter((p) => kept.some((e) => involves(e, p))) });
}

function involves(e: TraceEvent, node: string): boolean {
  return e.kind === "message" ? e.from === node || e.to === node : e.kind === "state" ? e.node === node : e.nodes.includes(node);
}
