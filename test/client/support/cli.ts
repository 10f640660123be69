/**
 * Runs zk-cli (bin/zk-cli.js) and Apache's zkCli.sh as child processes, with the same
 * arguments and stdin, and normalizes what may legitimately differ between two runs.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ZKCLI_SH = "/usr/share/zookeeper/bin/zkCli.sh";
export const ZK_CLI_JS = fileURLToPath(new URL("../../../bin/zk-cli.js", import.meta.url));

export function zkCliShAvailable(): boolean {
  return existsSync(ZKCLI_SH) && existsSync("/usr/bin/java");
}

export interface CliRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs a command to completion (killed after `timeoutMs`), feeding `input` on stdin. */
export function runProcess(cmd: string, args: string[], input = "", timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, TZ: "UTC", ZK_LOG_LEVEL: "" }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(input);
  });
}

export const runZkCli = (args: string[], input?: string) => runProcess(process.execPath, [ZK_CLI_JS, ...args], input);
export const runZkCliSh = (args: string[], input?: string) => runProcess(ZKCLI_SH, args, input);

/**
 * Splits out the WATCHER:: blocks. Java prints each as two printlns ("\nWATCHER::" and
 * "\n" + the event) from its event thread, racing the main thread's output, so where
 * their lines land, and the blank lines around them, is not reproducible: with two
 * events in a row a command's output can come between one event's two lines. Each
 * println is whole, though, so this works line by line: every "WATCHER::" line goes,
 * every "WatchedEvent" line becomes an event, and blank lines are dropped.
 */
export function separateWatcherOutput(stdout: string): { text: string; events: string[] } {
  const events: string[] = [];
  const lines: string[] = [];
  for (const line of stdout.split("\n")) {
    if (line === "WATCHER::" || line === "") continue;
    if (line.startsWith("WatchedEvent ")) events.push(line);
    else lines.push(line);
  }
  return { text: lines.join("\n"), events };
}

/** Drops SLF4J's complaints and Java stack frames, which only the JVM prints. */
export function cleanStderr(stderr: string): string {
  return stderr
    .split("\n")
    .filter((l) => !l.startsWith("SLF4J:") && !l.startsWith("\tat "))
    .join("\n");
}

/** Masks what two runs on different nodes cannot share: zxids, times, session ids. */
export function maskRunSpecific(text: string): string {
  return text
    .replace(/^([cmp]Zxid) = 0x[0-9a-f]+$/gm, "$1 = 0x?")
    .replace(/^([cm]time) = .*$/gm, "$1 = ?")
    .replace(/^ephemeralOwner = 0x[0-9a-f]{6,}$/gm, "ephemeralOwner = 0x<session>");
}
