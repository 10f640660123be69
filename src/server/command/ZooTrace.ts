/**
 * ZooTrace — the trace mask that `gtmk` reads and `stmk` sets.
 *
 * Reimplements the mask part of `org.apache.zookeeper.server.ZooTrace`. Chapter 03
 * (operations). Like Java's, the mask is one value per process.
 *
 * Differs from Java: nothing consults the mask. Java's ZooTrace writes TRACE-level log
 * lines for the kinds of events the mask selects; our protocol tracing goes through
 * src/trace (node:diagnostics_channel) and is switched by subscribing to it. The mask is
 * kept so that scripts using `stmk`/`gtmk` get the answers ZooKeeper gives.
 */
export const CLIENT_REQUEST_TRACE_MASK = 1n << 1n;
export const CLIENT_DATA_PACKET_TRACE_MASK = 1n << 2n;
export const CLIENT_PING_TRACE_MASK = 1n << 3n;
export const SERVER_PACKET_TRACE_MASK = 1n << 4n;
export const SESSION_TRACE_MASK = 1n << 5n;
export const EVENT_DELIVERY_TRACE_MASK = 1n << 6n;
export const SERVER_PING_TRACE_MASK = 1n << 7n;
export const WARNING_TRACE_MASK = 1n << 8n;
export const JMX_TRACE_MASK = 1n << 9n;

/** Java's default: client requests, server packets, sessions and warnings (306). */
export const DEFAULT_TRACE_MASK = CLIENT_REQUEST_TRACE_MASK | SERVER_PACKET_TRACE_MASK | SESSION_TRACE_MASK | WARNING_TRACE_MASK;

let traceMask = DEFAULT_TRACE_MASK;

/** A Java long: 64-bit signed. */
export function getTextTraceLevel(): bigint {
  return traceMask;
}

export function setTextTraceLevel(mask: bigint): void {
  traceMask = BigInt.asIntN(64, mask);
}
