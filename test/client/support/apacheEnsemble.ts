/**
 * A three-node Apache ZooKeeper 3.8 ensemble on loopback, each peer a JVM with its own
 * data dir and myid, for tests in which a session must move between members.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApacheZooKeeper, type ApacheZooKeeper } from "../../support/apacheZooKeeper.js";
import { fourLetterWord, freePort } from "../../support/net.js";

export interface Ensemble {
  readonly members: ApacheZooKeeper[];
  /** All client addresses, comma separated. */
  readonly connectString: string;
  /** Starts members again (after kill or stop) on their ports and data; resolves when they serve. */
  restart(...indexes: number[]): Promise<void>;
  /** Stops every member still running and removes the data dirs. */
  stop(): Promise<void>;
}

export interface EnsembleOptions {
  size?: number;
  timeoutMs?: number;
  /** Extra -D properties for every peer (e.g. readonlymode.enabled). */
  systemProperties?: Record<string, string>;
  /** Extra zoo.cfg lines for every peer. */
  extraConfig?: Record<string, string | number>;
}

async function serving(port: number): Promise<boolean> {
  try {
    return /Mode: (leader|follower)/.test(await fourLetterWord(port, "srvr", "127.0.0.1", 1000));
  } catch {
    return false;
  }
}

export async function startEnsemble({ size = 3, timeoutMs = 60_000, systemProperties = {}, extraConfig = {} }: EnsembleOptions = {}): Promise<Ensemble> {
  const ids = Array.from({ length: size }, (_, i) => i + 1);
  const quorum = await Promise.all(ids.map(async () => [await freePort(), await freePort()] as const));
  const serverLines = Object.fromEntries(ids.map((id, i) => [`server.${id}`, `127.0.0.1:${quorum[i]![0]}:${quorum[i]![1]}`]));
  const dirs = ids.map((id) => {
    const dir = mkdtempSync(join(tmpdir(), `ensemble-${id}-`));
    writeFileSync(join(dir, "myid"), `${id}\n`);
    return dir;
  });
  const members: ApacheZooKeeper[] = [];
  const stop = async () => {
    await Promise.all(members.map((m) => m.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  const startMember = (i: number, port?: number) =>
    startApacheZooKeeper({ port, dataDir: dirs[i], systemProperties, extraConfig: { tickTime: 500, initLimit: 20, syncLimit: 10, ...serverLines, ...extraConfig } });
  // Started together: startApacheZooKeeper waits until a peer serves, which needs a quorum.
  const started = await Promise.allSettled(ids.map((_, i) => startMember(i)));
  for (const r of started) if (r.status === "fulfilled") members.push(r.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  try {
    if (failed) throw failed.reason;
    const deadline = Date.now() + timeoutMs;
    while (!(await Promise.all(members.map((m) => serving(m.port)))).every(Boolean)) {
      if (Date.now() > deadline) throw new Error(`ensemble did not form within ${timeoutMs} ms\n${members.map((m) => m.output()).join("\n")}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const restart = async (...indexes: number[]) => {
    const again = await Promise.all(indexes.map((i) => startMember(i, members[i]!.port)));
    indexes.forEach((i, k) => (members[i] = again[k]!));
  };
  return { members, connectString: members.map((m) => m.connectString).join(","), restart, stop };
}
