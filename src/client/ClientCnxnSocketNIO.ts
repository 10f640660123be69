/**
 * ClientCnxnSocketNIO — the TCP transport under ClientCnxnSocket, on node:net.
 *
 * Reimplements the socket handling of `org.apache.zookeeper.ClientCnxnSocketNIO`
 * (createSock, registerAndConnect, cleanup) [001 L9506–9556]. Chapter 09 (client).
 * The readiness loop Java keeps in this class (doTransport/doIO) is shared in
 * ClientCnxnSocket.ts, because a Node socket is already non-blocking and event-driven:
 * all that is left per transport is connect, write and close.
 *
 * Differs from Java: the name is kept so `zookeeper.clientCnxnSocket=ClientCnxnSocketNIO`
 * selects it (T78); there is no java.nio underneath, and no TLS (Java's Netty socket).
 */
import { connect, Socket } from "node:net";
import type { ServerAddress } from "./ConnectStringParser.js";
import { ClientCnxnSocket } from "./ClientCnxnSocket.js";

export class ClientCnxnSocketNIO extends ClientCnxnSocket {
  private sock: Socket | null = null;
  private remote: ServerAddress | null = null;
  private local: ServerAddress | null = null;
  private corked = false;

  protected openTransport(addr: ServerAddress): void {
    const sock = new Socket();
    this.sock = sock;
    // Every callback checks it still belongs to the current socket: a closed one may
    // still emit, and its events must not be mistaken for the next connection's.
    const mine = (fn: () => void) => () => {
      if (this.sock === sock) fn();
    };
    sock.setNoDelay(true);
    sock.on("connect", mine(() => {
      this.remote = { host: sock.remoteAddress ?? addr.host, port: sock.remotePort ?? addr.port };
      this.local = { host: sock.localAddress ?? "", port: sock.localPort ?? 0 };
      this.onTransportConnect();
    }));
    sock.on("data", (chunk: Buffer) => {
      if (this.sock === sock) this.onTransportData(chunk);
    });
    sock.on("drain", mine(() => this.onTransportDrain()));
    sock.on("end", mine(() => this.onTransportEnd()));
    sock.on("error", (err: Error) => {
      if (this.sock === sock) this.onTransportError(err);
    });
    sock.on("close", mine(() => this.onTransportEnd()));
    sock.connect({ host: addr.host, port: addr.port });
  }

  protected writeTransport(bytes: Buffer): boolean {
    const sock = this.sock!;
    if (!this.corked) {
      // Packets queued during one turn of the event loop leave in one writev instead of
      // one system call each: a pipelining caller queues many at once.
      this.corked = true;
      sock.cork();
      process.nextTick(() => {
        this.corked = false;
        sock.uncork();
      });
    }
    return sock.write(bytes);
  }

  protected closeTransport(): void {
    const sock = this.sock;
    this.sock = null;
    this.remote = null;
    this.local = null;
    // destroy(), not end(): Java closes the channel outright, and nothing more is to be read.
    sock?.destroy();
  }

  /** Java's pingRwServer probe: a plain socket, "isro", one line back, 1 s to answer. */
  override probeReadWrite(addr: ServerAddress): Promise<string | null> {
    return new Promise((resolve) => {
      let text = "";
      const probe = connect({ host: addr.host, port: addr.port }, () => probe.end("isro"));
      probe.setTimeout(1000, () => probe.destroy());
      probe.on("data", (c: Buffer) => (text += c.toString("utf8")));
      probe.on("error", () => undefined);
      probe.on("close", () => resolve(text.length > 0 ? text.split("\n")[0]! : null));
    });
  }

  getRemoteSocketAddress(): ServerAddress | null {
    return this.remote;
  }

  getLocalSocketAddress(): ServerAddress | null {
    return this.local;
  }
}
