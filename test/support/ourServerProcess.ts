/**
 * Starts our server as its own process (`node bin/zk-server.js zoo.cfg`), the way an
 * operator runs it: for tests that kill -9 it, restart it on the same data dir, or put
 * foreign clients (zkCli, kazoo) in front of it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, waitForServing } from "./net.js";

const ROOT = resolve(import.meta.dirname, "../..");

export interface OurServerProcess {
  port: number;
  dataDir: string;
  connectString: string;
  configFile: string;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown, no flush. */
  kill(): Promise<void>;
  readonly child: ChildProcess;
}

export interface OurServerProcessOptions {
  dataDir?: string;
  port?: number;
  extraConfig?: Record<string, string | number>;
  /** Environment for the process (e.g. ZK_LOG_LEVEL). */
  env?: Record<string, string>;
}

export async function startOurServerProcess(opts: OurServerProcessOptions = {}): Promise<OurServerProcess> {
  const port = opts.port ?? (await freePort());
  const home = mkdtempSync(join(tmpdir(), "our-zk-"));
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
  const configFile = join(home, "zoo.cfg");
  writeFileSync(configFile, Object.entries(cfg).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  const child = spawn(process.execPath, [join(ROOT, "bin/zk-server.js"), configFile], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ZK_LOG_LEVEL: "WARN", ...opts.env },
  });
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let done = false;
  const finish = async (signal: NodeJS.Signals): Promise<number | null> => {
    if (!done) {
      done = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
        const code = await exited;
        clearTimeout(t);
        // The temp home holds zoo.cfg (and the data dir unless the caller gave one).
        rmSync(home, { recursive: true, force: true });
        return code;
      }
    }
    return exited;
  };
  try {
    await waitForServing(port, 30_000);
  } catch (e) {
    await finish("SIGKILL");
    throw new Error(`our server did not start: ${String(e)}\n${out}`);
  }
  return {
    port,
    dataDir,
    configFile,
    connectString: `127.0.0.1:${port}`,
    output: () => out,
    stop: () => finish("SIGTERM"),
    kill: async () => {
      await finish("SIGKILL");
    },
    child,
  };
}
