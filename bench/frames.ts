/**
 * Request frames for the load generator, encoded once with src/jute and then only
 * patched: the xid and a run of decimal digits inside the path are the only bytes that
 * change from one request to the next. That keeps jute encoding (object walks, string
 * encoding) out of the generator's hot loop, where it would compete with the server
 * for the same two cores.
 *
 * A frame is `int length, RequestHeader(xid, type), <request record>`; the path is the
 * record's first field, so it starts at byte 16 (length 4 + header 8 + string length 4).
 */
import { BinaryOutputArchive } from "../src/jute/BinaryOutputArchive.js";
import * as proto from "../src/jute/proto.js";
import type { RecordCodec } from "../src/jute/Record.js";
import { OpCode, OPEN_ACL_UNSAFE } from "../src/jute/ZooDefs.js";

/** Byte offset of the xid in every request frame. */
export const XID_OFFSET = 4;
const PATH_OFFSET = 16;

/**
 * A pre-encoded request whose path ends in `width` digits (or has them in the middle):
 * `digitsAt` is where they start in `bytes`. `modulo` bounds the number written there.
 */
export interface FrameTemplate {
  bytes: Uint8Array;
  digitsAt: number;
  width: number;
  modulo: number;
}

/** `int length` followed by the bytes an archive writer produced. */
function framed(write: (oa: BinaryOutputArchive) => void): Buffer {
  const oa = new BinaryOutputArchive();
  oa.writeInt(0);
  write(oa);
  oa.patchInt(0, oa.length - 4);
  return oa.toBuffer();
}

export function requestFrame<T>(type: number, codec: RecordCodec<T> | null, value: T | null, xid = 1): Buffer {
  return framed((oa) => {
    proto.RequestHeader.write(oa, { xid, type });
    if (codec !== null && value !== null) codec.write(oa, value);
  });
}

/** The session handshake: ConnectRequest plus the readOnly flag 3.x clients append. */
export function connectFrame(timeOutMs: number): Buffer {
  return framed((oa) => {
    proto.ConnectRequest.write(oa, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: timeOutMs, sessionId: 0n, passwd: Buffer.alloc(16) });
    oa.writeBool(false);
  });
}

export function createFrame(path: string, data: Buffer): Buffer {
  return requestFrame(OpCode.create, proto.CreateRequest, { path, data, acl: OPEN_ACL_UNSAFE, flags: 0 });
}

export function getDataFrame(path: string): Buffer {
  return requestFrame(OpCode.getData, proto.GetDataRequest, { path, watch: false });
}

export function setDataFrame(path: string, data: Buffer): Buffer {
  return requestFrame(OpCode.setData, proto.SetDataRequest, { path, data, version: -1 });
}

export function closeSessionFrame(): Buffer {
  return requestFrame(OpCode.closeSession, null, null);
}

/** A template for `<prefix><digits><suffix>` built with `encode(path)`. */
export function template(prefix: string, width: number, encode: (path: string) => Buffer, suffix = ""): FrameTemplate {
  const bytes = encode(prefix + "0".repeat(width) + suffix);
  return { bytes, digitsAt: PATH_OFFSET + Buffer.byteLength(prefix), width, modulo: 10 ** width };
}

/** Writes `n` as `width` zero-padded decimal digits at `at` (the template's path digits). */
export function writeDigits(buf: Uint8Array, at: number, width: number, n: number): void {
  for (let p = at + width - 1; p >= at; p--) {
    const q = Math.floor(n / 10);
    buf[p] = 48 + (n - q * 10);
    n = q;
  }
}

/** Value bytes that do not compress to nothing (neither server compresses, but be honest). */
export function valueOf(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = 97 + ((x >>> 0) % 26);
  }
  return b;
}
