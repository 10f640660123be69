/**
 * A TCP proxy on 127.0.0.1 in front of a server, so a test can cut the client's
 * connection without touching the server (the session survives; only the socket dies).
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface TcpProxy {
  readonly port: number;
  readonly connectString: string;
  /** How many client connections were accepted so far. */
  accepted(): number;
  /** Everything each client connection sent towards the server, by connection, in order. */
  sent(): Buffer[];
  /** Destroys every open connection, both sides; new connections are still accepted. */
  dropConnections(): void;
  /** While paused, accepted connections are closed at once (the server looks dead). */
  setRefusing(refusing: boolean): void;
  close(): Promise<void>;
}

export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const fromClients: Buffer[] = [];
  let count = 0;
  let refusing = false;
  const server: Server = createServer((client) => {
    count++;
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: "127.0.0.1", port: targetPort });
    const index = fromClients.push(Buffer.alloc(0)) - 1;
    client.on("data", (c: Buffer) => (fromClients[index] = Buffer.concat([fromClients[index]!, c])));
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      resolve({
        port,
        connectString: `127.0.0.1:${port}`,
        accepted: () => count,
        sent: () => fromClients,
        dropConnections() {
          for (const [a, b] of pairs) {
            a.destroy();
            b.destroy();
          }
          pairs.clear();
        },
        setRefusing(r) {
          refusing = r;
        },
        close: () =>
          new Promise<void>((r) => {
            for (const [a, b] of pairs) {
              a.destroy();
              b.destroy();
            }
            server.close(() => r());
          }),
      });
    });
  });
}
