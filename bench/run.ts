/**
 * `npm run bench`: the matrix of bench/matrix.ts against our server and, when Debian's
 * Apache ZooKeeper 3.8 is installed, against it too, alternating run by run
 * (ours, apache, ours, apache …), then the median per row and server, the ratio
 * ours / apache, and markdown tables. See bench/README.md.
 *
 *     npm run bench                      6 rows × 3 repetitions (about 5 minutes)
 *     npm run bench -- --quick           4 rows × 1 repetition, shorter windows (about 1 minute)
 *     npm run bench -- --rows getData,mixed --reps 5
 *     npm run bench -- --footprint       also the footprint row (1M znodes; several minutes)
 *     npm run bench -- --rows footprint --znodes 200000
 *
 * Both servers are started once for the load rows, on fresh data dirs, and warmed up
 * with an untimed run first (the JVM needs several seconds of load before its JIT
 * settles, V8 fewer), then every row runs on them; the footprint row starts its own.
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { cleanupAll } from "./cleanup.js";
import { runFootprint, type FootprintResult } from "./footprint.js";
import { populate, runLoad, type RunResult } from "./loadgen.js";
import { FOOTPRINT, pickRows, QUICK_ROWS, ROWS, type Row } from "./matrix.js";
import { footprintTable, loadTable, rowLine, summarize, type Pick, type Summary } from "./report.js";
import { apacheAvailable, makeHome, startServer, type BenchServer, type ServerKind } from "./servers.js";
import type { WorkerMode } from "./workerPool.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rows: { type: "string" },
    reps: { type: "string" },
    warmup: { type: "string" },
    seconds: { type: "string" },
    "server-warmup": { type: "string" },
    workers: { type: "string", default: "1" },
    mode: { type: "string", default: "process" },
    servers: { type: "string" },
    pick: { type: "string", default: "median" },
    footprint: { type: "boolean", default: false },
    znodes: { type: "string", default: "1000000" },
    help: { type: "boolean", default: false },
  },
});

const HELP = `npm run bench -- [options]
  --quick              4 rows, 1 repetition, short windows (about a minute)
  --rows a,b           rows whose id starts with a or b (${ROWS.map((r) => r.id).join(", ")}, ${FOOTPRINT})
  --reps N             repetitions per row and server (default 3, quick 1)
  --pick median|best   per row and server, report the median of the repetitions (default) or the best
  --warmup S           seconds of load before each timed window (default 2, quick 1)
  --seconds S          timed window (default 5, quick 3)
  --server-warmup S    untimed load on each server before the first row (default 8, quick 5)
  --workers N          load generator worker processes (default 1)
  --mode process|thread  workers as child processes (default) or worker threads
  --servers ours,apache  which servers (default: both if Apache ZooKeeper is installed)
  --footprint          add the footprint row (1M znodes of 100 B: RSS and restart time)
  --znodes N           znodes for the footprint row (default 1000000)`;

function num(v: string | undefined, quick: number, normal: number): number {
  return v !== undefined ? Number(v) : flags.quick ? quick : normal;
}

const reps = num(flags.reps, 1, 3);
const warmupSeconds = num(flags.warmup, 1, 2);
const seconds = num(flags.seconds, 3, 5);
const serverWarmup = num(flags["server-warmup"], 5, 8);
const workers = Number(flags.workers);
const mode = flags.mode as WorkerMode;
const pick = flags.pick as Pick;

function describeMachine(): string {
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return "?";
    }
  };
  const dirty = git(["status", "--porcelain", "--", "src", "bin", "bench"]) ? " (working tree differs)" : "";
  return [
    `date ${new Date().toISOString()}, commit ${git(["rev-parse", "--short", "HEAD"])}${dirty}`,
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`,
  ].join("\n");
}

/** Untimed load so both servers have compiled their hot paths before the first row. */
async function warmUp(server: BenchServer): Promise<void> {
  const w = { op: "mixed" as const, valueSize: 100, sessions: 8, pipeline: 16, readRatio: 0.9 };
  await populate("127.0.0.1", server.port, w);
  await runLoad({ ...w, server: server.kind, host: "127.0.0.1", port: server.port, warmupSeconds: serverWarmup, seconds: 0.5, workers, mode });
}

async function runRows(rows: Row[], kinds: ServerKind[]): Promise<Array<{ row: Row; byServer: Map<string, Summary> }>> {
  const servers: BenchServer[] = [];
  const homes = kinds.map((k) => makeHome(k));
  try {
    for (let i = 0; i < kinds.length; i++) {
      process.stderr.write(`starting ${kinds[i]} server…\n`);
      servers.push(await startServer(kinds[i]!, homes[i]!));
    }
    for (const s of servers) {
      process.stderr.write(`warming up ${s.kind} (${serverWarmup} s)…\n`);
      await warmUp(s);
    }
    const done: Array<{ row: Row; byServer: Map<string, Summary> }> = [];
    for (const row of rows) {
      for (const s of servers) await populate("127.0.0.1", s.port, row);
      const runs = new Map<string, RunResult[]>(kinds.map((k) => [k, []]));
      for (let rep = 0; rep < reps; rep++) {
        for (const s of servers) {
          const r = await runLoad({ ...row, server: s.kind, host: "127.0.0.1", port: s.port, serverPid: s.pid, warmupSeconds, seconds, workers, mode });
          console.log(JSON.stringify({ row: row.id, rep, ...r }));
          runs.get(s.kind)!.push(r);
        }
      }
      const byServer = new Map([...runs].map(([k, rs]) => [k, summarize(rs, pick)]));
      console.log(rowLine(row, byServer));
      done.push({ row, byServer });
    }
    return done;
  } catch (e) {
    // A refused session or a dropped connection usually means a server died: say why.
    for (const s of servers) process.stderr.write(`--- last output of ${s.kind} server ---\n${s.output().slice(-3000)}\n`);
    throw e;
  } finally {
    for (const s of servers) await s.stop();
    for (const h of homes) h.remove();
  }
}

async function main(): Promise<void> {
  if (flags.help) {
    console.log(HELP);
    return;
  }
  if (mode !== "process" && mode !== "thread") throw new Error("--mode must be process or thread");
  if (pick !== "median" && pick !== "best") throw new Error("--pick must be median or best");
  const kinds = (flags.servers?.split(",") ?? (apacheAvailable() ? ["ours", "apache"] : ["ours"])) as ServerKind[];
  if (kinds.includes("apache") && !apacheAvailable()) throw new Error("Apache ZooKeeper is not installed (/usr/share/java/zookeeper.jar)");
  if (!kinds.includes("apache")) process.stderr.write("Apache ZooKeeper not selected or not installed: measuring our server only\n");
  const spec = flags.rows;
  const rows = spec !== undefined ? pickRows(spec) : flags.quick ? QUICK_ROWS : ROWS;
  const footprint = flags.footprint || (spec?.split(",").some((s) => s.trim().toLowerCase() === FOOTPRINT) ?? false);

  console.log(describeMachine());
  if (rows.length > 0) console.log(`reps ${reps} (${pick}), warm-up ${warmupSeconds} s, window ${seconds} s, ${workers} ${mode} worker(s), servers ${kinds.join(", ")}`);
  const table = rows.length > 0 ? await runRows(rows, kinds) : [];
  const fp: FootprintResult[] = [];
  if (footprint) {
    for (const k of kinds) {
      process.stderr.write(`footprint: ${k}, ${Number(flags.znodes).toLocaleString("en-US")} znodes…\n`);
      const r = await runFootprint(k, Number(flags.znodes));
      console.log(JSON.stringify({ row: FOOTPRINT, ...r }));
      fp.push(r);
    }
  }
  console.log("");
  if (table.length > 0) console.log(loadTable(table) + "\n");
  if (fp.length > 0) console.log(footprintTable(fp) + "\n");
}

main()
  .catch((e: Error) => {
    process.stderr.write(`bench: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
