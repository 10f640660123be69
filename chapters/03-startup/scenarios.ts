/**
 * Chapter 03's runs, shared by its diagrams (diagrams.ts) and its example (run.ts):
 * a standalone server started the way `zk-server` starts it, and a client's first
 * connection to it.
 *
 * The diagrams need runs that draw the same picture every time: the server that answers
 * the connect handshake (chapters/support/inProcessServer.ts) has a pinned wall clock, so
 * the session id (its middle bytes are that time, see SessionTracker) is always the same;
 * ports, paths and timestamps never appear in a trace field.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigFile } from "../../src/startup/QuorumPeerConfig.js";
import { runFromConfig } from "../../src/startup/ZooKeeperServerMain.js";
import { getLogLevel, setLogLevel } from "../../src/util/Logger.js";
import { removeDir, tempDataDir } from "../support/inProcessServer.js";
import { connectClient } from "../support/narration.js";

/** A temporary directory and its removal. */
export function tempHome(prefix: string): { dir: string; remove: () => void } {
  const dir = tempDataDir(prefix);
  return { dir, remove: () => removeDir(dir) };
}

/** A zoo.cfg for a standalone server on 127.0.0.1:port, without the admin server. */
export function writeStandaloneConfig(home: string, port: number, extra: Record<string, string | number> = {}): string {
  const file = join(home, "zoo.cfg");
  const lines = { tickTime: 2000, dataDir: join(home, "data"), clientPort: port, clientPortAddress: "127.0.0.1", "admin.enableServer": "false", ...extra };
  writeFileSync(file, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  return file;
}

/** Runs `fn` with the server's log at WARN (set-up chatter would drown a diagram run). */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const level = getLogLevel();
  setLogLevel("WARN");
  try {
    return await fn();
  } finally {
    setLogLevel(level);
  }
}

/**
 * A data dir with some history: one server run in which a client created /app and
 * /app/config and closed its session (zxids 0:1 to 0:4), then a clean shutdown. The
 * next start replays that log on top of the empty snapshot of the first start.
 */
export async function seedDataDir(configFile: string): Promise<void> {
  const first = await runFromConfig(parseConfigFile(configFile));
  try {
    const zk = await connectClient(`127.0.0.1:${first.clientPort}`, 30000);
    await zk.create("/app", "v1");
    await zk.create("/app/config", "tickTime=2000");
    await zk.close();
  } finally {
    await first.shutdown();
  }
}

/**
 * How a session id is laid out (SessionTracker.initializeNextSessionId): the server id
 * in the top byte, 40 bits of a millisecond clock, and a 16-bit counter that starts at 0.
 */
export function sessionIdParts(sessionId: bigint): { serverId: bigint; timeBits: bigint; counter: bigint } {
  const id = BigInt.asUintN(64, sessionId);
  return { serverId: id >> 56n, timeBits: (id >> 16n) & 0xff_ffff_ffffn, counter: id & 0xffffn };
}
