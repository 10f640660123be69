/**
 * The diagrams of chapter 04: cold starts of the real server in this process, on a data
 * directory prepared by an earlier run (not recorded). Registered in
 * diagrams/registry.ts; `npm run diagrams` writes them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { VERSION_DIR } from "../../src/persistence/FileTxnSnapLog.js";
import { makeSnapshotName } from "../../src/persistence/Util.js";
import { recordTrace, type TraceEvent } from "../../src/trace/index.js";
import type { DiagramGenerator } from "../../diagrams/diagram.js";
import { drawPersistence, FIXED_WALL_TIME, inQuietTempDir, startInProcessServer, type InProcessServer } from "../support/inProcessServer.js";

const PARTICIPANTS = ["client", "ZooKeeperServer", "ZKDatabase", "FileTxnSnapLog", "DataTree", "FileSnap", "FileTxnLog", "disk"];

/**
 * Prepares a data dir by running a first server: sessions A and B, some znodes, one
 * fuzzy snapshot and one that gets corrupted, then a crash. What it leaves on disk:
 *
 *   0:1 createSession A   0:2 createSession B   0:3 create /app   0:4 create /app/a
 *   0:5 create /app/b     → snapshot.4, written after 0:5: fuzzy, and without session B
 *   0:6 create /app/lock (ephemeral, B)   0:7 setData /app   → snapshot.7, then corrupted
 *   0:8 create /app/c     → crash (no session is closed)
 */
async function prepare(dir: string): Promise<void> {
  const first = await startInProcessServer(dir);
  try {
    const a = await first.connect();
    const b = await first.connect();
    await a.create("/app", "v1");
    await a.create("/app/a", "");
    await a.create("/app/b", "");
    await writeFuzzySnapshot(first, 4n, b.getSessionId());
    await b.create("/app/lock", "", undefined, CreateMode.EPHEMERAL);
    await a.setData("/app", "v2");
    await first.zks.takeSnapshot(true);
    corruptMiddle(join(dir, VERSION_DIR, makeSnapshotName(7n)));
    await a.create("/app/c", "");
  } finally {
    await first.stop();
  }
}

/**
 * A snapshot named after 0:4 but holding the tree after 0:5: what a snapshot started at
 * 0:4 looks like when 0:5 is applied while it is being written. Its session table also
 * lacks `dropped`, the one planted inconsistency (see the chapter: loadData's clean-up).
 */
async function writeFuzzySnapshot(server: InProcessServer, name: bigint, dropped: bigint): Promise<void> {
  const sessions = new Map(server.zks.zkDb.sessionsWithTimeouts);
  sessions.delete(dropped);
  const file = join(server.snapLog.snapDir, makeSnapshotName(name));
  await server.snapLog.snapLog.serialize(server.zks.zkDb.dataTree, sessions, file, true);
}

/** Flips one byte in the middle of a file: its seal's checksum no longer matches. */
function corruptMiddle(path: string): void {
  const bytes = readFileSync(path);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  writeFileSync(path, bytes);
}

/** Prepares a data dir (not recorded), then records a server's start on it and a first client's request. */
function draw(prepareDir: (dir: string) => Promise<void>, note: string, serve: (zk: Awaited<ReturnType<InProcessServer["connect"]>>) => Promise<unknown>): Promise<string> {
  return inQuietTempDir("zk-ch04-", async (dir) => {
    await prepareDir(dir);
    let server: InProcessServer | null = null;
    try {
      const { events } = await recordTrace(async () => {
        server = await startInProcessServer(dir, { wallTime: FIXED_WALL_TIME + 3_600_000 });
        await serve(await server.connect());
      });
      return drawPersistence(events, server!.connectString, note, PARTICIPANTS, servingBriefly);
    } finally {
      await (server as InProcessServer | null)?.stop();
    }
  });
}

/**
 * Once the server serves, only the client's exchange is drawn: how a write is logged is
 * chapter 02's diagram, and seven columns are as many as a page can show legibly.
 */
function servingBriefly(events: TraceEvent[]): TraceEvent[] {
  const serving = events.findIndex((e) => e.kind === "state" && e.label === "clean snapshot");
  if (serving === -1) return events;
  const after = events.slice(serving + 1).filter((e) => e.kind === "message" && (e.from === "client" || e.to === "client"));
  return [...events.slice(0, serving + 1), ...after];
}

export const diagrams: readonly DiagramGenerator[] = [
  {
    name: "cold-start",
    title: "chapter 04: restart after a crash: corrupt newest snapshot skipped, fuzzy snapshot plus replay, dead session dropped, clean snapshot, serve",
    generate: () =>
      draw(
        prepare,
        "On disk: log.1 with 0:1 to 0:8, snapshot.0,\nsnapshot.4 (fuzzy: holds 0:5, lacks session B),\nsnapshot.7 (one byte changed).",
        (zk) => zk.getChildren("/app"),
      ),
  },
  {
    name: "cold-start-empty",
    title: "chapter 04 (T15): the first start on an empty data dir writes snapshot.0 and serves from zxid 0",
    generate: () => draw(async () => undefined, "An empty data dir: no snapshot, no log.", (zk) => zk.exists("/")),
  },
];
