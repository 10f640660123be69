/**
 * Creates container and TTL nodes on a server through the wire protocol directly:
 * node-zookeeper-client only knows create (opcode 1), and a container must be created
 * with createContainer (19) and a TTL node with createTTL (21).
 */
import { connect } from "node:net";
import { once } from "node:events";
import { BinaryInputArchive } from "../../../src/jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../../../src/jute/BinaryOutputArchive.js";
import type { ACL } from "../../../src/jute/data.js";
import { ConnectRequest, ConnectResponse, CreateRequest, CreateTTLRequest, ReplyHeader, RequestHeader } from "../../../src/jute/proto.js";
import { OpCode } from "../../../src/jute/ZooDefs.js";

export type RawCreate =
  | { kind: "container"; path: string; data: Buffer | null; acl: ACL[] }
  | { kind: "ttl"; path: string; data: Buffer | null; acl: ACL[]; ttl: bigint };

const CONTAINER_FLAGS = 4;
const PERSISTENT_WITH_TTL_FLAGS = 5;

/** Runs the creates in order on a fresh session, closes it, and returns each error code. */
export async function rawCreate(port: number, creates: RawCreate[]): Promise<number[]> {
  const socket = connect({ port, host: "127.0.0.1" });
  await once(socket, "connect");
  let buf = Buffer.alloc(0);
  const frames: Buffer[] = [];
  let wake: (() => void) | null = null;
  socket.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      frames.push(buf.subarray(4, 4 + buf.readInt32BE(0)));
      buf = buf.subarray(4 + buf.readInt32BE(0));
    }
    wake?.();
  });
  const nextFrame = async (): Promise<Buffer> => {
    while (frames.length === 0) await new Promise<void>((r) => (wake = r));
    return frames.shift()!;
  };
  const send = (write: (oa: BinaryOutputArchive) => void) => {
    const oa = new BinaryOutputArchive();
    oa.writeInt(0);
    write(oa);
    oa.patchInt(0, oa.length - 4);
    socket.write(oa.toBuffer());
  };
  try {
    send((oa) => ConnectRequest.write(oa, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10000, sessionId: 0n, passwd: Buffer.alloc(16) }));
    ConnectResponse.read(new BinaryInputArchive(await nextFrame()));
    const errs: number[] = [];
    let xid = 1;
    for (const c of creates) {
      send((oa) => {
        if (c.kind === "container") {
          RequestHeader.write(oa, { xid: xid++, type: OpCode.createContainer });
          CreateRequest.write(oa, { path: c.path, data: c.data, acl: c.acl, flags: CONTAINER_FLAGS });
        } else {
          RequestHeader.write(oa, { xid: xid++, type: OpCode.createTTL });
          CreateTTLRequest.write(oa, { path: c.path, data: c.data, acl: c.acl, flags: PERSISTENT_WITH_TTL_FLAGS, ttl: c.ttl });
        }
      });
      errs.push(ReplyHeader.read(new BinaryInputArchive(await nextFrame())).err);
    }
    send((oa) => RequestHeader.write(oa, { xid: xid++, type: OpCode.closeSession }));
    await nextFrame();
    return errs;
  } finally {
    socket.destroy();
  }
}
