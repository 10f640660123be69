/**
 * Apache's zkCli.sh (the Java shell of ZooKeeper 3.8) against our server: every zkCli
 * command — create (-s -e -c -t), ls (-s -R -w), get (-s -w), set (-s -v), stat (-w),
 * delete (-v), deleteall (-b), getAcl (-s), setAcl (-s -v -R; digest, ip, world, auth and
 * unknown schemes), addauth, whoami, sync, addWatch (-m PERSISTENT and
 * PERSISTENT_RECURSIVE), removewatches (-c -d -a), getEphemerals, getAllChildrenNumber,
 * config (-s), setquota/listquota/delquota (-n -b -N -B), printwatches, version, reconfig,
 * close, connect — run as piped sessions (zkCli without a terminal reads commands from
 * stdin) and one command per process. The same scripts run against a fresh Apache
 * ZooKeeper 3.8 and a fresh server of ours print the same stdout and stderr, exit with
 * the same code and see the same watch events, with only times, session ids and the
 * port masked: zxids are compared as they are, since both servers start empty and see
 * the same transactions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_JVM_FLAGS, run, zkCliAvailable, ZKCLI_SH, type Finished } from "./support/processes.js";
import { interopServersAvailable, startBoth, type InteropServer, type ServerName } from "./support/servers.js";
import { expectSameTranscript } from "./support/transcript.js";

// digest:alice:pw, as DigestAuthenticationProvider.generateDigest("alice:pw") has it.
const ALICE = "digest:alice:V55/p2T0OpjQ+low3NVAH4aLvm0=";

/** The first session: builds /zk with every kind of node and runs every command on it. */
const SESSION_1 = (server: string) => [
  `create /zk ""`,
  "create /zk/p data",
  "create -s /zk/s- one",
  "create -s /zk/s- two",
  "create -e /zk/e eph",
  "create -s -e /zk/se- x",
  "create -c /zk/c",
  "create -t 60000 /zk/t ttl",
  "create -s -t 60000 /zk/ts- ttl",
  "create -c -e /zk/bad",
  "create -t 0 /zk/t0",
  "create -t 60000 -e /zk/t1",
  "create /zk/p",
  "create /zk/nope/child",
  "create zk-relative",
  "create /zk/e/child",
  `create /zk/acl data ${ALICE}:cdrwa,ip:127.0.0.1:r,world:anyone:r`,
  "create /zk/ipmask x ip:127.0.0.0/8:cdrwa",
  "create /zk/badacl x sasl:bob:r",
  "create /zk/authacl x auth::cdrwa",
  "ls /zk",
  "ls -s /zk",
  "ls -R /zk",
  "ls -R /",
  "ls -w /zk",
  "create /zk/trigger",
  "ls -R -w /zk/c",
  "create /zk/c/x",
  "get /zk/p",
  "get -s /zk/p",
  "get -w /zk/p",
  "set /zk/p v2",
  "set -s /zk/p v3",
  "set -v 1 /zk/p v4",
  "set -v 2 /zk/p v4",
  "set /zk/nope x",
  "stat /zk/p",
  "stat /zk/e",
  "stat /zk/t",
  "stat /zk/c",
  "stat -w /zk/p",
  "set /zk/p v5",
  "stat -w /zk/later",
  "create /zk/later",
  "stat /zk/nope",
  "delete -v 99 /zk/p",
  "delete /zk",
  "delete /zk/trigger",
  "delete /zk/nope",
  "delete -v 0 /zk/later",
  "getAcl /zk/acl",
  "getAcl -s /zk/acl",
  "getAcl /zk/ipmask",
  "getAcl /",
  "getAcl /zookeeper",
  "getAcl /zookeeper/config",
  "getAcl /zk/nope",
  "get /zk/acl",
  "set /zk/acl x",
  "setAcl /zk/p world:anyone:cdrwa",
  "setAcl -s /zk/p ip:127.0.0.1:cdrwa",
  "setAcl -v 99 /zk/p world:anyone:r",
  "setAcl -v 2 /zk/p world:anyone:cdrwa",
  "setAcl /zk/p bogus:scheme:r",
  "setAcl /zk/p ip:300.1.2.3:r",
  "setAcl /zk/nope world:anyone:r",
  "setAcl -R /zk/s-0000000001 world:anyone:cdrwa",
  "getAcl /zk/s-0000000001",
  "whoami",
  "addauth digest alice:pw",
  "whoami",
  "set /zk/acl x",
  "create /zk/authd x auth::cdrwa",
  "getAcl /zk/authd",
  "sync /zk",
  "sync /nope",
  "addWatch /zk/p",
  "addWatch -m PERSISTENT /zk/s-0000000001",
  "addWatch -m PERSISTENT_RECURSIVE /zk/c",
  "addWatch -m NOPE /zk/c",
  "set /zk/p x",
  "create /zk/p/child",
  "set /zk/s-0000000001 x",
  "create /zk/c/k",
  "get -w /zk/s-0000000002",
  "ls -w /zk/s-0000000002",
  "removewatches /zk/s-0000000002 -d",
  "removewatches /zk/s-0000000002 -c",
  "removewatches /zk/s-0000000002 -a",
  "removewatches /zk/p",
  "removewatches /zk/s-0000000001 -d",
  "removewatches /zk/nope",
  "getEphemerals",
  "getEphemerals /zk",
  "getEphemerals /zk/s",
  "getEphemerals /nope",
  "getAllChildrenNumber /zk",
  "getAllChildrenNumber /",
  "getAllChildrenNumber /nope",
  "config",
  "config -s",
  "get -s /zookeeper/config",
  "setquota -n 5 /zk/q",
  "create /zk/q",
  "setquota -n 5 /zk/q",
  "setquota -b 100 /zk/q",
  "setquota -N 2 /zk/q",
  "setquota -B 50 /zk/q",
  "setquota -n 3 /zk/q/a",
  "setquota -n 3 /zk",
  "listquota /zk/q",
  "create /zk/q/a",
  "create /zk/q/b",
  "create /zk/q/c",
  "set /zk/q xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  "listquota /zk/q",
  "ls -R /zookeeper/quota",
  "get /zookeeper/quota/zk/q/zookeeper_stats",
  "delquota -n /zk/q",
  "listquota /zk/q",
  "delquota -b /zk/q",
  "delquota -N /zk/q",
  "delquota -B /zk/q",
  "listquota /zk/q",
  "delquota /zk/q",
  "listquota /zk/q",
  "delquota /zk/q",
  "listquota /nope",
  "printwatches off",
  "printwatches",
  "set /zk/p quiet",
  "printwatches on",
  "version",
  "reconfig -add server.5=127.0.0.1:2888:3888;2181",
  "reconfig -remove 1",
  "deleteall /zk/s-0000000001",
  "deleteall /zk/q -b 2",
  "ls /zk",
  "deleteall /nope",
  "close",
  "ls /",
  `connect ${server}`,
  "ls /zk",
  "getEphemerals",
  "quit",
];

/** A later session: what the first one left behind, then an auth failure. */
const SESSION_2 = [
  "ls /zk",
  "stat /zk/t",
  "get -s /zk/ts-0000000007",
  "getEphemerals",
  "getAllChildrenNumber /zk",
  "deleteall /zk",
  "ls /",
  "addauth nosuchscheme x",
];
/**
 * Typed once zkCli has printed the AuthFailed event: addauth does not wait for the
 * server's answer, so a command typed at once races it (either "Not connected" or an
 * AuthFailed error, depending on which comes first, with either server).
 */
const AFTER_AUTH_FAILED = ["ls /"];

/** A session under a chroot (-server host:port/chroot): every path is relative to it. */
const CHROOTED = [
  "ls /",
  "create /x data",
  "create -e /eph",
  "create -s /seq- s",
  "ls -R /",
  "get -s /x",
  "stat /",
  "getEphemerals",
  "getEphemerals /",
  "getAllChildrenNumber /",
  "addWatch /x",
  "set /x y",
  "delete /x",
  "sync /",
  "deleteall /seq-0000000002",
  "ls /",
];

/** One zkCli process per command: the exit codes. */
const ONE_SHOT: string[][] = [
  ["ls", "/"],
  ["get", "/nope"],
  ["create", "/oneshot", "x"],
  ["create", "/oneshot", "x"],
  ["get", "-s", "/oneshot"],
  ["delete", "/oneshot"],
  ["bogus"],
  ["whoami"],
  ["-waitforconnection", "ls", "/zookeeper"],
];

/** Masks what two servers cannot share: times, session ids, ports. */
function normalize(text: string, port: number): string {
  return text
    .replaceAll(`127.0.0.1:${port}`, "127.0.0.1:PORT")
    .replace(/^([cm]time) = .*$/gm, "$1 = <time>")
    // A session id (fewer than 16 hex digits in standalone); TTL and container owners,
    // which fill the top byte, stay as they are.
    .replace(/^ephemeralOwner = 0x[0-9a-f]{1,15}$/gm, (m) => (m.endsWith(" = 0x0") ? m : "ephemeralOwner = <session>"));
}

/**
 * zkCli prints each watch event from its event thread as two lines, each with a blank
 * line before it (`printMessage("WATCHER::")`, then `printMessage(event)`), racing the main
 * thread's output: the events' order is the server's, their position among the command
 * output is not, and the main thread may print between the two halves. So both halves
 * are taken out, each with its own leading newline, wherever they are.
 *
 * Connection-state events (type:None: SyncConnected, Closed) are left out of the
 * comparison: whether the JVM prints them before System.exit at the end of input is a
 * race inside the client, with either server. The tests check the one that matters
 * (AuthFailed) by waiting for it.
 */
function splitEvents(stdout: string): { text: string; events: string[]; states: string[] } {
  const all: string[] = [];
  const text = stdout.replace(/\nWATCHER::\n/g, "").replace(/\n(WatchedEvent [^\n]*)\n/g, (_m, e: string) => {
    all.push(e);
    return "";
  });
  return { text, events: all.filter((e) => !e.includes(" type:None ")), states: all.filter((e) => e.includes(" type:None ")) };
}

/** Drops what the JVM prints on its own: SLF4J's complaints and stack frames. */
function cleanStderr(stderr: string): string {
  return stderr
    .split("\n")
    .filter((l) => !l.startsWith("SLF4J:") && !/^\s+at /.test(l))
    .join("\n");
}

interface Shell {
  text: string;
  events: string[];
  /** Connection-state events, which only some runs print (see splitEvents). */
  states: string[];
  stderr: string;
  code: number | null;
}

/**
 * Runs zkCli.sh with commands on stdin. `then.lines` are typed only after stdout shows a
 * line matching `then.after`, and stdin closes after them.
 */
async function zkCli(server: InteropServer, args: string[], input = "", then?: { after: RegExp; lines: string[] }): Promise<Shell> {
  let typed = false;
  const r: Finished = await run(ZKCLI_SH, ["-server", server.connectString, ...args], {
    input,
    keepStdinOpen: then !== undefined,
    timeoutMs: 90_000,
    env: { CLIENT_JVMFLAGS: CLIENT_JVM_FLAGS.join(" ") },
    onLine: then
      ? (line, stdin) => {
          if (typed || !then.after.test(line)) return;
          typed = true;
          stdin.end(then.lines.map((l) => l + "\n").join(""));
        }
      : undefined,
  });
  const { text, events, states } = splitEvents(normalize(r.stdout, server.port));
  return { text, events, states, stderr: normalize(cleanStderr(r.stderr), server.port), code: r.code };
}

function expectSameShell(ours: Shell, apache: Shell, what: string): void {
  expectSameTranscript(ours.text, apache.text, `${what}: stdout`);
  expectSameTranscript(ours.stderr, apache.stderr, `${what}: stderr`);
  expect(ours.events, `${what}: watch events`).toEqual(apache.events);
  expect(ours.code, `${what}: exit code`).toBe(apache.code);
}

describe.skipIf(!zkCliAvailable() || !interopServersAvailable())("Apache's zkCli.sh against our server", () => {
  let servers: Record<ServerName, InteropServer>;
  const session1 = {} as Record<ServerName, Shell>;
  const session2 = {} as Record<ServerName, Shell>;
  const chrooted = {} as Record<ServerName, Shell>;

  beforeAll(async () => {
    servers = await startBoth();
    // The sessions run in order on each server; the two servers in parallel.
    await Promise.all(
      (["apache", "ours"] as const).map(async (name) => {
        const s = servers[name];
        session1[name] = await zkCli(s, [], SESSION_1(s.connectString).join("\n") + "\n");
        await zkCli(s, [], "create /chroot\n");
        chrooted[name] = await zkCli({ ...s, connectString: `${s.connectString}/chroot` }, [], CHROOTED.join("\n") + "\n");
        session2[name] = await zkCli(s, [], SESSION_2.join("\n") + "\n", { after: /state:AuthFailed/, lines: AFTER_AUTH_FAILED });
      }),
    );
  }, 180_000);
  afterAll(async () => {
    await Promise.all(Object.values(servers ?? {}).map((s) => s.dispose()));
  });

  it("a piped session running every command prints the same as against Apache ZooKeeper 3.8", () => {
    expectSameShell(session1.ours, session1.apache, "session 1");
  });

  it("the reference session really ran every command (not two empty outputs)", () => {
    const a = session1.apache;
    expect(a.text).toContain("[acl, c, e, ipmask, p, s-0000000001, s-0000000002, se-0000000004, t, ts-0000000007]\n");
    expect(a.text).toContain("Output quota for /zk/q count=5,bytes=100=;byteHardLimit=50;countHardLimit=2\n");
    expect(a.text).toContain("'ip,'127.0.0.0/8\n: cdrwa\n");
    expect(a.text).toContain("Auth scheme: User\nip: 127.0.0.1\ndigest: alice\n");
    expect(a.text).toContain("Not connected\n");
    expect(a.stderr).toContain("KeeperErrorCode = Reconfig is disabled");
    expect(a.stderr).toContain("Insufficient permission : /zk/acl");
    expect(a.stderr).toContain("KeeperErrorCode = InvalidACL for /zk/badacl");
    expect(a.stderr).toContain("/zk has a child /zk/q which has a quota");
    expect(a.events).toContain("WatchedEvent state:SyncConnected type:NodeCreated path:/zk/c/k");
    expect(a.events).toContain("WatchedEvent state:SyncConnected type:NodeDataChanged path:/zk/s-0000000001");
    expect(a.events).toContain("WatchedEvent state:SyncConnected type:PersistentWatchRemoved path:/zk/p");
    expect(a.events).toContain("WatchedEvent state:SyncConnected type:ChildWatchRemoved path:/zk/s-0000000002");
    expect(a.events).toContain("WatchedEvent state:SyncConnected type:NodeCreated path:/zk/later");
  });

  it("a second session sees what the first left (ephemerals gone, TTL and container nodes kept) and fails auth the same way", () => {
    expectSameShell(session2.ours, session2.apache, "session 2");
    for (const run of [session2.apache, session2.ours]) expect(run.states).toContain("WatchedEvent state:AuthFailed type:None path:null");
    // A TTL node reports owner 0 to clients, as a container does (DataNode.copyStat).
    expect(session2.apache.text).toContain("[acl, authd, c, ipmask, p, s-0000000002, t, ts-0000000007]\n");
    expect(session2.apache.text).toMatch(/\nNot connected\n$/);
  });

  it("a session under a chroot prints the same, paths relative to the chroot", () => {
    expectSameShell(chrooted.ours, chrooted.apache, "chroot session");
    expect(chrooted.apache.text).toContain("\n/\n/eph\n/seq-0000000002\n/x\n");
    expect(chrooted.apache.events).toContain("WatchedEvent state:SyncConnected type:NodeDataChanged path:/x");
  });

  it("one command per process: same output and exit code", async () => {
    // In order on each server (create, then delete, /oneshot); the two servers in parallel.
    const inOrder = async (s: InteropServer) => {
      const out: Shell[] = [];
      for (const cmd of ONE_SHOT) out.push(await zkCli(s, cmd));
      return out;
    };
    const [apacheRuns, ourRuns] = await Promise.all([inOrder(servers.apache), inOrder(servers.ours)]);
    ONE_SHOT.forEach((cmd, i) => expectSameShell(ourRuns[i]!, apacheRuns[i]!, `zkCli ${cmd.join(" ")}`));
    expect(apacheRuns.map((r) => r.code)).toEqual([0, 1, 0, 1, 0, 0, 127, 0, 0]);
  }, 120_000);
});
