/**
 * The diagrams of chapter 02, each drawn from a run of the real server in this process
 * (chapters/support/inProcessServer.ts) on a temp data directory. Registered in
 * diagrams/registry.ts; `npm run diagrams` writes them.
 */
import { recordTrace } from "../../src/trace/index.js";
import type { DiagramGenerator } from "../../diagrams/diagram.js";
import { drawPersistence, inQuietTempDir, startInProcessServer, type InProcessServer } from "../support/inProcessServer.js";

const PARTICIPANTS = ["client", "ZooKeeperServer", "SyncRequestProcessor", "FileTxnLog", "FileSnap", "disk", "DataTree"];

/** Runs `scenario` against a fresh server (started, and `setup` run, before recording) and draws it. */
function draw(setup: (server: InProcessServer) => Promise<void>, scenario: (server: InProcessServer) => Promise<void>, note: string): Promise<string> {
  return inQuietTempDir("zk-ch02-", async (dir) => {
    const server = await startInProcessServer(dir);
    try {
      await setup(server);
      const { events } = await recordTrace(() => scenario(server));
      return drawPersistence(events, server.connectString, note, PARTICIPANTS);
    } finally {
      await server.stop();
    }
  });
}

export const diagrams: readonly DiagramGenerator[] = [
  {
    name: "persistence-group-commit",
    title: "chapter 02: three creates sent at once are logged with one durable (O_DSYNC) write, then applied and answered",
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
