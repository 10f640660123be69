/**
 * ClientTrace — what the client reports to the tracer (src/trace): every frame it writes
 * and reads, its state changes, and every event it hands to a watcher.
 *
 * No Java class corresponds to this: Java's ClientCnxn logs the same moments as free text
 * (`LOG.debug`, `ZooTrace`). Chapter 09 (client): these events draw its sequence diagrams
 * and the narration of `npm run chapter -- client`. DESIGN.md §5.
 *
 * The client knows only its own side, so a message is reported when the client takes part
 * in it: a request when it has been written to the socket, a reply when it has been read.
 * A written frame is described from its bytes, so the trace shows what went on the wire
 * (the xid the socket assigned, the server path with the chroot). Callers check
 * `trace.enabled` first: with nobody listening none of this runs.
 */
import { BinaryInputArchive } from "../jute/BinaryInputArchive.js";
import { codeName } from "../jute/KeeperException.js";
import { ConnectRequest, RequestHeader, SetWatches, SetWatches2, type ConnectResponse, type ReplyHeader } from "../jute/proto.js";
import { eventTypeName, keeperStateName } from "../jute/Watcher.js";
import { OpCode, op2String } from "../jute/ZooDefs.js";
import { formatZxid, trace, type TraceFields } from "../trace/index.js";
import { formatAddress, type ServerAddress } from "./ConnectStringParser.js";
import type { Packet } from "./Packet.js";
import type { WatchedEvent } from "./WatchedEvent.js";

/** The name a server has in trace events: its address, or "server" before one is known. */
export function serverName(address: ServerAddress | null): string {
  return address === null ? "server" : formatAddress(address);
}

/** A password is secret and random: say what kind it is, never its bytes. */
function describePasswd(passwd: Buffer | null): string {
  if (passwd === null || passwd.length === 0) return "none";
  return passwd.every((b) => b === 0) ? `${passwd.length} zero bytes` : `${passwd.length} bytes from the server`;
}

const list = (paths: readonly string[]): string => paths.join(",");

/** A setWatches(2) body: the zxid to compare against and every non-empty list of paths. */
function setWatchesFields(type: number, ia: BinaryInputArchive): Record<string, string | bigint> {
  const sw = type === OpCode.setWatches2 ? SetWatches2.read(ia) : { ...SetWatches.read(ia), persistentWatches: [], persistentRecursiveWatches: [] };
  const fields: Record<string, string | bigint> = { relativeZxid: sw.relativeZxid };
  for (const key of ["dataWatches", "existWatches", "childWatches", "persistentWatches", "persistentRecursiveWatches"] as const) {
    if (sw[key].length > 0) fields[key] = list(sw[key]);
  }
  return fields;
}

/** A frame the client has written, read back from its bytes (`p.bb`, length prefix first). */
export function traceSent(client: string, server: string, p: Packet): void {
  const ia = new BinaryInputArchive(p.bb!.subarray(4));
  if (p.requestHeader === null) {
    const req = ConnectRequest.read(ia);
    trace.message(client, server, "ConnectRequest", {
      protocolVersion: req.protocolVersion,
      lastZxidSeen: formatZxid(req.lastZxidSeen),
      timeOut: req.timeOut,
      sessionId: req.sessionId,
      passwd: describePasswd(req.passwd),
      readOnly: ia.readBool(),
    });
    return;
  }
  const h = RequestHeader.read(ia);
  let fields: TraceFields = { xid: h.xid };
  if (h.type === OpCode.setWatches || h.type === OpCode.setWatches2) fields = { ...fields, ...setWatchesFields(h.type, ia) };
  else if (p.serverPath !== null) fields = { ...fields, path: p.serverPath };
  trace.message(client, server, op2String(h.type), fields);
}

/** The answer to the ConnectRequest. */
export function traceConnectResponse(server: string, client: string, rsp: ConnectResponse, readOnly: boolean): void {
  trace.message(server, client, "ConnectResponse", {
    timeOut: rsp.timeOut,
    sessionId: rsp.sessionId,
    passwd: describePasswd(rsp.passwd),
    readOnly,
  });
}

/** A reply: to a request in `pendingQueue` (`op` its type), or to a ping or auth packet. */
export function traceReply(server: string, client: string, op: number, hdr: ReplyHeader): void {
  trace.message(server, client, "reply", { op, xid: hdr.xid, zxid: hdr.zxid, err: codeName(hdr.err) });
}

/** A watch notification (xid -1), with the server's path. */
export function traceNotification(server: string, client: string, type: number, state: number, path: string): void {
  trace.message(server, client, "notification", { type: eventTypeName(type), state: keeperStateName(state), path });
}

/** An event handed to the watchers chosen for it (EventThread). */
export function traceDelivery(client: string, event: WatchedEvent, watchers: number): void {
  trace.state(client, "WatchedEvent", {
    state: keeperStateName(event.state),
    type: eventTypeName(event.type),
    path: event.path,
    watchers,
  });
}
