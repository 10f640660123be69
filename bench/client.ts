/**
 * `npm run bench:client`: our client (src/client) against node-zookeeper-client, the same
 * load against the same server (ours, as a process), one client library at a time in
 * this process, alternating run by run. Issue 3's client row.
 *
 *     npm run bench:client                                   getData and create, 1/16/128 outstanding, 3 s × 3 reps
 *     npm run bench:client -- --ops getData --outstanding 1,64 --seconds 2 --reps 1
 *
 * Load: one session per library; a closed loop keeps N requests outstanding (a reply
 * starts the next request), i.e. N-deep pipelining on one connection. `getData` reads one
 * 128-byte node; `create` makes PERSISTENT_SEQUENTIAL 128-byte nodes under a parent.
 * Each run warms up for half a second, then counts replies in its window; the median of
 * the repetitions is reported, with p50/p99 latency and the cores this process used (the
 * client library's CPU, which is what differs between the two rows).
 *
 * Output: a table on stderr and one JSON line per (library, op, outstanding) on stdout.
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import { CreateMode } from "../src/jute/CreateMode.js";
import { ZooKeeper } from "../src/client/ZooKeeper.js";
import { KeeperState } from "../src/jute/Watcher.js";
import { setLogLevel } from "../src/util/Logger.js";
import { cleanupAll } from "./cleanup.js";
import { Histogram } from "./histogram.js";
import { makeHome, startServer } from "./servers.js";

type NzcClient = {
  connect(): void;
  once(event: "connected", cb: () => void): void;
  getData(path: string, cb: (err: Error | null, data?: Buffer) => void): void;
  create(path: string, data: Buffer, mode: number, cb: (err: Error | null, path?: string) => void): void;
  close(): void;
};
type Nzc = { createClient(cs: string, opts: { sessionTimeout: number }): NzcClient; CreateMode: { PERSISTENT: number; PERSISTENT_SEQUENTIAL: number } };
const nzc = createRequire(import.meta.url)("node-zookeeper-client") as Nzc;

const { values: flags } = parseArgs({
  options: {
    ops: { type: "string", default: "getData,create" },
    outstanding: { type: "string", default: "1,16,128" },
    seconds: { type: "string", default: "3" },
    reps: { type: "string", default: "3" },
  },
});

type Op = "getData" | "create";
type Lib = "ours" | "node-zookeeper-client";
const LIBS: Lib[] = ["ours", "node-zookeeper-client"];
const VALUE = Buffer.alloc(128, 0x61);

/** One request of `op`, calling back with its latency (the client's own API, no wrappers beyond a callback). */
interface Driver {
  issue(op: Op, done: (err: unknown) => void): void;
  close(): Promise<void>;
}

async function ourDriver(connectString: string, seqParent: string): Promise<Driver> {
  const zk = new ZooKeeper(connectString, 30_000);
  await new Promise<void>((resolve) => zk.register((e) => e.state === KeeperState.SyncConnected && resolve()));
  return {
    issue(op, done) {
      const p = op === "getData" ? zk.getData("/bench-client/data") : zk.create(`${seqParent}/n-`, VALUE, undefined, CreateMode.PERSISTENT_SEQUENTIAL);
      p.then(() => done(null), done);
    },
    close: () => zk.close(),
  };
}

async function nzcDriver(connectString: string, seqParent: string): Promise<Driver> {
  const client = nzc.createClient(connectString, { sessionTimeout: 30_000 });
  await new Promise<void>((resolve) => {
    client.once("connected", resolve);
    client.connect();
  });
  return {
    issue(op, done) {
      if (op === "getData") client.getData("/bench-client/data", (err) => done(err));
      else client.create(`${seqParent}/n-`, VALUE, nzc.CreateMode.PERSISTENT_SEQUENTIAL, (err) => done(err));
    },
    close: async () => {
      client.close();
      await new Promise((r) => setTimeout(r, 50));
    },
  };
}

interface Result {
  client: Lib;
  op: Op;
  outstanding: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  clientCpu: number;
  errors: number;
}

// #region closed-loop
/**
 * Keeps `outstanding` requests in flight: every reply issues the next request. Replies
 * that arrive in the measured window are counted; the window starts after a 0.5 s warm-up
 * and the run ends once the requests still in flight after the window have drained.
 */
function runLoad(driver: Driver, op: Op, outstanding: number, seconds: number): Promise<Omit<Result, "client">> {
  return new Promise((resolve) => {
    const hist = new Histogram();
    let measuring = false;
    let stopping = false;
    let inFlight = 0;
    let completed = 0;
    let errors = 0;
    let result: Omit<Result, "client"> | null = null;
    const one = () => {
      inFlight++;
      const t0 = performance.now();
      driver.issue(op, (err) => {
        inFlight--;
        if (measuring) {
          if (err) errors++;
          else {
            completed++;
            hist.record(Math.round((performance.now() - t0) * 1000));
          }
        }
        if (!stopping) one();
        else if (inFlight === 0 && result !== null) resolve(result);
      });
    };
    for (let i = 0; i < outstanding; i++) one();
    setTimeout(() => {
      measuring = true;
      const windowStart = performance.now();
      const cpuStart = process.cpuUsage();
      setTimeout(() => {
        measuring = false;
        stopping = true;
        const elapsed = (performance.now() - windowStart) / 1000;
        const cpu = process.cpuUsage(cpuStart);
        result = { op, outstanding, opsPerSec: completed / elapsed, p50Ms: hist.quantile(0.5) / 1000, p99Ms: hist.quantile(0.99) / 1000, clientCpu: (cpu.user + cpu.system) / 1e6 / elapsed, errors };
        if (inFlight === 0) resolve(result);
      }, seconds * 1000);
    }, 500);
  });
}
// #endregion closed-loop

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

async function main(): Promise<void> {
  if (process.env.ZK_LOG_LEVEL === undefined) setLogLevel("WARN"); // no connect/close lines between rows
  const ops = flags.ops!.split(",") as Op[];
  const depths = flags.outstanding!.split(",").map(Number);
  const seconds = Number(flags.seconds);
  const reps = Number(flags.reps);
  const home = makeHome("ours");
  const server = await startServer("ours", home);
  const connectString = `127.0.0.1:${server.port}`;
  try {
    const setup = new ZooKeeper(connectString, 30_000);
    await setup.create("/bench-client", null);
    await setup.create("/bench-client/data", VALUE);
    await setup.create("/bench-client/seq", null);
    await setup.close();
    const rows: Result[] = [];
    for (const op of ops) {
      for (const outstanding of depths) {
        const byLib = new Map<Lib, Array<Omit<Result, "client">>>();
        for (let rep = 0; rep < reps; rep++) {
          for (const lib of rep % 2 === 0 ? LIBS : [...LIBS].reverse()) {
            const seqParent = "/bench-client/seq";
            const driver = lib === "ours" ? await ourDriver(connectString, seqParent) : await nzcDriver(connectString, seqParent);
            const r = await runLoad(driver, op, outstanding, seconds);
            await driver.close();
            byLib.set(lib, [...(byLib.get(lib) ?? []), r]);
          }
        }
        for (const lib of LIBS) {
          const runs = byLib.get(lib)!;
          const pick = runs.find((r) => r.opsPerSec === median(runs.map((x) => x.opsPerSec)))!;
          const row: Result = { client: lib, ...pick, opsPerSec: Math.round(pick.opsPerSec), p50Ms: round(pick.p50Ms), p99Ms: round(pick.p99Ms), clientCpu: round(pick.clientCpu) };
          rows.push(row);
          process.stdout.write(JSON.stringify(row) + "\n");
        }
      }
    }
    process.stderr.write(`\n${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} (other work on the machine skews every row)\n`);
    process.stderr.write(table(rows) + "\n");
  } finally {
    await server.stop();
    home.remove();
    await cleanupAll();
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function table(rows: Result[]): string {
  const lines = ["| op | outstanding | ours ops/s | node-zookeeper-client ops/s | ratio | ours p50/p99 ms | nzc p50/p99 ms | ours CPU | nzc CPU |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"];
  for (let i = 0; i < rows.length; i += 2) {
    const o = rows[i]!;
    const n = rows[i + 1]!;
    lines.push(`| ${o.op} | ${o.outstanding} | ${o.opsPerSec} | ${n.opsPerSec} | ${(o.opsPerSec / n.opsPerSec).toFixed(2)} | ${o.p50Ms}/${o.p99Ms} | ${n.p50Ms}/${n.p99Ms} | ${o.clientCpu} | ${n.clientCpu} |`);
  }
  return lines.join("\n");
}

main().catch(async (e) => {
  console.error(e);
  await cleanupAll();
  process.exit(1);
});
