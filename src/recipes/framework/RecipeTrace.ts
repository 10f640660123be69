/**
 * RecipeTrace — what the recipes report to the tracer (src/trace): the moments a reader
 * of the lock and leader recipes wants to see between the client's frames. Which node a
 * contender created, whom it watches, when it holds the lock or leads, and which
 * connection state it was told about.
 *
 * No Curator class corresponds to this: Curator logs these moments as free text, when
 * at all. Chapter 10; the sequence diagrams of chapters/10-recipes/diagrams.ts and the
 * narration of `npm run chapter -- recipes` are drawn from these events, interleaved with
 * the client's own (src/client/ClientTrace.ts). DESIGN.md §5.
 *
 * Every event is a state event on the lifeline of the client the recipe runs on, named
 * as that client's ZooKeeper handle names itself (`zookeeperOptions({ traceName })`,
 * "client" by default), so that a recipe's notes sit on the same lifeline as the frames
 * it sends. Node names are reported in full (`_c_<uuid>-lock-0000000003`); a diagram
 * shortens them.
 *
 * Node layout: none. Connection loss / expiry: nothing to say; `CONNECTION_STATE` records
 * what a recipe hears.
 *
 * Cost: one property read when nobody listens (`trace.enabled`).
 */
import { trace, type TraceEvent, type TraceFields } from "../../trace/index.js";

/** The labels recipes use; each reads as a sentence with its fields. */
export const RecipeEvent = {
  /** A lock contender's node exists: `{ node }`. */
  LOCK_CREATED: "lock node created",
  /** First in line (or within maxLeases): `{ node }`. */
  LOCK_ACQUIRED: "lock acquired",
  /** Not first: the watch on the predecessor is set, the contender sleeps: `{ node, watching }`. */
  LOCK_WAITING: "lock waiting",
  /** The wait ran out: our node is deleted: `{ node }`. */
  LOCK_TIMED_OUT: "lock timed out",
  /** The session that created our node is gone: `{ node }`. */
  LOCK_SESSION_CHANGED: "lock node of an old session",
  /** releaseLock: our node is about to be deleted: `{ node }`. */
  LOCK_RELEASED: "lock released",
  /** A latch's node exists: `{ node }`. */
  LATCH_CREATED: "latch node created",
  /** Not first: `{ node, watching }`. */
  LATCH_WAITING: "latch waiting",
  /** Leadership gained or lost: `{ id }`. */
  IS_LEADER: "isLeader",
  NOT_LEADER: "notLeader",
  /** close(): `{ node }`. */
  LATCH_CLOSED: "latch closed",
  /** LeaderSelector: the listener's takeLeadership starts / has returned: `{ id }`. */
  TAKE_LEADERSHIP: "takeLeadership",
  LEADERSHIP_ENDED: "takeLeadership returned",
  /** What the connection-state listeners are told: `{ state }`. */
  CONNECTION_STATE: "ConnectionState",
} as const;

const LABELS: ReadonlySet<string> = new Set(Object.values(RecipeEvent));

/** Reports `label` on the lifeline `client`; free when nobody listens. */
export function traceRecipe(client: { traceName(): string }, label: (typeof RecipeEvent)[keyof typeof RecipeEvent], fields?: TraceFields): void {
  if (!trace.enabled) return;
  trace.state(client.traceName(), label, fields);
}

/** Whether an event came from a recipe (and not from the client or the server). */
export function isRecipeEvent(e: TraceEvent): boolean {
  return e.kind === "state" && LABELS.has(e.label);
}
