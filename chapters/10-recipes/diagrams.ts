/**
 * Chapter 10's generated diagrams: each runs one scenario of scenarios.ts (Curator-style
 * recipes on real clients against our server, in this process) with the recorder on.
 * Registered in diagrams/registry.ts; `npm run diagrams` rewrites diagrams/recipes-*.mmd.
 *
 * What is drawn: the requests each client writes and the notifications it reads (as the
 * client traces them), and the recipes' own notes (RecipeTrace.ts) on the same
 * lifelines. Replies are left out: every request here succeeds, and the note after it
 * says what the recipe made of the answer. Pings, the client's connection states and
 * the server's insides (chapter 03's trace points) are left out too.
 */
import type { DiagramGenerator } from "../../diagrams/diagram.js";
import { isRecipeEvent, RecipeEvent } from "../../src/recipes/framework/RecipeTrace.js";
import { toMermaidSequence, type TraceEvent, type TraceFields } from "../../src/trace/index.js";
import { collapseRefusedAttempts, wrapLabel } from "../support/clientDiagrams.js";
import { SERVER, holderExpires, latchHandOver, threeContenders, type Recorded } from "./scenarios.js";

/** `_c_<uuid>-`: the protection prefix of a node name (ZKPaths.ts#protected-names). */
const PROTECTED = /_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/g;

/** In a path the prefix stays, its uuid shortened; in a note only the name after it counts. */
function shorten(key: string, value: TraceFields[string], inNote: boolean): TraceFields[string] {
  if (typeof value !== "string") return value;
  return inNote && (key === "node" || key === "watching") ? value.replace(PROTECTED, "") : value.replace(PROTECTED, "_c_…-");
}

function mapFields(fields: TraceFields, keep: readonly string[], inNote: boolean): TraceFields {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => keep.includes(k)).map(([k, v]) => [k, shorten(k, v, inNote)]));
}

interface DrawOptions {
  /** Clients whose session handshakes are drawn (only those of a session already known). */
  readonly handshakesOf?: readonly string[];
  /** Recipe notes left out, with the reason said in the diagram's note. */
  readonly without?: readonly string[];
}

/**
 * The events worth a line: recipe notes, requests (no pings), notifications, and the
 * re-attaching handshakes of `handshakesOf` (a new session's handshake races the LOST
 * its old one causes, so it is summed up by the RECONNECTED that follows); ports become
 * "server", fields are trimmed to what the reader needs.
 */
function drawable(recorded: Recorded, clients: readonly string[], opts: DrawOptions = {}): TraceEvent[] {
  const server = (n: string) => (recorded.addresses.has(n) ? SERVER : n);
  const handshakes = opts.handshakesOf ?? [];
  const reattaching = new Set<string>();
  const out: TraceEvent[] = [];
  for (const e of recorded.events) {
    if (e.kind === "note") out.push(e);
    else if (e.kind === "state") {
      if (clients.includes(e.node) && isRecipeEvent(e) && !(opts.without ?? []).includes(e.label)) {
        out.push({ ...e, fields: mapFields(e.fields, ["node", "watching", "state", "id"], true) });
      }
    } else {
      const from = server(e.from);
      const to = server(e.to);
      const toClient = from === SERVER && clients.includes(to);
      const fromClient = to === SERVER && clients.includes(from);
      if (fromClient && e.label === "ConnectRequest") {
        if (handshakes.includes(from) && e.fields.sessionId !== 0n) {
          reattaching.add(from);
          out.push({ ...e, from, to, fields: mapFields(e.fields, ["sessionId"], false) });
        }
      } else if (toClient && e.label === "ConnectResponse") {
        if (reattaching.delete(to)) out.push({ ...e, from, to, fields: mapFields(e.fields, ["timeOut", "sessionId"], false) });
      } else if (fromClient && e.label !== "ping") out.push({ ...e, from, to, fields: mapFields(e.fields, ["path"], false) });
      else if (toClient && e.label === "notification") out.push({ ...e, from, to, fields: mapFields(e.fields, ["type", "path"], false) });
    }
  }
  return out;
}

function render(events: readonly TraceEvent[], participants: readonly string[], note: string): string {
  const lead: TraceEvent = { kind: "note", nodes: [participants[0]!, participants[participants.length - 1]!], text: note };
  return toMermaidSequence([lead, ...events].map((e) => wrapLabel(e, 30)), { participants });
}

const NOT_DRAWN = "replies and pings not drawn";

/** What the expiry run's holder does while the network refuses it (its attempts vary in number). */
export const REFUSED_NOTE = "H tries to reconnect every 1.6 s (100 ms + 1 s back-off + 500 ms pause); the network refuses (not drawn)";

/**
 * Notes the runs check but no trace event says (scenarios.ts throws if they are not so):
 * C's watch is still set when B leads; H's mutex still believes it holds the lock. The
 * server's expiry has no trace point of its own; the notification it causes is drawn.
 */
const C_ASLEEP: TraceEvent = { kind: "note", nodes: ["C"], text: "C sleeps on: its watch is on B's node" };
const STILL_HOLDS: TraceEvent = { kind: "note", nodes: ["H"], text: "a new session; H's mutex still says isAcquiredInThisProcess() = true" };
const EXPIRED: TraceEvent = { kind: "note", nodes: [SERVER], text: "H silent for 2 s: its session expires, and its ephemeral lock node with it" };

export const diagrams: readonly DiagramGenerator[] = [
  {
    name: "recipes-lock-queue",
    title: "T85: three InterProcessMutex contenders on /lock; each watches only its predecessor's node, and each release wakes exactly the next one",
    generate: async () => {
      const recorded = await threeContenders();
      return render(drawable(recorded, ["A", "B", "C"]), ["A", "B", "C", SERVER], `A, B and C acquire /lock in that order; ${NOT_DRAWN}`);
    },
  },
  {
    name: "recipes-latch-handover",
    title: "T87: LeaderLatch A leads, B waits on A's node, C on B's; A closes and leadership passes to B alone",
    generate: async () => {
      const recorded = await latchHandOver();
      // A's notLeader comes once A has read its delete's reply, at no fixed point among B's events.
      return render(
        [...drawable(recorded, ["A", "B", "C"], { without: [RecipeEvent.NOT_LEADER] }), C_ASLEEP],
        ["A", "B", "C", SERVER],
        `A leads with latch-0000000000; B watches it, C watches B's latch-0000000001. A closes, which ends its leadership; ${NOT_DRAWN}`,
      );
    },
  },
  {
    name: "recipes-lock-expiry",
    title: "A lock holder's network fails for good: SUSPENDED at once; the server expires its session, which passes the lock to the waiter; the holder learns LOST only when it can reach the server again",
    generate: async () => {
      const recorded = await holderExpires();
      const folded = collapseRefusedAttempts([...recorded.events], "H", REFUSED_NOTE, isRecipeEvent);
      const drawn = drawable({ ...recorded, events: folded }, ["H", "W"], { handshakesOf: ["H"] });
      const woken = drawn.findIndex((e) => e.kind === "message" && e.to === "W" && e.label === "notification");
      return render(
        [...drawn.slice(0, woken), EXPIRED, ...drawn.slice(woken), STILL_HOLDS],
        ["H", "W", SERVER],
        `H holds /lock (session 2000 ms, its own expiry timer off), W waits on H's node; the network to H fails; ${NOT_DRAWN}`,
      );
    },
  },
];
