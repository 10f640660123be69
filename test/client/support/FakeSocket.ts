/**
 * An in-memory ClientCnxnSocket the test plays the server for: it sees every frame the
 * client writes and decides what the "server" answers, when the TCP connect succeeds,
 * and when the connection drops. Registered under a class name so it is chosen exactly as
 * Java chooses a socket class: through `zookeeper.clientCnxnSocket` (T78).
 */
import { BinaryInputArchive } from "../../../src/jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../../../src/jute/BinaryOutputArchive.js";
import { ConnectRequest, ConnectResponse, ReplyHeader, RequestHeader, WatcherEvent } from "../../../src/jute/proto.js";
import type { RecordCodec } from "../../../src/jute/Record.js";
import type { Clock } from "../../../src/util/Clock.js";
import { ClientCnxnSocket } from "../../../src/client/ClientCnxnSocket.js";
import type { ServerAddress } from "../../../src/client/ConnectStringParser.js";
import { registerClientCnxnSocket } from "../../../src/client/ZooKeeper.js";
import { ZKClientConfig } from "../../../src/client/ZKClientConfig.js";

export const FAKE_SOCKET = "test.FakeSocket";

/** A frame the client wrote, decoded: the connect request, or a header and the raw body. */
export type Written =
  | { kind: "connect"; conn: number; req: ConnectRequest; readOnly: boolean }
  | { kind: "request"; conn: number; xid: number; type: number; body: Buffer };

export class FakeSocket extends ClientCnxnSocket {
  static last: FakeSocket | null = null;
  /** Every address the client tried, in order. */
  readonly connects: ServerAddress[] = [];
  /** Every frame written, across connections (`conn` counts connections from 1). */
  readonly written: Written[] = [];
  closes = 0;
  private conn = 0;
  private framesOnConn = 0;
  /** When false, writes report a full buffer until `drain()`. */
  acceptWrites = true;

  constructor(config: ZKClientConfig, clock: Clock) {
    super(config, clock);
    FakeSocket.last = this;
  }

  protected openTransport(addr: ServerAddress): void {
    this.connects.push(addr);
    this.conn++;
    this.framesOnConn = 0;
  }

  protected writeTransport(bytes: Buffer): boolean {
    const ia = new BinaryInputArchive(bytes);
    const len = ia.readInt();
    if (len !== bytes.length - 4) throw new Error(`frame length ${len} does not match ${bytes.length - 4} bytes`);
    if (this.framesOnConn++ === 0) {
      const req = ConnectRequest.read(ia);
      this.written.push({ kind: "connect", conn: this.conn, req, readOnly: ia.readBool() });
    } else {
      const h = RequestHeader.read(ia);
      this.written.push({ kind: "request", conn: this.conn, xid: h.xid, type: h.type, body: Buffer.from(ia.rest()) });
    }
    return this.acceptWrites;
  }

  protected closeTransport(): void {
    this.closes++;
  }

  getRemoteSocketAddress(): ServerAddress | null {
    return this.connects[this.connects.length - 1] ?? null;
  }
  getLocalSocketAddress(): ServerAddress | null {
    return { host: "127.0.0.1", port: 40000 + this.conn };
  }

  // ---- the test's side ---------------------------------------------------------------------

  /** The TCP handshake completes. */
  accept(): void {
    this.onTransportConnect();
  }
  /** The TCP connect fails (connection refused). */
  refuse(): void {
    this.onTransportError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
  }
  /** Bytes from the server, as they would arrive (possibly a piece of a frame, or several). */
  receive(bytes: Buffer): void {
    this.onTransportData(bytes);
  }
  /** The server closes the connection. */
  serverClose(): void {
    this.onTransportEnd();
  }
  drain(): void {
    this.acceptWrites = true;
    this.onTransportDrain();
  }
  requests(): Array<Extract<Written, { kind: "request" }>> {
    return this.written.filter((w): w is Extract<Written, { kind: "request" }> => w.kind === "request");
  }
}

registerClientCnxnSocket(FAKE_SOCKET, FakeSocket);

export function fakeConfig(extra: Record<string, string> = {}): ZKClientConfig {
  return new ZKClientConfig({ [ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET]: FAKE_SOCKET, ...extra });
}

function frame(write: (oa: BinaryOutputArchive) => void): Buffer {
  const oa = new BinaryOutputArchive();
  oa.writeInt(0);
  write(oa);
  oa.patchInt(0, oa.length - 4);
  return oa.toBuffer();
}

/** The server's answer to a ConnectRequest; timeOut 0 means "that session has expired". */
export function connectResponse(timeOut: number, sessionId: bigint, passwd = Buffer.alloc(16, 7), readOnly = false): Buffer {
  return frame((oa) => {
    ConnectResponse.write(oa, { protocolVersion: 0, timeOut, sessionId, passwd });
    oa.writeBool(readOnly);
  });
}

/** A reply frame: ReplyHeader, then the response record when err is 0. */
export function reply<T>(xid: number, zxid: bigint, err = 0, codec?: RecordCodec<T>, value?: T): Buffer {
  return frame((oa) => {
    ReplyHeader.write(oa, { xid, zxid, err });
    if (codec && err === 0) codec.write(oa, value as T);
  });
}

/** A watch notification (xid -1). */
export function notification(type: number, state: number, path: string): Buffer {
  return frame((oa) => {
    ReplyHeader.write(oa, { xid: -1, zxid: -1n, err: 0 });
    WatcherEvent.write(oa, { type, state, path });
  });
}

/** A ZooKeeper handle on a FakeSocket and a ManualClock, with its events recorded. */
export interface FakeClient {
  zk: import("../../../src/client/ZooKeeper.js").ZooKeeper;
  cnxn: import("../../../src/client/ClientCnxn.js").ClientCnxn;
  sock: FakeSocket;
  clock: import("./ManualClock.js").ManualClock;
  events: import("../../../src/client/WatchedEvent.js").WatchedEvent[];
}
