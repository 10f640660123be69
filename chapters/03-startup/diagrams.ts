/**
 * Chapter 03's generated diagrams (registered in diagrams/registry.ts):
 *
 * - server-startup: `initializeAndRun(zoo.cfg)` on a data dir with some history, from
 *   the parsed config to the listening client port;
 * - connect-handshake: a client's first ConnectRequest, the createSession txn through
 *   Prep → Sync → Final, and the ConnectResponse with the session id and password.
 *
 * Set-up runs before recording starts. Other chapters trace the layers below (the
 * snapshot and log files, the client's own side); each diagram keeps the participants
 * it is about, so those events do not clutter it and cannot make it depend on a port.
 */
import { recordDiagram, type DiagramGenerator, type RecordOptions } from "../../diagrams/diagram.js";
import type { Participant, TraceEvent } from "../../src/trace/index.js";
import { initializeAndRun } from "../../src/startup/QuorumPeerMain.js";
import { freePort } from "../../test/support/net.js";
import { connectClient, quietly, seedDataDir, startHandshakeServer, tempHome, writeStandaloneConfig } from "./scenarios.js";

/** Keeps messages between two listed participants and state changes of listed ones. */
function only(names: readonly string[], exceptStatesOf: readonly string[] = []): (e: TraceEvent) => boolean {
  const set = new Set(names);
  return (e) =>
    e.kind === "message" ? set.has(e.from) && set.has(e.to) : e.kind === "state" ? set.has(e.node) && !exceptStatesOf.includes(e.node) : e.nodes.every((n) => set.has(n));
}

function options(participants: readonly Participant[], extra: Partial<RecordOptions> = {}): RecordOptions {
  return { participants, keep: only(participants.map((p) => p.name)), ...extra };
}

const STARTUP: readonly Participant[] = [
  { name: "QuorumPeerMain" },
  { name: "DatadirCleanupManager", label: "DatadirCleanupManager (purge)" },
  { name: "ZooKeeperServerMain" },
  { name: "Operations", label: "metrics + AdminServer" },
  { name: "ServerCnxnFactory" },
  { name: "ZooKeeperServer" },
  { name: "ZKDatabase" },
  { name: "SessionTracker" },
  { name: "ContainerManager" },
];

const HANDSHAKE: readonly Participant[] = [
  { name: "client", label: "client (src/client)" },
  { name: "ServerCnxn" },
  { name: "ZooKeeperServer" },
  { name: "SessionTracker" },
  { name: "PrepRequestProcessor" },
  { name: "SyncRequestProcessor" },
  { name: "FinalRequestProcessor" },
  { name: "DataTree" },
];

export const diagrams: readonly DiagramGenerator[] = [
  {
    name: "server-startup",
    title: "zk-server zoo.cfg, standalone: config, purge task, mode (T25), database load, sessions, processors, client port",
    generate: () =>
      quietly(async () => {
        const home = tempHome("zk-ch03-startup-");
        try {
          const cfg = writeStandaloneConfig(home.dir, await freePort());
          await seedDataDir(cfg);
          let stop = async () => {};
          const text = await recordDiagram(async () => {
            const started = await initializeAndRun(cfg);
            stop = () => started.server.shutdown();
          }, options(STARTUP, { note: "restart of a data dir holding zxids 0:1–0:4 (createSession, two creates, closeSession)" }));
          await stop();
          return text;
        } finally {
          home.remove();
        }
      }),
  },
  {
    name: "connect-handshake",
    title: "A new session: ConnectRequest, createSession through Prep → Sync → Final, ConnectResponse (timeout 60000 asked, 40000 granted)",
    generate: () =>
      quietly(async () => {
        const server = await startHandshakeServer();
        try {
          let close = async () => {};
          const text = await recordDiagram(async () => {
            const zk = await connectClient(`127.0.0.1:${server.port}`, 60000);
            close = () => zk.close();
          }, { participants: HANDSHAKE, keep: only(HANDSHAKE.map((p) => p.name), ["client"]) });
          await close();
          return text;
        } finally {
          await server.stop();
        }
      }),
  },
];
