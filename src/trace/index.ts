/**
 * The trace module in one import: events, the tracer, a recorder, text formatting and
 * the mermaid renderer. See DESIGN.md §5 (traces and diagrams).
 */
export type { MessageEvent, NoteEvent, StateEvent, TraceEvent, TraceFields, TraceValue } from "./events.js";
export { TRACE_CHANNEL, trace } from "./tracer.js";
export { TraceRecorder, recordTrace } from "./recorder.js";
export {
  QUORUM_PACKET_TYPES,
  describeEvent,
  eventText,
  formatFields,
  formatSessionId,
  formatValue,
  formatZxid,
  packetTypeName,
} from "./format.js";
export { escapeMermaidText, toMermaidSequence, type MermaidOptions, type Participant } from "./mermaid.js";
