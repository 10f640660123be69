/**
 * How the chapter examples talk: numbered steps, one narrated line at a time (with a
 * short pause on a terminal, as chapter 01's example), and blocks such as hex dumps
 * printed at once. ZK_CHAPTER_DELAY_MS overrides the pause (0 in tests).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ZooKeeper } from "../../src/client/ZooKeeper.js";
import { getLogLevel, setLogLevel } from "../../src/util/Logger.js";
import type { ServerChild } from "./serverProcess.js";

export interface Narrator {
  /** A numbered step's title, with a blank line before it. */
  step(title: string): Promise<void>;
  /** One narrated line, indented; nothing once the run is aborted. */
  say(line: string): Promise<void>;
  /** A block printed at once (dumps, tables), indented. */
  show(lines: readonly string[]): void;
}

function delayMs(): number {
  const env = Number(process.env.ZK_CHAPTER_DELAY_MS);
  if (process.env.ZK_CHAPTER_DELAY_MS !== undefined && Number.isFinite(env) && env >= 0) return env;
  return process.stdout.isTTY ? 120 : 0;
}

export function narrator(signal: AbortSignal): Narrator {
  const pause = delayMs();
  const wait = async (ms: number) => {
    if (ms > 0) await sleep(ms, undefined, { signal }).catch(() => undefined);
  };
  return {
    async step(title) {
      if (signal.aborted) return;
      console.log(`\n== ${title}\n`);
      await wait(pause * 3);
    },
    async say(line) {
      if (signal.aborted) return;
      console.log(`   ${line}`);
      await wait(pause);
    },
    show(lines) {
      if (signal.aborted) return;
      for (const l of lines) console.log(`   ${l}`);
    },
  };
}

/** A client with our ZooKeeper class, resolved once its session is established. */
export function connectClient(connectString: string, sessionTimeoutMs: number): Promise<ZooKeeper> {
  const zk = new ZooKeeper(connectString, sessionTimeoutMs);
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 15_000;
    const poll = () => {
      if (zk.getState() === "CONNECTED") resolve(zk);
      else if (Date.now() > deadline) void zk.close().finally(() => reject(new Error(`no session with ${connectString} within 15 s`)));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

/** The server's log lines matching `pattern` (all of them without one), shortened for narration. */
export function serverLines(server: ServerChild, pattern?: RegExp): string[] {
  return server
    .lines()
    .filter((l) => pattern === undefined || pattern.test(l))
    .map((l) => l.replace(/^(\w+)\s+\[(\w+)\] - /, "$2: ").replace(/\/\S*\/version-2\//g, ""));
}

export interface ExampleHome {
  /** A temp directory for the run: zoo.cfg and the data directory go here. */
  readonly home: string;
  readonly dataDir: string;
  /** `<dataDir>/version-2`, where the server keeps its logs and snapshots. */
  readonly v2: string;
  /** Removes the directory and restores the log level. */
  dispose(): void;
}

/**
 * Where an example keeps its server's files. The clients run in this process and would
 * log every reconnect; the narration says what happens, so only errors are logged.
 */
export function exampleHome(prefix: string): ExampleHome {
  const level = getLogLevel();
  setLogLevel("ERROR");
  const home = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(home, "data");
  return {
    home,
    dataDir,
    v2: join(dataDir, "version-2"),
    dispose() {
      rmSync(home, { recursive: true, force: true });
      setLogLevel(level);
    },
  };
}
