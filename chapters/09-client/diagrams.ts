/**
 * Chapter 09's generated diagrams: each runs one scenario of scenarios.ts (a real client
 * against our server in this process) with the recorder on. Registered in
 * diagrams/registry.ts; `npm run diagrams` rewrites diagrams/client-*.mmd.
 */
import type { DiagramGenerator } from "../../diagrams/diagram.js";
import { toMermaidSequence, type TraceEvent } from "../../src/trace/index.js";
import { CLIENT, OTHER, SERVER, connectAndCreate, reconnectWithWatches, sessionExpiry } from "./scenarios.js";

const PINGS_NOTE = "pings (xid -2) are not drawn";

function render(events: TraceEvent[], participants: string[], note: string): string {
  const lead: TraceEvent = { kind: "note", nodes: [participants[0]!, participants[participants.length - 1]!], text: note };
  return toMermaidSequence([lead, ...events], { participants });
}

export const diagrams: readonly DiagramGenerator[] = [
  {
    name: "client-connect",
    title: "T75/T76: a new session (ConnectRequest, ConnectResponse with the negotiated timeout), then a create through the chroot /app",
    generate: async () =>
      render(await connectAndCreate(), [CLIENT, SERVER], `connect string 127.0.0.1:port/app, session timeout 30000 asked; ${PINGS_NOTE}`),
  },
  {
    name: "client-reconnect",
    title: "Reconnect: the connection drops, another client changes a watched node, the client re-attaches its session and setWatches fires the change",
    generate: async () =>
      render(await reconnectWithWatches(), [CLIENT, SERVER, OTHER], `the client holds a data watch on /config; a proxy between it and the server cuts the connection; ${PINGS_NOTE}`),
  },
  {
    name: "client-expired",
    title: "Session expiry: the network is down longer than the session timeout; the server expires the session and the client learns it once, on reconnecting",
    generate: async () =>
      render(await sessionExpiry(), [CLIENT, SERVER, OTHER], `session timeout 2000; client 2 watches the client's ephemeral /lock; ${PINGS_NOTE}`),
  },
];
