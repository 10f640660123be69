/**
 * Apache ZooKeeper's own Java client (3.8, Debian's zookeeper.jar) against our server:
 * a program (java/InteropClient.java) sends every request a 3.8 client sends — create,
 * create2, createContainer and createTTL in every CreateMode, delete, exists, getData,
 * setData, getACL, setACL, getChildren and getChildren2, getAllChildrenNumber,
 * getEphemerals, multi (with a failing member: per-op results), multiRead, sync,
 * addWatch (persistent and recursive), checkWatches and removeWatches, auth, whoAmI,
 * reconfig, getConfig, ping, setWatches and setWatches2 after a server restart, and
 * closeSession — and prints a transcript. Run against Apache ZooKeeper 3.8 and against
 * ours (as a process, restarted on its data dir half way, once cleanly and once after
 * kill -9), the transcripts are equal
 * line for line: same results, zxids, Stats, error codes, per-op multi results, and the
 * same watch events in the same order, before and after the restart.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_JVM_FLAGS, compileJava, javaToolsAvailable, run, type CompiledJava, type Finished } from "./support/processes.js";
import { interopServersAvailable, startInteropServer, type ServerName } from "./support/servers.js";
import { expectRanToEnd, expectSameTranscript, INTERNAL_ERROR } from "./support/transcript.js";

const SOURCE = join(import.meta.dirname, "java", "InteropClient.java");

interface ClientRun extends Finished {
  server: ServerName;
  serverOutput: string;
}

/** Runs the program against a fresh server, restarting the server when it asks. */
async function runAgainst(name: ServerName, java: CompiledJava): Promise<ClientRun> {
  const server = await startInteropServer(name);
  try {
    const r = await run("/usr/bin/java", [...CLIENT_JVM_FLAGS, "-cp", java.classpath, "InteropClient", server.gatedConnectString], {
      timeoutMs: 150_000,
      async onLine(line, stdin) {
        if (line !== "@@RESTART" && line !== "@@KILL") return;
        await server.restart({ kill: line === "@@KILL" });
        stdin.write("go\n");
      },
    });
    return { ...r, server: name, serverOutput: server.output() };
  } finally {
    await server.dispose();
  }
}

describe.skipIf(!javaToolsAvailable() || !interopServersAvailable())("Apache ZooKeeper's Java client against our server", () => {
  let java: CompiledJava;
  let apache: ClientRun;
  let ours: ClientRun;

  beforeAll(async () => {
    java = await compileJava([SOURCE]);
    // Both runs at once: each is mostly waiting on its server.
    [apache, ours] = await Promise.all([runAgainst("apache", java), runAgainst("ours", java)]);
  }, 240_000);
  afterAll(() => java?.dispose());

  it("runs to the end against Apache ZooKeeper 3.8 (the reference transcript is complete)", () => {
    expectRanToEnd(apache);
  });

  it("runs to the end against ours, without errors on either side", () => {
    expectRanToEnd(ours);
    // (An ERROR line for the disabled reconfig is what Java logs too.)
    expect(ours.serverOutput).not.toMatch(INTERNAL_ERROR);
  });

  it("prints the same transcript against ours as against Apache ZooKeeper 3.8", () => {
    expectSameTranscript(ours.stdout, apache.stdout, "the Java client's transcript");
  });

  it("the transcript exercised what it claims: multi results, multiRead, watches, the restart", () => {
    const t = apache.stdout;
    expect(t).toMatch(/multiRead -> \[getChildren\(\[\]\), getData\('c' .*\), error\(NONODE\), error\(NONODE\)\]/);
    for (const line of [
      "create2 PERSISTENT_SEQUENTIAL_WITH_TTL -> /j/persistent_sequential_with_ttl0000000006 ",
      "multi failing member -> KeeperException BADVERSION results=[error(OK), error(BADVERSION), error(RUNTIMEINCONSISTENCY)]",
      "events recursive (3/3): [NodeCreated:SyncConnected:/j/mc/k/deep, NodeDataChanged:SyncConnected:/j/mc/k/deep, NodeDeleted:SyncConnected:/j/mc/k/deep]",
      "reconnected: <A> <B> <C>",
      "events afterRestart (4/4): [None:Disconnected:null, None:SyncConnected:null, NodeDataChanged:SyncConnected:/j/w, NodeDeleted:SyncConnected:/j/persistent_sequential0000000001]",
      "reconfig -> KeeperException RECONFIGDISABLED",
      "ephemerals after restart -> [/j/ephemeral, /j/ephemeral_sequential0000000003]",
      "reconnected after kill: <A> <B>\ngetData after kill -> 'synced'\n",
    ]) {
      expect(t).toContain(line);
    }
  });
});
