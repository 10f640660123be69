/**
 * The client port's limits, on our server and on Apache ZooKeeper 3.8 alike: maxClientCnxns
 * (per client address), maxCnxns (in all, 3.7+), and the sessionless connection timeout
 * (`zookeeper.nio.sessionlessCnxnTimeout`), after which a connection that never asked
 * for a session is closed. Chapter 03, section 3.1.
 */
import { connect, type Socket } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { bothServers, sessionForTest, startForTest, type StartServer } from "../support/bothServers.js";
import { closedWithin, mntrValue } from "../support/net.js";
import type { ServerProcess } from "../support/serverProcess.js";

async function started(start: StartServer, extraConfig: Record<string, string | number>): Promise<ServerProcess> {
  const s = await startForTest(start, extraConfig);
  // Let the server forget the connections its start-up probe made.
  await new Promise((r) => setTimeout(r, 200));
  return s;
}

/**
 * A TCP connection that sends nothing. A server that turns it away may close it before
 * the connect completes (Node then reports EPIPE or ECONNRESET); that socket is returned
 * closed, which is what the tests look for.
 */
function idle(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" }, () => resolve(s));
    s.on("error", () => resolve(s));
    onTestFinished(() => void s.destroy());
  });
}

describe.each(bothServers())("client port limits: %s", (_name, start) => {
  it("maxClientCnxns: a third connection from the same address is closed at once; a place freed is taken again", async () => {
    const s = await started(start, { maxClientCnxns: 2 });
    const a = await sessionForTest(s.port);
    await sessionForTest(s.port);
    const third = await idle(s.port);
    expect(await closedWithin(third, 3000)).toBe(true);
    a.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const again = await sessionForTest(s.port);
    expect(again.isClosed).toBe(false);
  });

  it("maxCnxns: connections beyond the total are closed at once", async () => {
    const s = await started(start, { maxCnxns: 2, maxClientCnxns: 0 });
    await sessionForTest(s.port);
    await sessionForTest(s.port);
    const third = await idle(s.port);
    expect(await closedWithin(third, 3000)).toBe(true);
  });

  it("a connection that asks for no session is closed after one to two sessionlessCnxnTimeouts; one with a session stays", async () => {
    const s = await started(start, { "nio.sessionlessCnxnTimeout": 1000 });
    const t0 = Date.now();
    const quiet = await idle(s.port);
    const withSession = await sessionForTest(s.port);
    expect(await closedWithin(quiet, 5000)).toBe(true);
    const after = Date.now() - t0;
    expect(after).toBeGreaterThanOrEqual(900);
    expect(after).toBeLessThan(4000);
    await withSession.ping();
    expect(withSession.isClosed).toBe(false);
    expect(await mntrValue(s.port, "zk_sessionless_connections_expired")).toBe("1");
  });
});
