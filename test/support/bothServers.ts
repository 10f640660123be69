/**
 * Our server and, where Debian's zookeeper is installed, Apache ZooKeeper 3.8: for tests
 * that hold both to the same behaviour with `describe.each(bothServers())`.
 */
import { onTestFinished } from "vitest";
import { apacheZooKeeperAvailable, startApacheZooKeeper } from "./apacheZooKeeper.js";
import { RawClient } from "./RawClient.js";
import { startOurServerProcess } from "./ourServerProcess.js";
import type { ServerProcess } from "./serverProcess.js";

/** Starts a server process with these zoo.cfg settings on top of the test defaults. */
export type StartServer = (extraConfig: Record<string, string | number>) => Promise<ServerProcess>;

export function bothServers(): Array<[string, StartServer]> {
  const servers: Array<[string, StartServer]> = [["ours", (extraConfig) => startOurServerProcess({ extraConfig })]];
  if (apacheZooKeeperAvailable()) servers.push(["Apache ZooKeeper", (extraConfig) => startApacheZooKeeper({ extraConfig })]);
  return servers;
}

/** Starts a server for the running test; it is stopped when the test finishes. */
export async function startForTest(start: StartServer, extraConfig: Record<string, string | number>): Promise<ServerProcess> {
  const s = await start(extraConfig);
  onTestFinished(async () => {
    await s.stop();
  });
  return s;
}

/** A raw client with a new session, closed when the running test finishes. */
export async function sessionForTest(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port, { timeOut: 30000 });
  onTestFinished(() => c.destroy());
  return c;
}
