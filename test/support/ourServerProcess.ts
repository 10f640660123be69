/**
 * Starts our server as its own process (`node bin/zk-server.js zoo.cfg`), the way an
 * operator runs it: for tests that kill -9 it, restart it on the same data dir, or put
 * foreign clients (zkCli, kazoo) in front of it.
 */
import { join, resolve } from "node:path";
import { startServerProcess, type ServerProcess } from "./serverProcess.js";

const ROOT = resolve(import.meta.dirname, "../..");

export type OurServerProcess = ServerProcess;

export interface OurServerProcessOptions {
  dataDir?: string;
  port?: number;
  extraConfig?: Record<string, string | number>;
  /** Environment for the process (e.g. ZK_LOG_LEVEL). */
  env?: Record<string, string>;
}

export function startOurServerProcess(opts: OurServerProcessOptions = {}): Promise<OurServerProcess> {
  return startServerProcess({
    name: "our-zk",
    port: opts.port,
    dataDir: opts.dataDir,
    extraConfig: opts.extraConfig,
    command: (_home, configFile) => ({
      file: process.execPath,
      args: [join(ROOT, "bin/zk-server.js"), configFile],
      cwd: ROOT,
      env: { ...process.env, ZK_LOG_LEVEL: "WARN", ...opts.env },
    }),
  });
}
