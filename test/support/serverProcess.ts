/**
 * What starting a ZooKeeper server process for a test takes, whichever server it is: a
 * temp home with a zoo.cfg, a child process whose output is kept for failure messages,
 * a wait until it serves, and a stop (signal, then SIGKILL after a grace period) that
 * also removes the temp home. Used by apacheZooKeeper.ts and ourServerProcess.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForServing } from "./net.js";

export interface ServerProcess {
  port: number;
  dataDir: string;
  connectString: string;
  configFile: string;
  home: string;
  child: ChildProcess;
  /** Everything the process printed. */
  output(): string;
  /** SIGTERM, wait for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown, no flush. */
  kill(): Promise<void>;
}

export interface ServerProcessSpec {
  /** Prefix of the temp home directory. */
  name: string;
  port?: number;
  /** An existing data dir to use; a fresh one in the temp home otherwise. */
  dataDir?: string;
  /** zoo.cfg settings on top of the test defaults (loopback, all 4lw, no admin server). */
  extraConfig?: Record<string, string | number>;
  /** The command line, given the temp home and the zoo.cfg path. */
  command(home: string, configFile: string): { file: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string };
  startTimeoutMs?: number;
}

/**
 * Starts the server and waits until it serves. A port picked here was free a moment ago,
 * but another process may bind it before the server does; then the server exits saying
 * the address is in use, and it is started again on another port (at most three tries).
 */
export async function startServerProcess(spec: ServerProcessSpec): Promise<ServerProcess> {
  if (spec.port !== undefined) return startOnce(spec, spec.port);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(spec, await freePort());
    } catch (e) {
      if (attempt === 3 || !/EADDRINUSE|Address already in use/i.test(String(e))) throw e;
    }
  }
}

async function startOnce(spec: ServerProcessSpec, port: number): Promise<ServerProcess> {
  const home = mkdtempSync(join(tmpdir(), `${spec.name}-`));
  const dataDir = spec.dataDir ?? join(home, "data");
  mkdirSync(dataDir, { recursive: true });
  const cfg: Record<string, string | number> = {
    tickTime: 2000,
    dataDir,
    clientPort: port,
    clientPortAddress: "127.0.0.1",
    "admin.enableServer": "false",
    "4lw.commands.whitelist": "*",
    maxClientCnxns: 0,
    ...spec.extraConfig,
  };
  const configFile = join(home, "zoo.cfg");
  writeFileSync(configFile, Object.entries(cfg).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  const cmd = spec.command(home, configFile);
  const child = spawn(cmd.file, cmd.args, { cwd: cmd.cwd, env: cmd.env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let finishing: Promise<number | null> | null = null;
  const finish = (signal: NodeJS.Signals): Promise<number | null> =>
    (finishing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(t);
      }
      // The home holds zoo.cfg and logs, and the data dir unless the caller gave one.
      rmSync(home, { recursive: true, force: true });
      return exited;
    })());
  try {
    await waitForServing(port, spec.startTimeoutMs ?? 30_000, () => child.exitCode === null && child.signalCode === null);
  } catch (e) {
    await finish("SIGKILL");
    throw new Error(`${spec.name} did not start: ${String(e)}\n${out}`);
  }
  return {
    port,
    dataDir,
    configFile,
    home,
    child,
    connectString: `127.0.0.1:${port}`,
    output: () => out,
    stop: () => finish("SIGTERM"),
    kill: async () => {
      await finish("SIGKILL");
    },
  };
}

/**
 * For a start that must fail: the error it failed with (which carries the server's
 * output), or "" when the server started after all; it is then stopped.
 */
export function startFailure(starting: Promise<ServerProcess>): Promise<string> {
  return starting.then(
    async (s) => {
      await s.stop();
      return "";
    },
    (e: unknown) => String(e),
  );
}
