/**
 * Chapter 03's example: starts `bin/zk-server.js` on a copy of chapters/03-startup/zoo.cfg
 * as its own process, the way an operator runs it, and narrates what happens: the
 * server's startup log line by line, the four-letter words and the AdminServer, two
 * clients' connect handshakes, a bad zoo.cfg line, a refused ensemble config, and a
 * clean stop. Run with `npm run chapter -- startup`.
 *
 * Ctrl-C stops it at the next step: the server is stopped (or killed, if it does not stop
 * within a few seconds) and the temporary directory is removed, whatever happened before.
 * Output is paced on a terminal (ZK_CHAPTER_DELAY_MS overrides it, 0 in tests).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ZooKeeper } from "../../src/client/ZooKeeper.js";
import { formatSessionId, formatZxid } from "../../src/trace/index.js";
import { getLogLevel, setLogLevel } from "../../src/util/Logger.js";
import { connectClient, narrator } from "../support/narration.js";
import { ask, chapterConfig, pickPort, startServer, type ServerChild } from "../support/serverProcess.js";
import { sessionIdParts, tempHome } from "./scenarios.js";

const ZK_SERVER = resolve(import.meta.dirname, "../../bin/zk-server.js");

class Stopped extends Error {}

/** What a server log line means, for the lines worth a sentence. Each is explained once, at its first match. */
const EXPLAINED: ReadonlyArray<[RegExp, string]> = [
  [/autopurge\.snapRetainCount set to/, "QuorumPeerMain parsed zoo.cfg and built the DatadirCleanupManager before knowing the mode: both modes purge alike"],
  [/autopurge\.purgeInterval set to (\d+)/, "hours between purges; 0 would mean none is ever scheduled (T27)"],
  [/running in standalone mode/, "no server.N lines, so isDistributed() is false (T25): standalone, ZooKeeperServerMain.runFromConfig"],
  [/Starting server/, "runFromConfig: metrics, admin server, transaction log and snapshots, server, client port, container manager"],
  [/NIO factory would use/, "T29: the threads Java's NIOServerCnxnFactory would size for this machine; here one event loop serves every socket"],
  [/Purge task started/, "the first purge runs at once (a Timer at fixed rate from delay 0), the next one in an hour"],
  [/snapshot\.trust\.empty/, "a FileTxnSnapLog opened on dataDir/version-2 (the purge task opens its own)"],
  [/Created server with/, "new ZooKeeperServer: the session bounds are 2 and 20 ticks since zoo.cfg sets neither"],
  [/Started AdminServer/, "the AdminServer: JSON commands over HTTP (Jetty in Java, node:http here)"],
  [/Purge task completed/, "nothing to purge in an empty data dir"],
  [/Snapshotting: 0x0/, "an empty data dir: restore writes snapshot.0 (T15), and loadData writes its clean snapshot over it"],
  [/Snapshot loaded in/, "ZKDatabase.loadDataBase is done: the tree and the sessions as of the highest zxid (chapter 04)"],
  [/Snapshot taken in/, "loadData's clean snapshot: what a restart will load first"],
  [/binding to port/, "ServerCnxnFactory binds the client port before the database loads, as Java does: a taken port stops the start here"],
  [/Using checkIntervalMs/, "ContainerManager: once a minute, delete empty container nodes and expired TTL nodes"],
  [/Processing srvr command/, "this example polls srvr until it prints a Mode (ruok says imok already while the database loads)"],
  [/Processing (\w{4}) command/, "a four-letter word: the first four bytes of a connection, where a frame length would be"],
  [/Creating new log file: log\.(\w+)/, "the first txn opens the transaction log, named after its first zxid (chapter 02)"],
  [/Closed socket connection .* which had sessionid/, "the client closed its session: a closeSession txn went through Prep → Sync → Final first"],
  [/Received shutdown signal/, "SIGTERM: ZooKeeperServerMain's shutdown, in reverse order"],
  [/shutdown of request processor complete/, "the processor chain is drained and stopped"],
  [/Shutting down purge task/, "the purge timer is cancelled"],
  [/Exiting normally/, "exit code 0 (ExitCode.EXECUTION_FINISHED)"],
];

/** Reads a server's log as it grows: each call gives the lines since the last one, explained. */
function logReader(server: ServerChild): () => string[] {
  let shown = 0;
  const explained = new Set<RegExp>();
  return () => {
    const all = server.lines();
    const out: string[] = [];
    for (const line of all.slice(shown)) {
      out.push(`| ${line}`);
      const hit = EXPLAINED.find(([re]) => re.test(line) && !explained.has(re));
      if (hit) {
        explained.add(hit[0]);
        out.push(`|     ^ ${hit[1]}`);
      }
    }
    shown = all.length;
    return out;
  };
}

/** `node bin/zk-server.js <cfg>` to its end: its exit code and what it printed. */
function runToExit(cfg: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [ZK_SERVER, cfg], { encoding: "utf8", env: { ...process.env, ZK_LOG_LEVEL: "OFF" }, timeout: 30_000 });
  return { code: r.status, out: (r.stdout + r.stderr).trim() };
}

/** The wall time whose low 40 bits are `bits`: the latest one not after now. */
function clockBitsToTime(bits: bigint): number {
  const span = 2 ** 40;
  const now = Date.now();
  const t = now - (now % span) + Number(bits);
  return t > now ? t - span : t;
}

export default async function run(signal: AbortSignal): Promise<void> {
  const { step, say, show } = narrator(signal);
  const home = tempHome("zk-ch03-");
  const clients: ZooKeeper[] = [];
  let server: ServerChild | null = null;
  let newLog: () => string[] = () => [];
  // The clients run in this process: keep their connection chatter out of the narration.
  const logLevel = getLogLevel();
  setLogLevel("WARN");

  const check = () => {
    if (signal.aborted) throw new Stopped();
  };
  /** Prints the server's log lines that came in, after giving them a moment to arrive. */
  const showLog = async (settleMs = 150) => {
    await sleep(settleMs);
    check();
    show(newLog());
  };
  const port = await pickPort();
  const adminPort = await pickPort();
  const fourLetters = async (word: string, keep?: (line: string) => boolean) => {
    check();
    const all = (await ask(port, word)).trimEnd().split("\n");
    const shown = keep ? all.filter(keep) : all;
    const more = all.length - shown.length;
    show([`$ echo ${word} | nc 127.0.0.1 ${port}`, ...shown.map((l) => `  ${l}`), ...(more > 0 ? [`  (${more} more lines)`] : [])]);
  };

  try {
    const dataDir = join(home.dir, "data");
    mkdirSync(dataDir);
    const cfg = join(home.dir, "zoo.cfg");
    writeFileSync(cfg, chapterConfig(join(import.meta.dirname, "zoo.cfg"), { dataDir, clientPort: port, "admin.serverPort": adminPort }));

    await step("Starting zk-server");
    await say(`chapters/03-startup/zoo.cfg copied to ${cfg}, with dataDir, clientPort=${port} and admin.serverPort=${adminPort} moved there.`);
    show([`$ node bin/zk-server.js ${cfg}`]);
    const t0 = performance.now();
    server = await startServer(cfg, port);
    const ms = Math.round(performance.now() - t0);
    newLog = logReader(server);
    await showLog(0);
    await say(`serving after ${ms} ms, process start included: bin/bundle.js imports one pre-built file, not ~100 TypeScript sources.`);

    await step("Four-letter words");
    await say("Each is the first four bytes of a connection; the answer is written and the connection closed.");
    await fourLetters("ruok");
    await fourLetters("srvr");
    await fourLetters("conf");
    await fourLetters("mntr", (l) => /^zk_(version|server_state|znode_count|num_alive_connections|outstanding_requests|avg_latency|open_file_descriptor_count|uptime)\b/.test(l));
    await say("dump is not in 4lw.commands.whitelist:");
    await fourLetters("dump");
    const admin = await fetch(`http://127.0.0.1:${adminPort}/commands/ruok`).then((r) => r.text());
    await say(`The AdminServer answers every command as JSON:`);
    show([`$ curl http://127.0.0.1:${adminPort}/commands/ruok`, ...admin.split("\n").map((l) => `  ${l}`)]);
    await showLog();

    await step("A client connects");
    await say("src/client's ZooKeeper asks for a 60000 ms session; the server answers with the session id, the timeout it grants and a password.");
    for (const n of [1, 2]) {
      check();
      const zk = await connectClient(`127.0.0.1:${port}`, 60000);
      clients.push(zk);
      const id = zk.getSessionId();
      const parts = sessionIdParts(id);
      await say(`client ${n}: session ${formatSessionId(id)}, negotiated timeout ${zk.getSessionTimeout()} ms, password ${zk.getSessionPasswd().length} bytes`);
      await say(`          server id ${parts.serverId} | clock bits 0x${parts.timeBits.toString(16)} | counter ${parts.counter}`);
    }
    const started = new Date(clockBitsToTime(sessionIdParts(clients[0]!.getSessionId()).timeBits)).toISOString();
    await say("60000 was clamped to maxSessionTimeout = 20 × tickTime = 40000.");
    await say(`The clock bits are the low 40 bits of the server's clock when its SessionTracker started (${started});`);
    await say("the counter counts the sessions created since. Each session was a createSession txn:");
    check();
    const { stat } = await clients[0]!.create("/chapter03", "hello");
    await say(`client 1: create /chapter03 -> zxid ${formatZxid(stat.czxid)} (0:1 and 0:2 are the two createSession txns)`);
    await fourLetters("cons");
    await Promise.all(clients.splice(0).map((zk) => zk.close()));
    await showLog(300);

    await step("A bad zoo.cfg line");
    await say("zk-server names the file, the line and the key, and exits with 2 (zkServer.sh's INVALID_INVOCATION).");
    const bad = join(home.dir, "bad.cfg");
    writeFileSync(bad, `# tickTime is in milliseconds, without a unit\ndataDir=${dataDir}\ntickTime=2s\nclientPort=${port}\n`);
    const badRun = runToExit(bad);
    show([`$ node bin/zk-server.js ${bad}`, `  ${badRun.out}`, `  exit code ${badRun.code}`]);

    await step("An ensemble config");
    await say("Quorum mode needs chapters 05–08; this build says so and exits with 3 instead of running standalone.");
    const ensembleDir = join(home.dir, "ensemble");
    mkdirSync(ensembleDir);
    writeFileSync(join(ensembleDir, "myid"), "1\n");
    const ensemble = join(home.dir, "ensemble.cfg");
    const servers = [1, 2, 3].map((i) => `server.${i}=127.0.0.1:${2887 + i}:${3887 + i}`);
    writeFileSync(ensemble, [`tickTime=2000`, `initLimit=10`, `syncLimit=5`, `dataDir=${ensembleDir}`, `clientPort=${port}`, ...servers, ""].join("\n"));
    const ensembleRun = runToExit(ensemble);
    show([`$ node bin/zk-server.js ${ensemble}`, `  ${ensembleRun.out}`, `  exit code ${ensembleRun.code}`]);

    await step("Stopping");
    await say("SIGTERM, as zkServer.sh stop sends it.");
    const code = await server.stop();
    await showLog();
    await say(`zk-server exited with ${code}`);
  } catch (e) {
    if (!(e instanceof Stopped) && !signal.aborted) throw e;
  } finally {
    await Promise.all(clients.map((zk) => zk.close().catch(() => undefined)));
    await server?.stop();
    home.remove();
    setLogLevel(logLevel);
  }
}
