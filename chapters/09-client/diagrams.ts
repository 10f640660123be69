/**
 * Chapter 09's generated diagrams: each runs one scenario of scenarios.ts (a real client
 * against our server in this process) with the recorder on. Registered in
 * diagrams/registry.ts; `npm run diagrams` rewrites diagrams/client-*.mmd.
 */
import type { DiagramGenerator } from "../../diagrams/diagram.js";
import { toMermaidSequence, type TraceEvent } from "../../src/trace/index.js";
import { wrapLabel } from "../support/clientDiagrams.js";
import { CLIENT, OTHER, SERVER, connectAndCreate, reconnectWithWatches, sessionExpiry } from "./scenarios.js";

const PINGS_NOTE = "pings (xid -2) are not drawn";

function render(events: TraceEvent[], participants: string[], note: string): string {
  const lead: TraceEvent = { kind: "note", nodes: [participants[0]!, participants[participants.length - 1]!], text: note };
  // The label on a line of its own and the fields wrapped below it: a ConnectRequest on one
  // line would make the diagram so wide that the page scales its text down to nothing.
  return toMermaidSequence([lead, ...events].map((e) => wrapLabel(e)), { participants });
}

export const diagrams: readonly DiagramGenerator[] = [
  {
    name: "client-connect",
    title: "T75/T76: a new session (ConnectRequest, ConnectResponse with the negotiated timeout), then a create through the chroot /app",
    generate: async () =>
      render(await connectAndCreate(), [CLIENT, SERVER], `connect string 127.0.0.1:port/app, 30000 ms asked; ${PINGS_NOTE}`),
  },
  {
    name: "client-reconnect",
    title: "Reconnect: the connection drops, another client changes a watched node, the client re-attaches its session and setWatches fires the change",
    generate: async () =>
      render(await reconnectWithWatches(), [CLIENT, SERVER, OTHER], `the client watches /config; a proxy cuts its connection; ${PINGS_NOTE}`),
  },
  {
    name: "client-expired",
    title: "Session expiry: the network is down longer than the session timeout; the server expires the session and the client learns it once, on reconnecting",
    generate: async () =>
      render(await sessionExpiry(), [CLIENT, SERVER, OTHER], `session timeout 2000 ms; client 2 watches the client's ephemeral /lock; ${PINGS_NOTE}`),
  },
];
