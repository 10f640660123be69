/**
 * The two servers every interop suite runs its client against, behind one shape:
 * Apache ZooKeeper 3.8 (the reference) and ours as an operator runs it
 * (`node bin/zk-server.js zoo.cfg`). Both run standalone on 127.0.0.1 with
 * extendedTypesEnabled=true (TTL nodes), and both can be restarted on the same port and
 * data dir, which is how a client's session re-attach is tested.
 */
import { readdir, readFile, rm } from "node:fs/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apacheZooKeeperAvailable, startApacheZooKeeper } from "../../support/apacheZooKeeper.js";
import { startOurServerProcess } from "../../support/ourServerProcess.js";
import { startTcpProxy } from "../../client/support/tcpProxy.js";

export interface InteropServer {
  readonly name: "apache" | "ours";
  readonly port: number;
  readonly connectString: string;
  /**
   * The server behind a gate that is shut while `restart` runs: a client reconnecting
   * through it only gets in once the restarted server is serving. Apache ZooKeeper 3.8.0
   * accepts connections before its database is loaded, and a connection that arrives then
   * is never answered nor closed (NIOServerCnxn.close throws a NullPointerException on
   * the missing zkDb), which hangs clients without a handshake timeout
   * (node-zookeeper-client).
   */
  readonly gatedConnectString: string;
  readonly dataDir: string;
  /** What the server printed so far (this run of it). */
  output(): string;
  /** Stops the process; the data dir stays until `dispose`. */
  stop(): Promise<void>;
  /**
   * Stops it, then starts it again on the same port and data dir. `kill` stops it with
   * SIGKILL: no shutdown, nothing flushed that was not already synced.
   */
  restart(opts?: { kill?: boolean }): Promise<void>;
  /** Stops it and removes its data dir. */
  dispose(): Promise<void>;
}

export type ServerName = InteropServer["name"];
export const SERVER_NAMES: readonly ServerName[] = ["apache", "ours"];

export function interopServersAvailable(): boolean {
  return apacheZooKeeperAvailable();
}

const EXTENDED_TYPES = { extendedTypesEnabled: "true" };

/**
 * startApacheZooKeeper leaves its temp home (zoo.cfg, logs) behind when it is given a
 * data dir; this removes the home that names our data dir.
 */
async function removeApacheHome(dataDir: string): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith("apache-zk-")) continue;
    const home = join(tmpdir(), name);
    const cfg = await readFile(join(home, "zoo.cfg"), "utf8").catch(() => "");
    if (cfg.split("\n").includes(`dataDir=${dataDir}`)) await rm(home, { recursive: true, force: true });
  }
}

async function startOnce(name: ServerName, dataDir: string, port?: number) {
  if (name === "apache") {
    const zk = await startApacheZooKeeper({
      dataDir,
      port,
      extraConfig: EXTENDED_TYPES,
      systemProperties: { "zookeeper.extendedTypesEnabled": "true" },
    });
    return { port: zk.port, output: zk.output, stop: () => zk.stop(), kill: () => zk.kill() };
  }
  const zk = await startOurServerProcess({ dataDir, port, extraConfig: EXTENDED_TYPES, env: { ZK_LOG_LEVEL: "INFO" } });
  return {
    port: zk.port,
    output: zk.output,
    stop: async () => {
      await zk.stop();
    },
    kill: () => zk.kill(),
  };
}

export async function startInteropServer(name: ServerName): Promise<InteropServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `interop-${name}-`));
  let current: Awaited<ReturnType<typeof startOnce>>;
  try {
    current = await startOnce(name, dataDir);
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const port = current.port;
  const gate = await startTcpProxy(port).catch(async (e) => {
    await current.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  });
  let earlier = "";
  let stopped = false;
  const stop = async (kill = false) => {
    if (stopped) return;
    stopped = true;
    await (kill ? current.kill() : current.stop());
    earlier += current.output();
  };
  return {
    name,
    port,
    connectString: `127.0.0.1:${port}`,
    gatedConnectString: `127.0.0.1:${gate.port}`,
    dataDir,
    output: () => earlier + (stopped ? "" : current.output()),
    stop: () => stop(),
    async restart(opts = {}) {
      gate.setRefusing(true);
      gate.dropConnections();
      await stop(opts.kill);
      current = await startOnce(name, dataDir, port);
      stopped = false;
      gate.setRefusing(false);
    },
    async dispose() {
      await gate.close();
      await stop();
      if (name === "apache") await removeApacheHome(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts Apache ZooKeeper and ours side by side (in parallel: the JVM takes a while). */
export async function startBoth(): Promise<Record<ServerName, InteropServer>> {
  const results = await Promise.allSettled([startInteropServer("apache"), startInteropServer("ours")]);
  const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) {
    await Promise.all(started.map((s) => s.dispose()));
    throw (failed as PromiseRejectedResult).reason;
  }
  const [apache, ours] = started as [InteropServer, InteropServer];
  return { apache, ours };
}
