/**
 * Starts Apache ZooKeeper 3.8 (Debian's `zookeeper` package) as a reference server for
 * interop and differential tests, on a port of the test's choosing, in a temp dir.
 *
 * `.ci/run` installs the package; on a machine without it, `apacheZooKeeperAvailable()`
 * is false and the tests that need it are skipped locally, but CI always has it.
 */
import { existsSync } from "node:fs";
import { startServerProcess, type ServerProcess } from "./serverProcess.js";

const ZK_JAR = "/usr/share/java/zookeeper.jar";
// zookeeper.jar's manifest brings Jetty but not the servlet API Jetty needs; without it
// the AdminServer (admin.enableServer=true) silently falls back to a dummy.
const CLASSPATH = [ZK_JAR, "/usr/share/java/slf4j-simple.jar", "/usr/share/java/servlet-api.jar"].join(":");

export function apacheZooKeeperAvailable(): boolean {
  return existsSync(ZK_JAR) && existsSync("/usr/bin/java");
}

export type ApacheZooKeeper = ServerProcess;

export interface ApacheZooKeeperOptions {
  /** Reuse a data dir (e.g. one our server wrote). A fresh temp dir otherwise. */
  dataDir?: string;
  port?: number;
  /** Extra zoo.cfg lines. */
  extraConfig?: Record<string, string | number>;
  /** Extra -D system properties. */
  systemProperties?: Record<string, string>;
}

export function startApacheZooKeeper(opts: ApacheZooKeeperOptions = {}): Promise<ApacheZooKeeper> {
  return startServerProcess({
    name: "apache-zk",
    port: opts.port,
    dataDir: opts.dataDir,
    extraConfig: opts.extraConfig,
    // The JVM answers ruok while it still loads the database: allow it a minute.
    startTimeoutMs: 60_000,
    command(home, configFile) {
      const props = {
        "zookeeper.log.dir": home,
        "org.slf4j.simpleLogger.defaultLogLevel": "warn",
        "zookeeper.jmx.log4j.disable": "true",
        ...opts.systemProperties,
      };
      const args = ["-Xmx512m", "-XX:+UseSerialGC", ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`), "-cp", CLASSPATH, "org.apache.zookeeper.server.quorum.QuorumPeerMain", configFile];
      return { file: "/usr/bin/java", args };
    },
  });
}
