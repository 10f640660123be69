/**
 * The diagrams of chapter 02, each drawn from a run of the real server in this process
 * (chapters/support/inProcessServer.ts) on a temp data directory. Registered in
 * diagrams/registry.ts; `npm run diagrams` writes them.
 */
import { recordTrace, toMermaidSequence, type TraceEvent } from "../../src/trace/index.js";
import { setLogSink } from "../../src/util/Logger.js";
import type { DiagramGenerator } from "../../diagrams/diagram.js";
import { nameServer, persistenceView, removeDir, startInProcessServer, tempDataDir, type InProcessServer } from "../support/inProcessServer.js";

const PARTICIPANTS = ["client", "ZooKeeperServer", "SyncRequestProcessor", "FileTxnLog", "FileSnap", "disk", "DataTree"];

/** Runs `scenario` against a fresh server (started before recording) and draws what it recorded. */
async function draw(
  setup: (server: InProcessServer) => Promise<void>,
  scenario: (server: InProcessServer) => Promise<void>,
  note: string,
): Promise<string> {
  const quiet = setLogSink(() => undefined);
  const dir = tempDataDir("zk-ch02-");
  const server = await startInProcessServer(dir);
  try {
    await setup(server);
    const { events } = await recordTrace(() => scenario(server));
    const kept = persistenceView(nameServer(events, server.connectString));
    const lead: TraceEvent = { kind: "note", nodes: ["client", "disk"], text: note };
    return toMermaidSequence([lead, ...kept], { participants: PARTICIPANTS.filter((p) => kept.some((e) => involves(e, p))) });
  } finally {
    await server.stop();
    removeDir(dir);
    quiet();
  }
}

function involves(e: TraceEvent, node: string): boolean {
  return e.kind === "message" ? e.from === node || e.to === node : e.kind === "state" ? e.node === node : e.nodes.includes(node);
}

export const diagrams: readonly DiagramGenerator[] = [
  {
    name: "persistence-group-commit",
    title: "chapter 02: three creates sent at once are logged with one write and one fdatasync, then applied and answered",
    generate: () =>
      draw(
        async () => undefined,
        async (server) => {
          const zk = await server.connect();
          await Promise.all([zk.create("/a", "1"), zk.create("/b", "2"), zk.create("/c", "3")]);
        },
        "A new session, then three creates pipelined on it.\nZooKeeperServer stands for the server and its\nPrepRequestProcessor, which gives each write its zxid.",
      ),
  },
  {
    name: "persistence-snapshot",
    title: "chapter 02: a snapshot is written to a temp file and renamed; the next txn starts a new log file named after it",
    generate: () => {
      let zk: Awaited<ReturnType<InProcessServer["connect"]>>;
      return draw(
        async (server) => {
          zk = await server.connect();
          await zk.create("/app", "v1");
        },
        async (server) => {
          // What SyncRequestProcessor does every snapCount/2 + random(snapCount/2) txns.
          server.zks.zkDb.rollLog();
          await server.zks.takeSnapshot(false);
          await zk.setData("/app", "v2");
        },
        "snapCount reached: SyncRequestProcessor rolls the log\nand snapshots in the background (here called directly).",
      );
    },
  },
];
