/**
 * Starts Apache ZooKeeper 3.8 (Debian's `zookeeper` package) as a reference server for
 * interop and differential tests, on a port of the test's choosing, in a temp dir.
 *
 * `.ci/run` installs the package; on a machine without it, `apacheZooKeeperAvailable()`
 * is false and the tests that need it are skipped locally, but CI always has it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForServing } from "./net.js";

const ZK_JAR = "/usr/share/java/zookeeper.jar";
// zookeeper.jar's manifest brings Jetty but not the servlet API Jetty needs; without it
// the AdminServer (admin.enableServer=true) silently falls back to a dummy.
const CLASSPATH = [ZK_JAR, "/usr/share/java/slf4j-simple.jar", "/usr/share/java/servlet-api.jar"].join(":");

export function apacheZooKeeperAvailable(): boolean {
  return existsSync(ZK_JAR) && existsSync("/usr/bin/java");
}

export interface ApacheZooKeeper {
  port: number;
  dataDir: string;
  /** Connect string for clients: 127.0.0.1:port */
  connectString: string;
  /** Everything the JVM printed, for failure messages. */
  output(): string;
  /** Stops the JVM (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** kill -9, no clean shutdown. */
  kill(): Promise<void>;
}

export interface ApacheZooKeeperOptions {
  /** Reuse a data dir (e.g. one our server wrote). A fresh temp dir otherwise. */
  dataDir?: string;
  port?: number;
  /** Extra zoo.cfg lines. */
  extraConfig?: Record<string, string | number>;
  /** Extra -D system properties. */
  systemProperties?: Record<string, string>;
}

export async function startApacheZooKeeper(opts: ApacheZooKeeperOptions = {}): Promise<ApacheZooKeeper> {
  const port = opts.port ?? (await freePort());
  const home = mkdtempSync(join(tmpdir(), "apache-zk-"));
  const dataDir = opts.dataDir ?? join(home, "data");
  mkdirSync(dataDir, { recursive: true });
  const cfg: Record<string, string | number> = {
    tickTime: 2000,
    dataDir,
    clientPort: port,
    clientPortAddress: "127.0.0.1",
    "admin.enableServer": "false",
    "4lw.commands.whitelist": "*",
    maxClientCnxns: 0,
    ...opts.extraConfig,
  };
  const cfgPath = join(home, "zoo.cfg");
  writeFileSync(cfgPath, Object.entries(cfg).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  const props = {
    "zookeeper.log.dir": home,
    "org.slf4j.simpleLogger.defaultLogLevel": "warn",
    "zookeeper.jmx.log4j.disable": "true",
    ...opts.systemProperties,
  };
  const args = [
    "-Xmx512m",
    "-XX:+UseSerialGC",
    ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`),
    "-cp",
    CLASSPATH,
    "org.apache.zookeeper.server.quorum.QuorumPeerMain",
    cfgPath,
  ];
  const child: ChildProcess = spawn("/usr/bin/java", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopped = false;
  const finish = async (signal: NodeJS.Signals) => {
    if (stopped) return exited;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    if (!opts.dataDir) rmSync(home, { recursive: true, force: true });
  };
  try {
    await waitForServing(port, 60_000);
  } catch (e) {
    await finish("SIGKILL");
    throw new Error(`Apache ZooKeeper did not start: ${String(e)}\n${out}`);
  }
  return {
    port,
    dataDir,
    connectString: `127.0.0.1:${port}`,
    output: () => out,
    stop: () => finish("SIGTERM"),
    kill: () => finish("SIGKILL"),
  };
}
