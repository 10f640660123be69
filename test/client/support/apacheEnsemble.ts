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
  /** Stops every member still running and removes the data dirs. */
  stop(): Promise<void>;
}

async function serving(port: number): Promise<boolean> {
  try {
    return /Mode: (leader|follower)/.test(await fourLetterWord(port, "srvr", "127.0.0.1", 1000));
  } catch {
    return false;
  }
}

export async function startEnsemble(size = 3, timeoutMs = 60_000): Promise<Ensemble> {
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
  // Started together: startApacheZooKeeper waits until a peer serves, which needs a quorum.
  const started = await Promise.allSettled(ids.map((_, i) => startApacheZooKeeper({ dataDir: dirs[i], extraConfig: { tickTime: 500, initLimit: 20, syncLimit: 10, ...serverLines } })));
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
  return { members, connectString: members.map((m) => m.connectString).join(","), stop };
}
