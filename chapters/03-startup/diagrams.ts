/**
 * Chapter 03's generated diagrams (registered in diagrams/registry.ts):
 *
 * - server-startup: `initializeAndRun(zoo.cfg)` on a data dir with some history, from
 *   the parsed config to the listening client port;
 * - connect-handshake: a client's first ConnectRequest, the createSession txn through
 *   Prep → Sync → Final, and the ConnectResponse with the session id.
 *
 * Set-up runs before recording starts. Other chapters trace the layers below (the
 * snapshot and log files, the client's own side); each diagram keeps the participants
 * it is about, so those events do not clutter it and cannot make it depend on a port.
 * Both diagrams have many lifelines, so they ask mermaid to wrap long labels
 * (`wrap: true`) rather than widen the columns: on a page they are scaled to the text
 * column's width, and unwrapped they would be twice as wide as chapter 01's.
 */
import type { DiagramGenerator } from "../../diagrams/diagram.js";
import { recordTrace, toMermaidSequence, type Participant, type TraceEvent, type TraceFields } from "../../src/trace/index.js";
import { initializeAndRun } from "../../src/startup/QuorumPeerMain.js";
import { removeDir, startInProcessServer, tempDataDir } from "../support/inProcessServer.js";
import { connectClient } from "../support/narration.js";
import { pickPort } from "../support/serverProcess.js";
import { quietly, seedDataDir, tempHome, writeStandaloneConfig } from "./scenarios.js";

interface View {
  /** The lifelines, in column order. */
  readonly participants: readonly Participant[];
  /** Lifelines drawn as notes on the caller: a call X → Y becomes a note "Y.label" over X. */
  readonly folded?: readonly string[];
  /** Lifelines whose own state changes are left out. */
  readonly quiet?: readonly string[];
  /** Fields left out of an event's label. */
  readonly dropFields?: (e: TraceEvent) => readonly string[];
  /** Mermaid's lifeline width (150 by default): wide enough that no name is split. */
  readonly width: number;
  /** A note over all lifelines, first. */
  readonly note?: string;
}

/** Keeps and reshapes the events of a run for one diagram (see View). */
function draw(events: readonly TraceEvent[], view: View): string {
  const shown = new Set(view.participants.map((p) => p.name));
  const folded = new Set(view.folded ?? []);
  const quiet = new Set(view.quiet ?? []);
  const trim = (e: TraceEvent & { fields: TraceFields }): TraceFields => {
    const drop = view.dropFields?.(e) ?? [];
    return Object.fromEntries(Object.entries(e.fields).filter(([k]) => !drop.includes(k)));
  };
  const out: TraceEvent[] = [];
  if (view.note !== undefined) out.push({ kind: "note", nodes: [view.participants[0]!.name, view.participants.at(-1)!.name], text: view.note });
  for (const e of events) {
    if (e.kind === "message" && shown.has(e.from) && folded.has(e.to)) {
      out.push({ kind: "state", node: e.from, label: `${e.to}.${e.label}`, fields: trim(e) });
    } else if (e.kind === "message" && shown.has(e.from) && shown.has(e.to)) {
      out.push({ ...e, fields: trim(e) });
    } else if (e.kind === "state" && shown.has(e.node) && !quiet.has(e.node)) {
      out.push({ ...e, fields: trim(e) });
    }
  }
  const config = `%%{init: {"sequence": {"wrap": true, "width": ${view.width}}}}%%\n`;
  return config + toMermaidSequence(out, { participants: view.participants });
}

export const STARTUP_VIEW: View = {
  participants: [
    { name: "QuorumPeerMain" },
    { name: "ZooKeeperServerMain" },
    { name: "ServerCnxnFactory" },
    { name: "ZooKeeperServer" },
    { name: "ZKDatabase" },
    { name: "SessionTracker" },
  ],
  folded: ["DatadirCleanupManager", "Operations", "ContainerManager"],
  note: "restart on a data dir holding zxids 0:1–0:4",
  width: 190,
};

export const HANDSHAKE_VIEW: View = {
  participants: [
    { name: "client" },
    { name: "ServerCnxn" },
    { name: "ZooKeeperServer" },
    { name: "SessionTracker" },
    { name: "PrepRequestProcessor", label: "Prep" },
    { name: "SyncRequestProcessor", label: "Sync" },
    { name: "FinalRequestProcessor", label: "Final" },
  ],
  // The client's own view of the exchange is chapter 09's diagram.
  quiet: ["client"],
  // The session id once it exists, on the arrows that create and announce it; the zxid
  // from Prep on. The hand-offs between processors repeat neither.
  dropFields: (e) => (e.kind === "message" && e.from.endsWith("RequestProcessor") ? ["sessionId"] : ["protocolVersion", "readOnly"]),
  width: 170,
};

export const diagrams: readonly DiagramGenerator[] = [
  {
    name: "server-startup",
    title: "zk-server zoo.cfg, standalone: config, purge task, mode (T25), database load, sessions, processors, client port",
    generate: () =>
      quietly(async () => {
        const home = tempHome("zk-ch03-startup-");
        try {
          const cfg = writeStandaloneConfig(home.dir, await pickPort());
          await seedDataDir(cfg);
          let stop = async () => {};
          const { events } = await recordTrace(async () => {
            const started = await initializeAndRun(cfg);
            stop = () => started.server.shutdown();
          });
          await stop();
          return draw(events, STARTUP_VIEW);
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
        // A fresh data dir, tickTime 2000 (sessions of 4000 to 40000 ms), a pinned wall clock.
        const dataDir = tempDataDir("zk-ch03-connect-");
        const server = await startInProcessServer(dataDir);
        try {
          let close = async () => {};
          const { events } = await recordTrace(async () => {
            const zk = await connectClient(server.connectString, 60000);
            close = () => zk.close();
          });
          await close();
          return draw(events, HANDSHAKE_VIEW);
        } finally {
          await server.stop();
          removeDir(dataDir);
        }
      }),
  },
];
