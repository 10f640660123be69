/**
 * Starts the two servers the bench compares, as separate processes with identical
 * zoo.cfg settings (test/support/serverProcess.ts writes it: 127.0.0.1, a free port, no
 * admin server, all four-letter words), with data dirs under the system temp dir (one
 * filesystem for both):
 *
 *     ours:    node bin/zk-server.js zoo.cfg
 *     apache:  java -Xmx2g -cp zookeeper.jar:… QuorumPeerMain zoo.cfg   (Debian's 3.8)
 *
 * Both keep ZooKeeper's defaults otherwise: forceSync=yes (an fsync per group commit),
 * snapCount=100000, globalOutstandingLimit=1000. The JVM gets a fixed -Xmx2g, enough for
 * the footprint row's million znodes, and the GC the JVM picks itself (G1 on this
 * hardware), as `zkServer.sh` would run it.
 *
 * The data dir lives in a bench-owned "home" rather than the launcher's temp home, so a
 * second server can restart on what the first one wrote (the footprint row).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startServerProcess } from "../test/support/serverProcess.js";
import { atCleanup } from "./cleanup.js";

export type ServerKind = "ours" | "apache";

const ROOT = resolve(import.meta.dirname, "..");
const ZK_JAR = "/usr/share/java/zookeeper.jar";
// zookeeper.jar's manifest names its other dependencies; slf4j-simple gives it a logger.
const CLASSPATH = [ZK_JAR, "/usr/share/java/slf4j-simple.jar"].join(":");
export const JVM_HEAP = "-Xmx2g";

export function apacheAvailable(): boolean {
  return existsSync(ZK_JAR) && existsSync("/usr/bin/java");
}

export interface BenchServer {
  kind: ServerKind;
  pid: number;
  port: number;
  dataDir: string;
  output(): string;
  /** SIGTERM (SIGKILL after a grace period); resolves when the process has exited. */
  stop(): Promise<void>;
}

/** A temp dir holding a data dir. */
export interface Home {
  dir: string;
  /** Removes the dir now (it is removed at cleanup otherwise). */
  remove(): void;
}

export function makeHome(kind: ServerKind): Home {
  const dir = mkdtempSync(join(tmpdir(), `zk-bench-${kind}-`));
  mkdirSync(join(dir, "data"));
  const rm = () => rmSync(dir, { recursive: true, force: true });
  const unregister = atCleanup(rm);
  return {
    dir,
    remove: () => {
      rm();
      unregister();
    },
  };
}

export interface StartOptions {
  /** Extra node flags for our server (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** How long the server may take until `srvr` reports a mode (a restart loads a database). */
  startTimeoutMs?: number;
}

function command(kind: ServerKind, home: string, configFile: string, o: StartOptions) {
  if (kind === "ours") {
    return { file: process.execPath, args: [...(o.nodeArgs ?? []), join(ROOT, "bin/zk-server.js"), configFile], cwd: ROOT, env: { ...process.env, ZK_LOG_LEVEL: "WARN" } };
  }
  const props = { "zookeeper.log.dir": home, "org.slf4j.simpleLogger.defaultLogLevel": "warn", "zookeeper.jmx.log4j.disable": "true" };
  const args = [JVM_HEAP, ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`), "-cp", CLASSPATH, "org.apache.zookeeper.server.quorum.QuorumPeerMain", configFile];
  return { file: "/usr/bin/java", args };
}

/** Starts a server of `kind` on `home`'s data dir (fresh, or one an earlier server wrote). */
export async function startServer(kind: ServerKind, home: Home, o: StartOptions = {}): Promise<BenchServer> {
  const dataDir = join(home.dir, "data");
  const p = await startServerProcess({
    name: `zk-bench-${kind}-run`,
    dataDir,
    startTimeoutMs: o.startTimeoutMs ?? 60_000,
    command: (launcherHome, configFile) => command(kind, launcherHome, configFile, o),
  });
  const unregister = atCleanup(() => p.stop().then(() => {}));
  return {
    kind,
    pid: p.child.pid!,
    port: p.port,
    dataDir,
    output: p.output,
    stop: async () => {
      await p.stop();
      unregister();
    },
  };
}
