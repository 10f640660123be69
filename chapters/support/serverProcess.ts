/**
 * The chapter examples' server: `node bin/zk-server.js zoo.cfg` as a child process, the
 * way an operator runs it, so an example can kill -9 it and start it again on the same
 * data directory.
 *
 * The zoo.cfg is the chapter's own (chapters/NN-name/zoo.cfg) with the lines an example
 * must choose at run time put in: `dataDir` (a temp directory) and `clientPort` (one the
 * OS says is free, kept for every restart, so that a client reconnects by itself).
 * ZooKeeper reads `clientPort=0` as "no client port", so the port is picked up front.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** The chapter's zoo.cfg with `settings` replacing (or added after) its lines. */
export function chapterConfig(template: string, settings: Record<string, string | number>): string {
  const left = new Map(Object.entries(settings).map(([k, v]) => [k, String(v)]));
  const lines = readFileSync(template, "utf8")
    .split("\n")
    .map((line) => {
      const key = /^\s*([^#=\s]+)\s*=/.exec(line)?.[1];
      if (key === undefined || !left.has(key)) return line;
      const value = left.get(key)!;
      left.delete(key);
      return `${key}=${value}`;
    });
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return [...lines, ...[...left].map(([k, v]) => `${k}=${v}`), ""].join("\n");
}

export interface ServerChild {
  readonly port: number;
  readonly pid: number;
  /** Log lines printed so far, without their timestamps: `INFO  [FileSnap] - Reading snapshot ...`. */
  lines(): string[];
  /** SIGKILL: no shutdown, nothing flushed that was not already fsynced. */
  kill9(): Promise<void>;
  /** SIGTERM: a clean shutdown. Resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** A loopback port nobody listened on a moment ago: the OS chose it for a throwaway listener. */
export function pickPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `zk-server <configFile>` (whose clientPort is `port`) and resolves once `srvr` says it serves. */
export async function startServer(configFile: string, port: number, env: Record<string, string> = {}): Promise<ServerChild> {
  const child = spawn(process.execPath, [join(ROOT, "bin/zk-server.js"), configFile], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ZK_LOG_LEVEL: "INFO", ...env },
  });
  const lines: string[] = [];
  let partial = "";
  const onChunk = (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8");
    const parts = text.split("\n");
    partial = parts.pop()!;
    for (const l of parts) lines.push(l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[myid:[^\]]*\] - /, ""));
  };
  child.stdout!.on("data", onChunk);
  child.stderr!.on("data", onChunk);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const server: ServerChild = {
    port,
    pid: child.pid ?? -1,
    lines: () => lines.slice(),
    kill9: async () => {
      await signalAndWait(child, "SIGKILL", exited);
    },
    stop: () => signalAndWait(child, "SIGTERM", exited),
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`zk-server exited with code ${child.exitCode}:\n${lines.join("\n")}`);
      // Not ruok: it answers imok as soon as the port is bound, while the database loads.
      return (await ask(port, "srvr")).includes("Mode:") ? true : undefined;
    }, 30_000);
    return server;
  } catch (e) {
    await server.kill9();
    throw e;
  }
}

async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
    const stubborn = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(stubborn);
  }
  return exited;
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A four-letter word: what the server answers before it closes the connection ("" if it cannot be reached). */
export function ask(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = "";
    const sock = connect({ port, host: "127.0.0.1" }, () => sock.end(word));
    sock.setTimeout(5000, () => sock.destroy());
    sock.on("data", (c: Buffer) => (answer += c.toString("utf8")));
    sock.on("error", () => resolve(""));
    sock.on("close", () => resolve(answer));
  });
}

/** Writes a chapter's zoo.cfg into `dir` with the run's data dir and port; returns its path. */
export function writeConfig(template: string, dir: string, dataDir: string, port: number): string {
  const file = join(dir, "zoo.cfg");
  writeFileSync(file, chapterConfig(template, { dataDir, clientPort: port }));
  return file;
}
