/**
 * Apache Curator 5.4 in a JVM, driven line by line (java/CuratorInterop.java): compile it
 * once, start it against a server, send commands, wait for the lines it prints.
 *
 * Needs Debian's libcurator-recipes-java (Curator 5.4.0, with zookeeper.jar and guava
 * through the jars' manifests) and a JDK; `curatorAvailable()` is false otherwise.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLIENT_JVM_FLAGS, run } from "../../interop/support/processes.js";

const CURATOR_RECIPES_JAR = "/usr/share/java/curator-recipes.jar";
/** The recipes jar's manifest brings curator-framework, curator-client, guava and zookeeper. */
const CLASSPATH = [CURATOR_RECIPES_JAR, "/usr/share/java/slf4j-nop.jar"];
const SOURCE = join(import.meta.dirname, "..", "java", "CuratorInterop.java");

export function curatorAvailable(): boolean {
  return existsSync(CURATOR_RECIPES_JAR) && existsSync("/usr/bin/javac") && existsSync("/usr/bin/java");
}

export interface CompiledCurator {
  classpath: string;
  dispose(): void;
}

export async function compileCuratorInterop(): Promise<CompiledCurator> {
  const dir = mkdtempSync(join(tmpdir(), "curator-interop-"));
  const r = await run("/usr/bin/javac", ["-proc:none", "-nowarn", "-cp", CLASSPATH.join(":"), "-d", dir, SOURCE]);
  if (r.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`javac failed (${r.code}):\n${r.stdout}${r.stderr}`);
  }
  return { classpath: [dir, ...CLASSPATH].join(":"), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export class CuratorProcess {
  readonly lines: string[] = [];
  private stderr = "";
  private partial = "";
  private readonly waiters = new Set<() => void>();
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (c: string) => {
      const parts = (this.partial + c).split("\n");
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      for (const w of [...this.waiters]) w();
    });
    child.stderr!.on("data", (c) => (this.stderr += c));
    this.exited = new Promise((r) => child.once("exit", () => r()));
  }

  /** Starts the JVM and waits for its "ready" (connected to the server). */
  static async start(compiled: CompiledCurator, connectString: string): Promise<CuratorProcess> {
    const child = spawn("/usr/bin/java", [...CLIENT_JVM_FLAGS, "-cp", compiled.classpath, "CuratorInterop", connectString], { stdio: ["pipe", "pipe", "pipe"] });
    const p = new CuratorProcess(child);
    await p.waitFor(/^ready$/, 60_000);
    return p;
  }

  send(command: string): void {
    this.child.stdin!.write(command + "\n");
  }

  /** The first line from `from` on that matches; rejects on an "error …" line or a timeout. */
  waitFor(pattern: RegExp, timeoutMs = 30_000, from = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const rest = this.lines.slice(from);
        const error = rest.find((l) => l.startsWith("error "));
        const hit = rest.find((l) => pattern.test(l));
        if (hit === undefined && error === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        if (hit !== undefined) resolve(hit);
        else reject(new Error(`Curator said: ${error}`));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; saw:\n${this.lines.join("\n")}\nstderr:\n${this.stderr}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Sends quit and waits for the exit (SIGKILL after 10 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send("quit");
    const t = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(t);
  }
}
