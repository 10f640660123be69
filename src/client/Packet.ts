/**
 * Packet — one request on its way through the client: queued, written, awaiting its
 * reply, finished.
 *
 * Reimplements `org.apache.zookeeper.ClientCnxn.Packet`. Chapter 09 (client); doIO builds and moves it [001 L9732–9790] (`p.createBB()` at L9756).
 *
 * A request frame is `int length, RequestHeader(xid, type), request record`. The connect
 * request is the exception: no header, and a trailing `readOnly` boolean ("may I be
 * served by a read-only server?"), written by the body the send thread builds for it.
 *
 * Differs from Java: the request and response are a writer and a reader function instead
 * of jute Record objects, and `cb` is the promise's settle function, run on the event
 * thread (Java has typed AsyncCallbacks and, for the synchronous API, notifyAll()).
 */
import type { BinaryInputArchive } from "../jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../jute/BinaryOutputArchive.js";
import { RequestHeader } from "../jute/proto.js";
import type { WatchDeregistration, WatchRegistration } from "./ZKWatchManager.js";

/** Something that writes a request record's fields. */
export interface RequestBody {
  write(oa: BinaryOutputArchive): void;
}

export type ResponseReader<T> = (ia: BinaryInputArchive) => T;

/** The reply header as it is being filled in: err may be set locally (connection loss, timeout). */
export interface MutableReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

export function newReplyHeader(): MutableReplyHeader {
  return { xid: 0, zxid: 0n, err: 0 };
}

export class Packet<R = unknown> {
  /** Built on first write: the xid is only assigned then (see ClientCnxnSocket.doIO). */
  bb: Buffer | null = null;
  response: R | undefined = undefined;
  finished = false;
  clientPath: string | null = null;
  serverPath: string | null = null;
  /** Settles the caller's promise; run on the event thread, in reply order. */
  cb: ((p: Packet<R>) => void) | null = null;
  watchRegistration: WatchRegistration | null = null;
  watchDeregistration: WatchDeregistration | null = null;

  constructor(
    /** Null only for the ConnectRequest. */
    readonly requestHeader: { xid: number; type: number } | null,
    /** Null for packets nobody waits on (auth, connect): connection loss skips them. */
    readonly replyHeader: MutableReplyHeader | null,
    readonly request: RequestBody | null,
    readonly readResponse: ResponseReader<R> | null,
  ) {}

  // #region createBB
  /** Serializes the frame, filling in the length prefix once the body's size is known. */
  createBB(): void {
    const oa = new BinaryOutputArchive();
    oa.writeInt(-1);
    if (this.requestHeader !== null) RequestHeader.write(oa, this.requestHeader);
    if (this.request !== null) this.request.write(oa);
    oa.patchInt(0, oa.length - 4);
    this.bb = oa.toBuffer();
  }
  // #endregion createBB

  toString(): string {
    const h = this.requestHeader;
    const r = this.replyHeader;
    return `clientPath:${this.clientPath} serverPath:${this.serverPath} finished:${this.finished} header:: ${h ? `${h.xid},${h.type}` : "null"} replyHeader:: ${r ? `${r.xid},${r.zxid},${r.err}` : "null"}`;
  }
}
