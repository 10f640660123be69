/**
 * The tracer: one place through which protocol code reports messages and state
 * changes (DESIGN.md §5). Built on `node:diagnostics_channel`, as undici's
 * `lib/core/diagnostics.js` is: nothing is built or published unless someone
 * subscribed, so tracing costs one property read when it is off.
 *
 * Call sites whose fields are costly to compute guard with `if (trace.enabled)`.
 * Emit a message when its receiver takes it, so that the order of events is the
 * order in which things happened, which is the order a sequence diagram draws.
 */
import { channel } from "node:diagnostics_channel";
import type { TraceEvent, TraceFields } from "./events.js";

/** The diagnostics channel every trace event is published on. */
export const TRACE_CHANNEL = "annotated-zookeeper:trace";

// Held at module level: the channel object must stay referenced for its subscribers.
const traceChannel = channel(TRACE_CHANNEL);
const noFields: TraceFields = Object.freeze({});

function publish(event: TraceEvent): void {
  traceChannel.publish(event);
}

// #region tracer
export const trace = {
  /** True while at least one recorder (or other subscriber) listens. */
  get enabled(): boolean {
    return traceChannel.hasSubscribers;
  },

  /** `from` sent `to` a message named `label`; `lost` marks one that never arrived. */
  message(from: string, to: string, label: string, fields: TraceFields = noFields, lost = false): void {
    if (!traceChannel.hasSubscribers) return;
    publish({ kind: "message", from, to, label, fields, lost });
  },

  /** `node` entered a state or did something worth a line of its own. */
  state(node: string, label: string, fields: TraceFields = noFields): void {
    if (!traceChannel.hasSubscribers) return;
    publish({ kind: "state", node, label, fields });
  },

  /** Narration spanning one or more nodes. */
  note(nodes: string | readonly string[], text: string): void {
    if (!traceChannel.hasSubscribers) return;
    publish({ kind: "note", nodes: typeof nodes === "string" ? [nodes] : [...nodes], text });
  },
};
// #endregion tracer
