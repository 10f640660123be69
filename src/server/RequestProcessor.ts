/**
 * RequestProcessor — one stage of the server's request pipeline.
 *
 * Reimplements `org.apache.zookeeper.server.RequestProcessor`. Chapter 07 / 08. The
 * standalone chain is Prep → Sync → Final; an ensemble's leader and followers insert
 * more stages, all with this shape.
 */
import { op2String } from "../jute/ZooDefs.js";
import { trace } from "../trace/index.js";
import type { Request } from "./Request.js";

export interface RequestProcessor {
  processRequest(request: Request): void;
  /**
   * The previous stage has handed over everything it had for now: a good moment to
   * commit a batch (group commit). Optional: most stages act per request.
   */
  flush?(): void;
  shutdown(): void;
}

// #region trace-hand-off
/**
 * Trace (src/trace): `from` hands `request` to the next stage. Draws the chain in the
 * sequence diagrams (chapter 03's connect handshake); costs one check when nobody listens.
 * A write shows its zxid from Prep on, and `txn=error` when Prep turned it into an error txn.
 */
export function traceHandOff(from: string, to: RequestProcessor | null, request: Request): void {
  if (!trace.enabled || to === null) return;
  const hdr = request.hdr;
  const fields = hdr === null ? { sessionId: request.sessionId } : { sessionId: request.sessionId, zxid: hdr.zxid, ...(hdr.type === request.type ? {} : { txn: op2String(hdr.type) }) };
  trace.message(from, to.constructor.name, op2String(request.type), fields);
}
// #endregion trace-hand-off
