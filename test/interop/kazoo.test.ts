/**
 * kazoo (Debian's python3-kazoo 2.8) against our server: a script
 * (python/kazoo_transcript.py) runs every operation kazoo has — create with ephemeral,
 * sequence, makepath and include_data (create2), ensure_path, exists, get, get_children
 * with include_data, set, delete (recursive), sync, transactions with a failing op,
 * ACLs (digest, ip, world, auth) and add_auth, plain watches, DataWatch and
 * ChildrenWatch, the `envi` and `ruok` commands — and its recipes (Lock, ReadLock and
 * WriteLock, Semaphore, Election, Counter, Queue, LockingQueue, Barrier, DoubleBarrier,
 * Party, ShallowParty), printing a transcript. Against Apache ZooKeeper 3.8 and against
 * ours (as a process) the transcripts are equal line for line.
 *
 * kazoo writes every empty string as a null string (length -1), so this suite is also
 * where nulls in requests meet the server: kazoo's own CREATOR_ALL_ACL is Id("auth", "").
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEBIAN_PYTHON, kazooAvailable, run, type Finished } from "./support/processes.js";
import { interopServersAvailable, startBoth, type InteropServer, type ServerName } from "./support/servers.js";
import { expectRanToEnd, expectSameTranscript, INTERNAL_ERROR } from "./support/transcript.js";

const SCRIPT = join(import.meta.dirname, "python", "kazoo_transcript.py");

describe.skipIf(!kazooAvailable() || !interopServersAvailable())("kazoo against our server", () => {
  let servers: Record<ServerName, InteropServer>;
  const runs = {} as Record<ServerName, Finished>;

  beforeAll(async () => {
    servers = await startBoth();
    await Promise.all(
      (["apache", "ours"] as const).map(async (name) => {
        runs[name] = await run(DEBIAN_PYTHON, [SCRIPT, servers[name].connectString], { timeoutMs: 120_000 });
      }),
    );
  }, 180_000);
  afterAll(async () => {
    await Promise.all(Object.values(servers ?? {}).map((s) => s.dispose()));
  });

  it("runs to the end against Apache ZooKeeper 3.8 (the reference transcript is complete)", () => {
    expectRanToEnd(runs.apache);
  });

  it("runs to the end against ours, without errors inside our server", () => {
    expectRanToEnd(runs.ours);
    expect(servers.ours.output()).not.toMatch(INTERNAL_ERROR);
  });

  it("prints the same transcript against ours as against Apache ZooKeeper 3.8", () => {
    expectSameTranscript(runs.ours.stdout, runs.apache.stdout, "kazoo's transcript");
  });

  it("the transcript exercised what it claims: a failed transaction, watches, recipes", () => {
    const t = runs.apache.stdout;
    for (const line of [
      "server_version (envi) -> (3, 8, 0)\n",
      "transaction with a failing op -> [RolledBackError, BadVersionError, RuntimeInconsistency]\n",
      "create with auth ACL -> '/k/mine'\n",
      "ChildrenWatch: ['[] None', \"['x'] CHILD:CONNECTED:/k/cw\", \"['x', 'y'] CHILD:CONNECTED:/k/cw\", \"['y'] CHILD:CONNECTED:/k/cw\"]\n",
      "Lock other client times out -> raised LockTimeout\n",
      "Queue get x3 -> [b'urgent', b'one', b'two']\n",
      "ephemeral gone: ['DELETED:CONNECTED:/k/e']\n",
      "root after -> ['zookeeper']\n",
    ]) {
      expect(t).toContain(line);
    }
  });
});
