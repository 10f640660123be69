/**
 * Small network helpers for tests: free loopback ports, four-letter words, waiting for a close.
 */
import { createServer, connect, type Socket } from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picked it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One value of `mntr` (`zk_<name>`), or undefined when the server does not report it. */
export async function mntrValue(port: number, key: string): Promise<string | undefined> {
  const text = await fourLetterWord(port, "mntr");
  return text.split("\n").find((l) => l.startsWith(`${key}\t`))?.split("\t")[1];
}

/** Sends a four-letter word and returns everything the server wrote before closing. */
export function fourLetterWord(port: number, word: string, host = "127.0.0.1", timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = connect({ port, host }, () => sock.write(word));
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer to ${word} on ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on("data", (c) => chunks.push(c));
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/** Polls `ruok` until the server says `imok`, or fails after `timeoutMs`. */
export async function waitForImok(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if ((await fourLetterWord(port, "ruok", "127.0.0.1", 1000)) === "imok") return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server on port ${port} did not answer imok within ${timeoutMs} ms: ${String(last)}`);
}

/**
 * Polls `srvr` until the server says which mode it is in: `ruok` answers `imok` while
 * Apache ZooKeeper is still loading its database and refusing sessions.
 */
export async function waitForServing(port: number, timeoutMs = 30_000, stillStarting: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    // A server process that has exited will never serve; whoever answers on the port now is not it.
    if (!stillStarting()) throw new Error(`the server exited before serving on port ${port}: ${last}`);
    try {
      last = await fourLetterWord(port, "srvr", "127.0.0.1", 1000);
      if (last.includes("Mode:")) return;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server on port ${port} is not serving after ${timeoutMs} ms: ${last}`);
}

/** Resolves true once `socket` has closed (at once if it already has), false after `timeoutMs`. */
export function closedWithin(socket: Socket, timeoutMs: number): Promise<boolean> {
  if (socket.closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      socket.off("close", onClose);
      resolve(false);
    }, timeoutMs);
    socket.once("close", onClose);
  });
}
