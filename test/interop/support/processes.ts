/**
 * Foreign clients as child processes: the JVM (javac-compiled programs, zkCli.sh) and
 * Debian's python3 with kazoo. One helper runs a program to completion, feeding stdin
 * and reacting to stdout lines (a client that asks the test to restart the server).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ZK_JAR = "/usr/share/java/zookeeper.jar";
export const ZKCLI_SH = "/usr/share/zookeeper/bin/zkCli.sh";
/** Debian's python3: the one on PATH may be a pyenv build without kazoo. */
export const DEBIAN_PYTHON = "/usr/bin/python3";

/** zookeeper.jar brings its dependencies through its manifest; slf4j-nop silences logging. */
export const JAVA_CLIENT_CLASSPATH = [ZK_JAR, "/usr/share/java/slf4j-nop.jar"];

export function javaToolsAvailable(): boolean {
  return existsSync(ZK_JAR) && existsSync("/usr/bin/java") && existsSync("/usr/bin/javac");
}

export function zkCliAvailable(): boolean {
  return existsSync(ZKCLI_SH) && existsSync("/usr/bin/java");
}

export function kazooAvailable(): boolean {
  if (!existsSync(DEBIAN_PYTHON)) return false;
  return spawnSync(DEBIAN_PYTHON, ["-c", "import kazoo"], { stdio: "ignore" }).status === 0;
}

export interface Finished {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  input?: string;
  /** Leave stdin open after `input` (an `onLine` handler ends it). */
  keepStdinOpen?: boolean;
  /** Killed (SIGKILL) after this long; the result then says signal SIGKILL. */
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
  /** Called for each complete stdout line; may write to the child's stdin. */
  onLine?: (line: string, stdin: NodeJS.WritableStream) => void | Promise<void>;
}

/** Runs a program to completion. Never rejects for a non-zero exit: the caller compares. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, TZ: "UTC", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let partial = "";
    const pending: Array<Promise<void>> = [];
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (c: string) => {
      stdout += c;
      if (!opts.onLine) return;
      partial += c;
      const lines = partial.split("\n");
      partial = lines.pop()!;
      for (const l of lines) {
        pending.push(Promise.resolve(opts.onLine(l, child.stdin)).catch((e) => {
          stderr += `\n[test harness] ${String(e)}\n`;
          child.kill("SIGKILL");
        }));
      }
    });
    child.stderr.on("data", (c) => (stderr += c));
    child.stdin.on("error", () => {}); // the child may exit before reading all its input
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", async (code, signal) => {
      clearTimeout(timer);
      await Promise.all(pending);
      resolve({ stdout, stderr, code, signal });
    });
    if (opts.keepStdinOpen) child.stdin.write(opts.input ?? "");
    else if (opts.input !== undefined) child.stdin.end(opts.input);
    else if (!opts.onLine) child.stdin.end();
  });
}

export interface CompiledJava {
  /** Classpath to run the compiled classes with the ZooKeeper client. */
  classpath: string;
  dispose(): void;
}

/** Compiles Java sources against the ZooKeeper client jar into a fresh temp dir. */
export async function compileJava(sources: string[]): Promise<CompiledJava> {
  const dir = mkdtempSync(join(tmpdir(), "interop-javac-"));
  const r = await run("/usr/bin/javac", [
    "-proc:none",
    "-implicit:none",
    "-nowarn",
    "-Xlint:-unchecked",
    "-cp",
    JAVA_CLIENT_CLASSPATH.join(":"),
    "-d",
    dir,
    ...sources,
  ]);
  if (r.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`javac failed (${r.code}):\n${r.stdout}${r.stderr}`);
  }
  return {
    classpath: [dir, ...JAVA_CLIENT_CLASSPATH].join(":"),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The JVM flags a short-lived client needs on a small CI machine. */
export const CLIENT_JVM_FLAGS = ["-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"];

/** Runs jobs at most `n` at a time (JVMs are heavy on a 2-core machine). */
export async function limited<T>(jobs: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]!();
      }
    }),
  );
  return results;
}
