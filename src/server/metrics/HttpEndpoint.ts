/**
 * HttpEndpoint — binding and closing the small HTTP servers of operations: the admin
 * server and the Prometheus scrape endpoint.
 *
 * Chapter 03 (operations). Node reports a failed bind as an 'error' event rather than
 * a thrown exception, so listening is wrapped into a promise that rejects with it; and
 * closing drops idle keep-alive connections first, since `close()` alone waits for
 * every client (a Prometheus scraper keeps its connection open) to go away.
 */
import type { Server } from "node:http";

export function listenHttp(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

export function closeHttp(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The port a listening server is bound to, or `fallback` before it listens. */
export function boundPort(server: Server | null, fallback: number): number {
  const a = server?.address();
  return typeof a === "object" && a !== null ? a.port : fallback;
}
