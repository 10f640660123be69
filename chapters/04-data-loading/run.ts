/**
 * Chapter 04's example: a cold start after a crash, on a real server (bin/zk-server.js,
 * zoo.cfg from this folder, snapCount=2 so that snapshots and log files pile up).
 * Run with `npm run chapter -- data-loading`. Ctrl-C stops it between two steps; the
 * server is killed and the temp directories removed either way.
 *
 *   1. start, write with two sessions (B holds an ephemeral), list what is on disk
 *   2. kill -9 the server; B's client goes away too; corrupt the newest snapshot
 *   3. restart: the corrupt snapshot is skipped, an older one is loaded, the log replayed
 *   4. A's session survived; B's ephemeral is back, until B's restored session expires
 *   5. no snapshot at all: the server refuses, unless snapshot.trust.empty says otherwise
 *   6. the epoch files a quorum peer keeps beside its snapshots (T30)
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { EventType } from "../../src/jute/Watcher.js";
import { getLogFiles } from "../../src/persistence/FileTxnIterator.js";
import { ACCEPTED_EPOCH_FILENAME, CURRENT_EPOCH_FILENAME, loadEpochs, writeLongToFile } from "../../src/startup/QuorumPeerEpochs.js";
import { formatZxid } from "../../src/trace/index.js";
import { makeZxid } from "../../src/util/ZxidUtils.js";
import type { ZooKeeper } from "../../src/client/ZooKeeper.js";
import { listVersion2, readLog } from "../support/diskFormat.js";
import { connectClient, exampleHome, narrator, serverLines } from "../support/narration.js";
import { ask, chapterConfig, pickPort, startServer, writeConfig, type ServerChild } from "../support/serverProcess.js";

const TEMPLATE = join(import.meta.dirname, "zoo.cfg");
const RESTORE = /Reading snapshot|problem reading snap|Removing unfinished|torn tail|txns loaded|Snapshot loaded|Snapshotting|No snapshot found|Invalid config|exiting|Unable to load/;

export default async function run(signal: AbortSignal): Promise<void> {
  const { say, step, show } = narrator(signal);
  const { home, dataDir, v2, dispose } = exampleHome("zk-chapter04-");
  let server: ServerChild | null = null;
  const clients: ZooKeeper[] = [];
  const client = async (port: number, timeoutMs: number) => {
    const zk = await connectClient(`127.0.0.1:${port}`, timeoutMs);
    clients.push(zk);
    return zk;
  };
  try {
    // 1 ------------------------------------------------------------------------------
    await step("1. Start a server, write with two sessions");
    const port = await pickPort();
    const config = writeConfig(TEMPLATE, home, dataDir, port);
    server = await startServer(config, port);
    await say(`zk-server serving on 127.0.0.1:${port} (tickTime=1000, snapCount=2), data in ${dataDir}`);
    const a = await client(port, 30000);
    // 4 s, not less: after the restart A reconnects by itself (1.1 to 2.1 s, chapter 09)
    // and must watch B's node before B's restored session expires.
    const b = await client(port, 4000);
    await say(`session A ${hex(a.getSessionId())} (timeout 30 s), session B ${hex(b.getSessionId())} (timeout 4 s)`);
    await a.create("/app", "config v1");
    await a.create("/app/workers", "");
    await a.create("/app/workers/w1", "");
    await a.create("/app/workers/w2", "");
    await b.create("/app/leader", "B", undefined, CreateMode.EPHEMERAL);
    await a.setData("/app", "config v2");
    await say('A: create /app, /app/workers, /app/workers/w1, /app/workers/w2; B: create /app/leader (ephemeral); A: setData /app "config v2"');
    await settle(v2);
    await say("on disk now (every second txn rolled the log and started a snapshot in the background):");
    show(describeDir(v2));
    if (signal.aborted) return;

    // 2 ------------------------------------------------------------------------------
    await step("2. Crash: kill -9 the server, lose client B, corrupt the newest snapshot");
    await server.kill9();
    await say(`kill -9 ${server.pid}: whatever was acknowledged is in the log, fsynced`);
    await b.close();
    await say("client B closes while the server is down: no closeSession reaches the log, so B's session is still open on disk");
    const snaps = listVersion2(v2).filter((f) => f.name.startsWith("snapshot."));
    const newest = snaps[snaps.length - 1]!;
    const bytes = readFileSync(join(v2, newest.name));
    // One changed byte inside a znode's data: every length still parses, only the
    // checksum can tell. (A flipped length byte would fail even earlier, while parsing.)
    const at = bytes.indexOf("config v") + "config ".length;
    const text = bytes.toString("latin1", at - 7, at + 2);
    bytes[at] = "V".charCodeAt(0);
    writeFileSync(join(v2, newest.name), bytes);
    await say(`${newest.name}: changed "${text}" to "${bytes.toString("latin1", at - 7, at + 2)}" at @${at}, as a bad disk block might; the file still parses`);
    if (signal.aborted) return;

    // 3 ------------------------------------------------------------------------------
    await step("3. Restart: newest valid snapshot, then the log from its zxid + 1");
    const restart = Date.now();
    server = await startServer(config, port);
    for (const l of serverLines(server, RESTORE)) await say(`server: ${l}`);
    // The last snapshot the server tried is the one it loaded.
    const used = serverLines(server, /Reading snapshot/).pop()?.replace(/.*Reading snapshot /, "");
    if (used !== undefined) {
      const from = BigInt("0x" + used.split(".")[1]) + 1n;
      const logs = getLogFiles(listVersion2(v2).map((f) => f.name), from).filter((n) => n !== `log.${(from + 2n).toString(16)}`);
      await say(`${used} loaded; replay from ${formatZxid(from)} read ${logs.join(" and ")}: the newest log starting at or before that zxid, and every later one`);
    }
    const mntr = await ask(port, "mntr");
    const mismatches = /zk_digest_mismatches_count\s+(\d+)/.exec(mntr)?.[1];
    await say(`mntr: zk_digest_mismatches_count ${mismatches}: the replayed tree matched every digest logged with its txns`);
    if (signal.aborted) return;

    // 4 ------------------------------------------------------------------------------
    await step("4. The sessions came back with the data");
    await a.sync("/");
    await say(`client A reconnected by itself, still session ${hex(a.getSessionId())}: the session table is part of the snapshot`);
    const { data } = await a.getData("/app");
    const workers = await a.getChildren("/app/workers");
    await say(`getData /app → "${data?.toString()}", getChildren /app/workers → [${workers.sort().join(", ")}]`);
    const gone = new Promise<number>((resolve) => {
      void a.exists("/app/leader", (e) => {
        if (e.type === EventType.NodeDeleted) resolve(Date.now() - restart);
      });
    });
    const leader = await a.getData("/app/leader").catch(() => null);
    await say(`/app/leader is ${leader === null ? "gone" : `back, owned by ${hex(leader.stat.ephemeralOwner)} (B)`}: B's session was restored too, with a fresh 4 s timeout`);
    const ms = await Promise.race([gone, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    await say(ms === null ? "B's session did not expire within 15 s (unexpected)" : `NodeDeleted /app/leader ${(ms / 1000).toFixed(1)} s after the restart: B never came back, its session expired (4 s, checked once per tick), and the closeSession txn deleted its ephemeral`);
    if (signal.aborted) return;

    // 5 ------------------------------------------------------------------------------
    await step("5. Every snapshot gone: refuse, or trust the log (T16)");
    await server.stop();
    const aside = join(home, "snapshots-aside");
    mkdirSync(aside);
    for (const f of listVersion2(v2).filter((x) => x.name.startsWith("snapshot."))) renameSync(join(v2, f.name), join(aside, f.name));
    await say(`moved every snapshot out of version-2/; the logs still start at ${listVersion2(v2)[0]?.name}`);
    server = null;
    const refused = await startServer(config, port).then(
      (s) => {
        server = s;
        return null;
      },
      (e: Error) => e.message,
    );
    for (const l of (refused ?? "").split("\n").filter((x) => /No snapshot found/.test(x)).slice(0, 1)) await say(`server: ${shorten(l)}`);
    const code = /exited with code (\d+)/.exec(refused ?? "")?.[1];
    await say(refused === null ? "the server started (unexpected)" : `zk-server exits with code ${code} instead of serving: a log without a snapshot means files were lost`);
    if (server === null) {
      const trusting = join(home, "zoo-trust.cfg");
      writeFileSync(trusting, chapterConfig(config, { "snapshot.trust.empty": "true" }));
      server = await startServer(trusting, port);
      await say("with snapshot.trust.empty=true in zoo.cfg (zookeeper.snapshot.trust.empty, meant for upgrades from 3.4):");
      for (const l of serverLines(server, /No snapshot found|txns loaded|Snapshotting/)) await say(`server: ${l}`);
      const again = await a.getData("/app");
      await say(`getData /app → "${again.data?.toString()}": rebuilt from the whole log, from 0:1 on`);
    }
    if (signal.aborted) return;

    // 6 ------------------------------------------------------------------------------
    await step("6. The epoch files of a quorum peer (T30)");
    await say("A standalone server does not keep them; a quorum peer reads them right after loadDataBase. On a scratch directory:");
    const scratch = join(home, "epochs");
    mkdirSync(scratch);
    const last = makeZxid(3n, 7n);
    let e = loadEpochs(scratch, last);
    await say(`no files, last zxid ${formatZxid(last)}: ${CURRENT_EPOCH_FILENAME}=${e.currentEpoch} and ${ACCEPTED_EPOCH_FILENAME}=${e.acceptedEpoch} written (the upgrade path)`);
    writeLongToFile(scratch, CURRENT_EPOCH_FILENAME, 2n);
    await say(`${CURRENT_EPOCH_FILENAME}=2 with a last zxid of epoch 3: ${attempt(() => loadEpochs(scratch, last))}`);
    writeLongToFile(scratch, CURRENT_EPOCH_FILENAME, 4n);
    await say(`${CURRENT_EPOCH_FILENAME}=4, ${ACCEPTED_EPOCH_FILENAME}=3: ${attempt(() => loadEpochs(scratch, last))}`);
    writeLongToFile(scratch, ACCEPTED_EPOCH_FILENAME, 5n);
    e = loadEpochs(scratch, last);
    await say(`${CURRENT_EPOCH_FILENAME}=${e.currentEpoch}, ${ACCEPTED_EPOCH_FILENAME}=${e.acceptedEpoch}: accepted ≥ current ≥ epoch of the last zxid, the peer may go on`);
    await step("Done");
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    await (server as ServerChild | null)?.kill9();
    dispose();
  }
}

function hex(id: bigint): string {
  return "0x" + BigInt.asUintN(64, id).toString(16);
}

function shorten(line: string): string {
  return line.replace(/^(\w+)\s+\[(\w+)\] - /, "$2: ");
}

function attempt(fn: () => unknown): string {
  try {
    fn();
    return "accepted";
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}

/** Waits until no snapshot is being written (a background snapshot may still run after the last reply). */
async function settle(v2: string): Promise<void> {
  for (let i = 0; i < 100 && listVersion2(v2).some((f) => f.name.startsWith("tmp.")); i++) await new Promise((r) => setTimeout(r, 20));
}

/** Each file with what it holds: a log's zxid range, a snapshot's zxid. */
function describeDir(v2: string): string[] {
  return listVersion2(v2).map((f) => {
    if (f.name.startsWith("log.")) {
      const log = readLog(join(v2, f.name));
      const zxids = log.entries.map((e) => formatZxid(e.entry.hdr.zxid));
      return `${f.name.padEnd(14)} txns ${zxids.join(", ")}`;
    }
    if (f.zxid === 0n) return `${f.name.padEnd(14)} the empty tree, written before the server first served`;
    return `${f.name.padEnd(14)} started after ${formatZxid(f.zxid)} was applied (may hold later txns: fuzzy)`;
  });
}
