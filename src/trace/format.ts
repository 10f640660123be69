/**
 * Readable values for trace output: a zxid as `epoch:counter`, a session id in hex,
 * quorum packet types and op codes by their Java names.
 *
 * The conventions are the ones the chapters use (chapter-map notation: `e:c` means
 * `(e << 32) | c`). Fields are recognised by name, so call sites pass raw values:
 * - a key ending in `zxid` (any case: `zxid`, `lastZxid`, `peerLastZxid`) is a zxid;
 * - `sessionId`, `session` or a key ending in `SessionId` is a session id;
 * - `packetType` is a QuorumPacket type number (Leader.java's constants);
 * - `op` / `opCode` is a request type (ZooDefs.OpCode).
 */
import { getCounterFromZxid, getEpochFromZxid } from "../util/ZxidUtils.js";
import { op2String } from "../jute/ZooDefs.js";
import type { TraceEvent, TraceFields, TraceValue } from "./events.js";


// #region format-zxid
/** `0x100000005` → `"1:5"`; a negative zxid (-1 means "none") prints as is. */
export function formatZxid(zxid: bigint | number): string {
  const z = BigInt(zxid);
  if (z < 0n) return z.toString();
  return `${getEpochFromZxid(z)}:${getCounterFromZxid(z)}`;
}

/** Session ids print as unsigned 64-bit hex, as ZooKeeper's logs show them: `0x100000abc0000`. */
export function formatSessionId(id: bigint | number): string {
  return "0x" + BigInt.asUintN(64, BigInt(id)).toString(16);
}
// #endregion format-zxid

/**
 * QuorumPacket types, numbered as the constants of `Leader.java` (3.8). Kept here so
 * that a trace can name a packet before the sync and leader code define them.
 */
export const QUORUM_PACKET_TYPES: Readonly<Record<number, string>> = {
  1: "REQUEST",
  2: "PROPOSAL",
  3: "ACK",
  4: "COMMIT",
  5: "PING",
  6: "REVALIDATE",
  7: "SYNC",
  8: "INFORM",
  9: "COMMITANDACTIVATE",
  10: "NEWLEADER",
  11: "FOLLOWERINFO",
  12: "UPTODATE",
  13: "DIFF",
  14: "TRUNC",
  15: "SNAP",
  16: "OBSERVERINFO",
  17: "LEADERINFO",
  18: "ACKEPOCH",
  19: "INFORMANDACTIVATE",
};

export function packetTypeName(type: number): string {
  return QUORUM_PACKET_TYPES[type] ?? `UNKNOWN(${type})`;
}

const isZxidKey = (key: string): boolean => /zxid$/i.test(key);
const isSessionKey = (key: string): boolean => /^session(id)?$/i.test(key) || key.endsWith("SessionId");

/** One field value as it should read in a log line or a diagram. */
export function formatValue(key: string, value: TraceValue): string {
  if (value === null) return "null";
  if (typeof value === "bigint" || typeof value === "number") {
    if (isZxidKey(key)) return formatZxid(value);
    if (isSessionKey(key)) return formatSessionId(value);
    if (key === "packetType") return packetTypeName(Number(value));
    if (key === "op" || key === "opCode") return op2String(Number(value));
  }
  return String(value);
}

/** `{ zxid: 0x100000005n, value: "x" }` → `"zxid=1:5 value=x"`. */
export function formatFields(fields: TraceFields): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${formatValue(key, value)}`)
    .join(" ");
}

function withFields(label: string, fields: TraceFields): string {
  const rest = formatFields(fields);
  return rest ? `${label} ${rest}` : label;
}

/** The text of an event without its participants: `PROPOSAL zxid=1:5`. */
export function eventText(event: TraceEvent): string {
  switch (event.kind) {
    case "message":
    case "state":
      return withFields(event.label, event.fields);
    case "note":
      return event.text;
    default:
      return assertNever(event);
  }
}

/** One line per event, for terminals and logs: `S1 -> S2  PROPOSAL zxid=1:5`. */
export function describeEvent(event: TraceEvent): string {
  switch (event.kind) {
    case "message":
      return `${event.from} -> ${event.to}${event.lost ? " (lost)" : ""}  ${eventText(event)}`;
    case "state":
      return `${event.node}: ${eventText(event)}`;
    case "note":
      return `-- ${event.text}`;
    default:
      return assertNever(event);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected trace event kind ${(value as { kind?: unknown }).kind}`);
}
