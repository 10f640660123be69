/**
 * RequestProcessor — one stage of the server's request pipeline.
 *
 * Reimplements `org.apache.zookeeper.server.RequestProcessor`. Chapter 07 / 08. The
 * standalone chain is Prep → Sync → Final; an ensemble's leader and followers insert
 * more stages, all with this shape.
 */
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
