/**
 * Raw sockets for attacking a server: frames built by hand, a way to see whether and
 * when the server closed the connection, and a healthy client that keeps checking the
 * server's answers while the attack runs.
 */
import { connect, type Socket } from "node:net";
import { BinaryOutputArchive } from "../../../src/jute/BinaryOutputArchive.js";
import * as proto from "../../../src/jute/proto.js";
import { OpCode } from "../../../src/jute/ZooDefs.js";
import { closedWithin } from "../../support/net.js";
import { RawClient } from "../../support/RawClient.js";

/** `int length, body`. */
export function frame(body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length);
  return Buffer.concat([len, body]);
}

/** A 3.x ConnectRequest frame asking for a new session (readOnly flag included). */
export function connectFrame(timeOut = 4000): Buffer {
  const oa = new BinaryOutputArchive();
  proto.ConnectRequest.write(oa, { protocolVersion: 0, lastZxidSeen: 0n, timeOut, sessionId: 0n, passwd: Buffer.alloc(16) });
  oa.writeBool(false);
  return frame(oa.toBuffer());
}

/** A request frame: RequestHeader then `body` as is. */
export function requestFrame(xid: number, type: number, body: Buffer): Buffer {
  const oa = new BinaryOutputArchive();
  proto.RequestHeader.write(oa, { xid, type });
  oa.writeRaw(body);
  return frame(oa.toBuffer());
}

/** An open socket and what the server did with it. */
export class Probe {
  received = 0;
  private closed = false;

  private constructor(readonly socket: Socket) {
    socket.on("data", (c: Buffer) => (this.received += c.length));
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
    });
  }

  static open(port: number): Promise<Probe> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: "127.0.0.1" }, () => {
        s.off("error", reject);
        resolve(new Probe(s));
      });
      s.once("error", reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Resolves true once the server has closed the connection, false after `timeoutMs`. */
  closedWithin(timeoutMs: number): Promise<boolean> {
    return closedWithin(this.socket, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * A client that keeps a session and checks every answer while an attack runs:
 * setData of a counter, then getData, expecting exactly what it wrote. Any error, wrong
 * answer or lost connection is recorded; the test expects none.
 */
export class HealthyClient {
  rounds = 0;
  readonly errors: string[] = [];
  private running = true;
  private loop: Promise<void> = Promise.resolve();

  private constructor(private readonly client: RawClient, private readonly path: string) {}

  static async start(port: number, path: string): Promise<HealthyClient> {
    const client = await RawClient.connect(port, { timeOut: 30000 });
    const r = await client.request(OpCode.create, proto.CreateRequest, { path, data: Buffer.from("0"), acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], flags: 0 });
    if (r.err !== 0) throw new Error(`healthy client could not create ${path}: ${r.err}`);
    const h = new HealthyClient(client, path);
    h.loop = h.run();
    return h;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const value = Buffer.from(String(this.rounds + 1));
      try {
        const set = await this.client.request(OpCode.setData, proto.SetDataRequest, { path: this.path, data: value, version: this.rounds });
        if (set.err !== 0) throw new Error(`setData answered ${set.err}`);
        const got = await this.client.request(OpCode.getData, proto.GetDataRequest, { path: this.path, watch: false });
        if (got.err !== 0) throw new Error(`getData answered ${got.err}`);
        const rsp = proto.GetDataResponse.decode(got.body);
        if (!rsp.data?.equals(value) || rsp.stat.version !== this.rounds + 1) {
          throw new Error(`getData gave ${rsp.data?.toString()} v${rsp.stat.version}, expected ${value.toString()} v${this.rounds + 1}`);
        }
        this.rounds++;
      } catch (e) {
        this.errors.push(`round ${this.rounds}: ${String(e)}`);
        return;
      }
      if (this.client.isClosed) {
        this.errors.push(`round ${this.rounds}: connection closed`);
        return;
      }
      // Leave room for the attack on a small machine.
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Stops the loop, closes the session, and says how it went. */
  async stop(): Promise<{ rounds: number; errors: string[] }> {
    this.running = false;
    await this.loop;
    if (!this.client.isClosed) await this.client.closeSession().catch(() => {});
    this.client.destroy();
    return { rounds: this.rounds, errors: this.errors };
  }
}
