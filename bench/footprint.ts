/**
 * The footprint row: how much memory a server holds for a million znodes, and how long
 * a restart takes until they are served again.
 *
 * 1. Start the server on a fresh data dir (same zoo.cfg as the load rows, fsync on).
 * 2. Load `znodes` znodes of `valueSize` bytes, 1,000 per parent (/fp/d0000/n000000 …),
 *    pipelined over 8 sessions with 100 requests each in flight (800, under the servers'
 *    globalOutstandingLimit of 1000), then create /fp/last.
 * 3. Wait SETTLE_MS for the GC to settle, then read VmRSS from /proc/<pid>/status.
 * 4. Stop the server (SIGTERM), start it again on the same data dir, and time from the
 *    spawn until `getData /fp/last` succeeds: process start, snapshot load, log replay
 *    and the snapshot both servers take after loading, as a client sees it (the launcher
 *    polls `srvr` every 50 ms until the server reports a mode, then we ask for the znode). Since a restored database is a prefix of what was
 *    written, /fp/last being there means every znode before it is too.
 */
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { createFrame, getDataFrame, valueOf } from "./frames.js";
import { rssBytes } from "./procstat.js";
import { makeHome, startServer, type ServerKind } from "./servers.js";
import { Session } from "./session.js";

export interface FootprintResult {
  server: ServerKind;
  znodes: number;
  valueSize: number;
  /** Seconds the load took, and its rate (creates/s, fsync on, 800 in flight). */
  loadSeconds: number;
  loadOpsPerSec: number;
  /** RSS of the idle server before the load, and after it (after SETTLE_MS), in MB. */
  rssIdleMB: number | null;
  rssMB: number | null;
  /** Size of the data dir (snapshots + logs) after the load, in MB. */
  dataDirMB: number;
  shutdownSeconds: number;
  /** From spawning the restarted server to the first successful getData of /fp/last. */
  restartSeconds: number;
  /** RSS of the restarted server once it serves (after SETTLE_MS), in MB. */
  rssAfterRestartMB: number | null;
}

const PER_PARENT = 1000;
const SESSIONS = 8;
const WINDOW = 100;
const SETTLE_MS = 10_000;
const LAST = "/fp/last";

const mb = (bytes: number | null) => (bytes === null ? null : Math.round(bytes / 2 ** 20));

function* loadFrames(znodes: number, value: Buffer): Generator<Buffer> {
  yield createFrame("/fp", Buffer.alloc(0));
  const parents = Math.ceil(znodes / PER_PARENT);
  for (let p = 0; p < parents; p++) yield createFrame(`/fp/d${String(p).padStart(4, "0")}`, Buffer.alloc(0));
  for (let i = 0; i < znodes; i++) {
    const parent = String(Math.floor(i / PER_PARENT)).padStart(4, "0");
    yield createFrame(`/fp/d${parent}/n${String(i).padStart(6, "0")}`, value);
  }
}

/** Step 2: `znodes` znodes under /fp, then /fp/last. */
export async function loadZnodes(port: number, znodes: number, valueSize: number): Promise<void> {
  const frames = loadFrames(znodes, valueOf(valueSize));
  // Parents must exist before their children: create them on one session first.
  const parents = Math.ceil(znodes / PER_PARENT) + 1;
  let taken = 0;
  const first = await Session.open("127.0.0.1", port);
  await first.bulk(() => (taken++ < parents ? frames.next().value ?? null : null), WINDOW);
  const sessions = [first, ...(await Promise.all(Array.from({ length: SESSIONS - 1 }, () => Session.open("127.0.0.1", port))))];
  const next = () => frames.next().value ?? null;
  const results = await Promise.all(sessions.map((s) => s.bulk(next, WINDOW)));
  const failed = results.flatMap((m) => [...m].filter(([err]) => err !== 0));
  if (failed.length > 0) throw new Error(`footprint load: errors ${JSON.stringify(failed)}`);
  const { err } = await first.call(createFrame(LAST, Buffer.alloc(0)));
  if (err !== 0) throw new Error(`footprint load: create ${LAST} failed with ${err}`);
  await Promise.all(sessions.map((s) => s.close()));
}

/** Retries connect + getData /fp/last until it succeeds; returns when it did. */
export async function waitUntilServed(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const s = await Session.open("127.0.0.1", port, 2000);
      const { err } = await s.call(getDataFrame(LAST));
      await s.close();
      if (err === 0) return;
    } catch {
      // Not listening yet, or refusing sessions while it loads its database.
    }
    if (Date.now() > deadline) throw new Error(`${LAST} not served within ${timeoutMs} ms`);
    await sleep(20);
  }
}

function duBytes(dir: string): number {
  const r = spawnSync("du", ["-sb", dir], { encoding: "utf8" });
  return Number(r.stdout.split("\t")[0]) || 0;
}

export async function runFootprint(kind: ServerKind, znodes: number, valueSize = 100): Promise<FootprintResult> {
  const home = makeHome(kind);
  const first = await startServer(kind, home);
  await sleep(2000);
  const rssIdle = rssBytes(first.pid);
  const t0 = performance.now();
  await loadZnodes(first.port, znodes, valueSize);
  const loadSeconds = (performance.now() - t0) / 1000;
  await sleep(SETTLE_MS);
  const rss = rssBytes(first.pid);
  const dataDirMB = mb(duBytes(first.dataDir))!;
  const t1 = performance.now();
  await first.stop();
  const shutdownSeconds = (performance.now() - t1) / 1000;

  const t2 = performance.now();
  const second = await startServer(kind, home, { startTimeoutMs: 600_000 });
  await waitUntilServed(second.port, 60_000);
  const restartSeconds = (performance.now() - t2) / 1000;
  await sleep(SETTLE_MS);
  const rssAfterRestart = rssBytes(second.pid);
  await second.stop();
  home.remove();
  return {
    server: kind,
    znodes,
    valueSize,
    loadSeconds: Math.round(loadSeconds * 10) / 10,
    loadOpsPerSec: Math.round(znodes / loadSeconds),
    rssIdleMB: mb(rssIdle),
    rssMB: mb(rss),
    dataDirMB,
    shutdownSeconds: Math.round(shutdownSeconds * 100) / 100,
    restartSeconds: Math.round(restartSeconds * 100) / 100,
    rssAfterRestartMB: mb(rssAfterRestart),
  };
}
