/**
 * zk-cli against Apache's zkCli.sh: the same commands, run by both on the same server,
 * print the same stdout and stderr and exit with the same code, so scripts written for
 * zkCli keep working. Compared both one command per process (non-interactive) and as a
 * piped session (zkCli without JLine reads stdin line by line, without a prompt).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { CREATOR_ALL_ACL, OPEN_ACL_UNSAFE } from "../../src/jute/ZooDefs.js";
import { ZooKeeper } from "../../src/client/ZooKeeper.js";
import { servers, type RunningServer } from "./support/servers.js";
import { cleanStderr, maskRunSpecific, runZkCli, runZkCliSh, separateWatcherOutput, zkCliShAvailable, type CliRun } from "./support/cli.js";

/** A read-only fixture: both clients see exactly the same tree, Stats included. */
async function buildFixture(connectString: string): Promise<void> {
  const zk = new ZooKeeper(connectString, 10000);
  try {
    await zk.create("/ro", "root data");
    await zk.create("/ro/a", "hello");
    await zk.create("/ro/b", null);
    await zk.create("/ro/b/c", "x,y}%\n");
    await zk.create("/ro/seq-", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
    zk.addAuthInfo("digest", "alice:pw");
    await zk.create("/ro/acl", "secret", [...CREATOR_ALL_ACL, { perms: 1, id: { scheme: "world", id: "anyone" } }]);
    await zk.create("/ro/q", null);
    await zk.create("/zookeeper/quota/ro", null);
    await zk.create("/zookeeper/quota/ro/q", null);
    await zk.create("/zookeeper/quota/ro/q/zookeeper_limits", "count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
    await zk.create("/zookeeper/quota/ro/q/zookeeper_stats", "count=1,bytes=0");
  } finally {
    await zk.close();
  }
}

/** Commands that leave the tree as it was (or fail). */
const READS = [
  "ls /ro",
  "ls -s /ro",
  "ls -R /ro",
  "ls -w /ro",
  "ls /ro/nope",
  "ls",
  "ls -x /ro",
  "get /ro/a",
  "get -s /ro/b/c",
  "get /ro/b",
  "get /nope",
  "stat /ro/a",
  "stat /nope",
  "getAcl /ro/acl",
  "getAcl -s /ro/a",
  "get /ro/acl",
  "getAllChildrenNumber /ro",
  "getEphemerals /",
  "listquota /ro/q",
  "listquota /ro",
  "config",
  "whoami",
  "sync /ro",
  "create /ro/a",
  "create /ro/acl/x",
  "delete /ro",
  "set -v 99 /ro/a x",
  "removewatches /ro",
  "setquota -n 1 -b 2 /ro",
  "setquota /ro",
  "bogus",
  "printwatches",
];

/** Each in its own process, for the exit codes (0, 1, 127, and 1 after a Java crash). */
const ONE_SHOT = ["ls /ro", "get -s /ro/b/c", "get /nope", "ls", "ls -x /ro", "bogus", "create /ro/a", "getAcl /ro/acl", "sync /ro", "listquota /ro/q", "removewatches /ro"];

const SCRIPT_READONLY = [...READS.filter((c) => c !== "bogus"), "help", "history", "redo 1", "redo 99", "printwatches off", "connect", "ls /ro", "history"];

/** A session that writes, under its own root R, so each client gets a fresh subtree. */
const SCRIPT_WRITES = (R: string) => [
  `create ${R} ""`,
  `create ${R}/x data`,
  `create -s ${R}/s- one`,
  `create -s ${R}/s- two`,
  `create -e ${R}/e`,
  `create -c ${R}/c`,
  `create -t 60000 ${R}/t`,
  `create -t 0 ${R}/t0`,
  `create -c -e ${R}/bad`,
  `create ${R}/x`,
  `create ${R}/acl "two words" world:anyone:r,nope,ip:127.0.0.1:cdrwaq`,
  `ls ${R}`,
  `ls -s ${R}`,
  `stat ${R}/e`,
  `get -s ${R}/x`,
  `set -s ${R}/x v2`,
  `set -v 9 ${R}/x v3`,
  `get ${R}/x`,
  `getAcl ${R}/acl`,
  `setAcl ${R}/x world:anyone:r`,
  `getAcl -s ${R}/x`,
  `set ${R}/x nope`,
  `setAcl -R ${R} world:anyone:cdrwa`,
  `getEphemerals ${R}`,
  `getAllChildrenNumber ${R}`,
  `setquota -n 5 ${R}`,
  `setquota -B 1000 ${R}`,
  `setquota -n 3 ${R}/x`,
  `listquota ${R}`,
  `delquota -n ${R}`,
  `listquota ${R}`,
  `delquota ${R}`,
  `listquota ${R}`,
  `delquota ${R}`,
  `addWatch ${R}/x`,
  `removewatches ${R}/x -d`,
  `removewatches ${R}/x`,
  `delete ${R}`,
  `delete -v 7 ${R}/s-0000000000`,
  `delete ${R}/s-0000000000`,
  `deleteall ${R}`,
  `ls ${R}`,
  "addauth digest bob:pw",
  "whoami",
  `create ${R}2 x auth::cdrwa`,
  `getAcl ${R}2`,
  `deleteall ${R}2 -b 1`,
  "close",
  `ls ${R}`,
  "history",
];

/**
 * `javaMayMiss`: events zkCli.sh may leave out. Its event thread prints them and reads
 * `printwatches` only when it gets to one, so an event still queued when a later
 * `printwatches off` runs is dropped. Ours prints each event before it reads the next
 * command. Each listed event is taken out of ours only when Java's output lacks it.
 */
function compare(java: CliRun, ts: CliRun, mask = (s: string) => s, javaMayMiss: string[] = []): void {
  const j = separateWatcherOutput(java.stdout);
  const t = separateWatcherOutput(ts.stdout);
  expect(mask(t.text)).toBe(mask(j.text));
  const ours = t.events.map(mask);
  const theirs = j.events.map(mask);
  for (const e of javaMayMiss) {
    const at = ours.indexOf(e);
    if (at >= 0 && !theirs.includes(e)) ours.splice(at, 1);
  }
  expect(ours.sort()).toEqual(theirs.sort());
  expect(mask(cleanStderr(ts.stderr))).toBe(mask(cleanStderr(java.stderr)));
  expect(ts.code).toBe(java.code);
}

/** Runs jobs a few at a time: JVMs and tsx processes are heavy on a 2-core machine. */
async function limited<T>(jobs: Array<() => Promise<T>>, n = 3): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]!();
      }
    }),
  );
  return results;
}

for (const factory of servers) {
  describe.skipIf(!factory.available() || !zkCliShAvailable())(`zk-cli vs zkCli.sh on ${factory.name}`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await factory.start();
      await buildFixture(server.connectString);
    });
    afterAll(() => server?.stop());

    it("one command per process: same stdout, stderr and exit code", async () => {
      const jobs = ONE_SHOT.flatMap((cmd) => {
        const args = ["-server", server.connectString, ...cmd.split(" ")];
        return [() => runZkCliSh(args), () => runZkCli(args)];
      });
      const runs = await limited(jobs);
      ONE_SHOT.forEach((cmd, i) => {
        const [java, ts] = [runs[2 * i]!, runs[2 * i + 1]!];
        try {
          compare(java, ts);
        } catch (e) {
          throw new Error(`"${cmd}" differs: ${(e as Error).message}`);
        }
      });
      // Not two empty outputs: the comparison saw real answers and real failures.
      expect(runs[1]!.stdout).toContain("[a, acl, b, q, seq-0000000002]\n");
      expect(runs[5]!.stderr).toContain("Node does not exist: /nope");
      expect(runs.filter((_, i) => i % 2 === 1).map((r) => r.code)).toEqual([0, 0, 1, 1, 1, 127, 1, 0, 0, 0, 1]);
    }, 240_000);

    it("a chroot in -server applies to every path", async () => {
      const args = ["-server", `${server.connectString}/ro`, "ls", "-R", "/"];
      const [java, ts] = await Promise.all([runZkCliSh(args), runZkCli(args)]);
      compare(java, ts);
      expect(ts.stdout).toContain("\n/b/c\n");
    });

    it("a piped session of reads, history and redo: same output line for line", async () => {
      const input = SCRIPT_READONLY.join("\n") + "\n";
      const args = ["-server", server.connectString];
      const [java, ts] = await Promise.all([runZkCliSh(args, input), runZkCli(args, input)]);
      // "removewatches /ro" queues ChildWatchRemoved a few commands before "printwatches off".
      const removed = "WatchedEvent state:SyncConnected type:ChildWatchRemoved path:/ro";
      compare(java, ts, undefined, [removed]);
      expect(separateWatcherOutput(ts.stdout).events).toContain(removed);
      expect(ts.stdout).toContain("Welcome to ZooKeeper!\nJLine support is disabled\n");
      expect(ts.stdout).toContain("'digest,'alice:");
      expect(ts.stdout).toContain("Output quota for /ro/q count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1\n");
      // A successful redo takes the redone command's place in the history.
      expect(ts.stdout).toContain(`\n${SCRIPT_READONLY.indexOf("redo 1")} - ${SCRIPT_READONLY[1]}\n`);
    }, 60_000);

    it("an unchecked Java exception (a bad number) ends both shells the same way", async () => {
      const input = ["ls /ro", "delete -v x /ro/a", "ls /ro"].join("\n") + "\n";
      const args = ["-server", server.connectString];
      const [java, ts] = await Promise.all([runZkCliSh(args, input), runZkCli(args, input)]);
      compare(java, ts);
      expect(ts.code).toBe(1);
    });

    it("a piped session that writes, each client under its own root: same output with zxids, times and session ids masked", async () => {
      const args = ["-server", server.connectString];
      const java = await runZkCliSh(args, SCRIPT_WRITES("/w-java").join("\n") + "\n");
      const ts = await runZkCli(args, SCRIPT_WRITES("/w-ts").join("\n") + "\n");
      const unify = (s: string) => maskRunSpecific(s.replaceAll("w-ts", "w-java"));
      compare(java, ts, unify);
      expect(ts.stderr).toContain("Created /w-ts/s-0000000001");
    }, 60_000);
  });
}
