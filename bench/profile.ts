/**
 * Profiles our server under the bench's rows: for each row, a fresh server started with
 * `node --cpu-prof`, the row's load (warm-up and window as in `npm run bench`), then the
 * server is stopped, which writes the profile, and the top functions are printed.
 *
 *     npx tsx bench/profile.ts                       the four 8x16 rows, 8 s windows
 *     npx tsx bench/profile.ts --rows setData --seconds 15 --out /tmp/profiles
 *     npx tsx bench/profile.ts --restart 1000000     a restart on a million znodes
 *
 * A profile covers the whole process life (start, populate, warm-up, window); start and
 * populate take well under a second, so the window dominates. Open the .cpuprofile files
 * (kept with --out) in Chrome DevTools or speedscope for the flame graph.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { atCleanup, cleanupAll } from "./cleanup.js";
import { profileTable, summarizeProfile } from "./cpuprofile.js";
import { populate, runLoad } from "./loadgen.js";
import { loadZnodes, waitUntilServed } from "./footprint.js";
import { pickRows, QUICK_ROWS, type Row } from "./matrix.js";
import { makeHome, startServer, type BenchServer } from "./servers.js";

const { values: flags } = parseArgs({
  options: {
    rows: { type: "string" },
    seconds: { type: "string", default: "8" },
    warmup: { type: "string", default: "3" },
    top: { type: "string", default: "20" },
    out: { type: "string" },
    restart: { type: "string" },
  },
});

/** Node flags that make the server write its profiles into `dir`, emptied first. */
function cpuProfArgs(dir: string): string[] {
  // A profile left by an earlier run (same --out) would otherwise be the one reported.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return ["--cpu-prof", "--cpu-prof-dir", dir];
}

/**
 * Prints the summary of the main thread's profile, which the stopped server wrote into
 * `dir` as CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile; the snapshot writer's worker
 * thread writes its own file, with its thread id instead of 0.
 */
function report(title: string, dir: string, server: BenchServer): void {
  const file = readdirSync(dir).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (!file) throw new Error(`no .cpuprofile in ${dir}; server output:\n${server.output()}`);
  console.log(`\n### ${title}\n\n${profileTable(summarizeProfile(join(dir, file), Number(flags.top)))}\n`);
  if (flags.out) console.log(`profile: ${join(dir, file)}\n`);
}

async function profileRow(row: Row, outDir: string): Promise<void> {
  const dir = join(outDir, row.id);
  const home = makeHome("ours");
  const server = await startServer("ours", home, { nodeArgs: cpuProfArgs(dir) });
  try {
    await populate("127.0.0.1", server.port, row);
    const r = await runLoad({ ...row, server: "ours", host: "127.0.0.1", port: server.port, serverPid: server.pid, warmupSeconds: Number(flags.warmup), seconds: Number(flags.seconds), workers: 1, mode: "process" });
    console.log(JSON.stringify({ row: row.id, profiled: true, ...r }));
  } finally {
    await server.stop();
    home.remove();
  }
  report(row.id, dir, server);
}

/** Loads `znodes` unprofiled, then profiles a restart until they are served. */
async function profileRestart(znodes: number, outDir: string): Promise<void> {
  const dir = join(outDir, "restart");
  const home = makeHome("ours");
  try {
    const first = await startServer("ours", home);
    await loadZnodes(first.port, znodes, 100);
    await first.stop();
    const t0 = performance.now();
    const second = await startServer("ours", home, { startTimeoutMs: 600_000, nodeArgs: cpuProfArgs(dir) });
    await waitUntilServed(second.port, 60_000);
    const seconds = (performance.now() - t0) / 1000;
    await second.stop();
    console.log(JSON.stringify({ row: "restart", profiled: true, znodes, restartSeconds: Math.round(seconds * 100) / 100 }));
    report(`restart with ${znodes.toLocaleString("en-US")} znodes`, dir, second);
  } finally {
    home.remove();
  }
}

async function main(): Promise<void> {
  let outDir: string;
  if (flags.out) {
    outDir = resolve(flags.out);
    mkdirSync(outDir, { recursive: true });
  } else {
    const dir = mkdtempSync(join(tmpdir(), "zk-bench-profiles-"));
    atCleanup(() => rmSync(dir, { recursive: true, force: true }));
    outDir = dir;
  }
  const restart = flags.restart !== undefined;
  const rows = flags.rows ? pickRows(flags.rows) : restart ? [] : QUICK_ROWS;
  for (const row of rows) await profileRow(row, outDir);
  if (restart) await profileRestart(Number(flags.restart), outDir);
}

main()
  .catch((e: Error) => {
    process.stderr.write(`profile: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
