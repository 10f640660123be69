/**
 * Trace events: what the tracer publishes and what recorders and renderers consume.
 *
 * No Java class corresponds to this. ZooKeeper logs protocol traffic as free text
 * (`LOG.debug`, `ZooTrace`); here every protocol message and state change becomes
 * one typed value, so the same event can be printed as a log line, checked by a test,
 * or drawn as an arrow of a mermaid sequence diagram (DESIGN.md §5).
 */

/** A field value. bigint is there because zxids and session ids are 64-bit. */
export type TraceValue = string | number | bigint | boolean | null;

/** Named fields of an event, rendered as `key=value` in the order given. */
export type TraceFields = Readonly<Record<string, TraceValue>>;

// #region trace-events
/** A message taken by its receiver (or lost on the way, when `lost` is set). */
export interface MessageEvent {
  readonly kind: "message";
  readonly from: string;
  readonly to: string;
  /** The message's protocol name: PROPOSAL, ACK, PREPARE, ConnectRequest, ... */
  readonly label: string;
  readonly fields: TraceFields;
  /** True when the message never arrived (its sender crashed, the link dropped it). */
  readonly lost: boolean;
}

/** A node changed state: a role (LOOKING → LEADING), a crash, a write to its log. */
export interface StateEvent {
  readonly kind: "state";
  readonly node: string;
  readonly label: string;
  readonly fields: TraceFields;
}

/** Narration that belongs to no single message: "round 2", "A1 retries". */
export interface NoteEvent {
  readonly kind: "note";
  readonly nodes: readonly string[];
  readonly text: string;
}

export type TraceEvent = MessageEvent | StateEvent | NoteEvent;
// #endregion trace-events
