/**
 * The client port's limits, on our server and on Apache ZooKeeper 3.8 alike: maxClientCnxns
 * (per client address), maxCnxns (in all, 3.7+), and the sessionless connection timeout
 * (`zookeeper.nio.sessionlessCnxnTimeout`), after which a connection that never asked
 * for a session is closed. Chapter 03, section 3.1.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { apacheZooKeeperAvailable, startApacheZooKeeper } from "../support/apacheZooKeeper.js";
import { closedWithin, fourLetterWord } from "../support/net.js";
import { startOurServerProcess } from "../support/ourServerProcess.js";
import { RawClient } from "../support/RawClient.js";
import type { ServerProcess } from "../support/serverProcess.js";

const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

type Start = (extraConfig: Record<string, string | number>) => Promise<ServerProcess>;
const servers: Array<[string, Start]> = [["ours", (extraConfig) => startOurServerProcess({ extraConfig })]];
if (apacheZooKeeperAvailable()) servers.push(["Apache ZooKeeper", (extraConfig) => startApacheZooKeeper({ extraConfig })]);

async function started(start: Start, extraConfig: Record<string, string | number>): Promise<ServerProcess> {
  const s = await start(extraConfig);
  cleanup.push(() => s.stop());
  // Let the server forget the connections its start-up probe made.
  await new Promise((r) => setTimeout(r, 200));
  return s;
}

/** A TCP connection that sends nothing. */
function idle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1" }, () => resolve(s));
    s.on("error", reject);
    cleanup.push(() => void s.destroy());
  });
}

async function session(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port, { timeOut: 30000 });
  cleanup.push(() => c.destroy());
  return c;
}

const mntr = async (port: number, key: string) =>
  (await fourLetterWord(port, "mntr")).split("\n").find((l) => l.startsWith(`${key}\t`))?.split("\t")[1];

describe.each(servers)("client port limits: %s", (_name, start) => {
  it("maxClientCnxns: a third connection from the same address is closed at once; a place freed is taken again", async () => {
    const s = await started(start, { maxClientCnxns: 2 });
    const a = await session(s.port);
    await session(s.port);
    const third = await idle(s.port);
    expect(await closedWithin(third, 3000)).toBe(true);
    a.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const again = await session(s.port);
    expect(again.isClosed).toBe(false);
  });

  it("maxCnxns: connections beyond the total are closed at once", async () => {
    const s = await started(start, { maxCnxns: 2, maxClientCnxns: 0 });
    await session(s.port);
    await session(s.port);
    const third = await idle(s.port);
    expect(await closedWithin(third, 3000)).toBe(true);
  });

  it("a connection that asks for no session is closed after one to two sessionlessCnxnTimeouts; one with a session stays", async () => {
    const s = await started(start, { "nio.sessionlessCnxnTimeout": 1000 });
    const quiet = await idle(s.port);
    const withSession = await session(s.port);
    const t0 = Date.now();
    expect(await closedWithin(quiet, 5000)).toBe(true);
    const after = Date.now() - t0;
    expect(after).toBeGreaterThanOrEqual(900);
    expect(after).toBeLessThan(4000);
    await withSession.ping();
    expect(withSession.isClosed).toBe(false);
    expect(await mntr(s.port, "zk_sessionless_connections_expired")).toBe("1");
  });
});
