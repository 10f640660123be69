/**
 * The load generator: drives one ZooKeeper server with `sessions` sessions spread over
 * `workers` worker processes (or threads), each session keeping `pipeline` requests
 * outstanding, warms up, then measures a timed window and returns one result, which
 * the CLI prints as one JSON line:
 *
 *     npx tsx bench/loadgen.ts --connect 127.0.0.1:2181 --op mixed --read-ratio 0.9 \
 *       --value-size 1024 --sessions 8 --pipeline 16 --warmup 2 --seconds 5
 *
 * Besides throughput and latency it reports the CPU the generator and (given its pid)
 * the server used during the window, in cores: on a 2-core machine a generator using
 * most of a core is taking it from the server, and readers should know.
 */
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { cleanupAll } from "./cleanup.js";
import { Histogram } from "./histogram.js";
import { cpuSeconds, machineBusySeconds, totalCpuSeconds } from "./procstat.js";
import { Session } from "./session.js";
import { startWorker, type WorkerHandle, type WorkerMode } from "./workerPool.js";
import { OPS, populateFrames, sessionPlan, effectiveReadRatio, type Op, type Workload } from "./workload.js";

export interface LoadOptions extends Workload {
  /** Label for the result ("ours", "apache", or anything). */
  server: string;
  host: string;
  port: number;
  /** The server's pid, to report its CPU use; omit when unknown or in-process. */
  serverPid?: number;
  warmupSeconds: number;
  seconds: number;
  workers: number;
  mode: WorkerMode;
  /** Makes this run's create paths unique on a server that already saw runs. */
  runTag?: string;
}

/** One JSON line per run: the fields the issue asks for, then the CPU columns. */
export interface RunResult {
  server: string;
  op: Op;
  valueSize: number;
  sessions: number;
  pipeline: number;
  readRatio: number;
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** CPU cores the generator (all its processes) used during the window. */
  genCpu: number | null;
  /** CPU cores the server used during the window. */
  serverCpu: number | null;
  /** CPU cores everything else on the machine used during the window (noise). */
  otherCpu: number | null;
  workers: number;
  mode: WorkerMode;
}

const NODE_EXISTS = -110;

/** Creates /bench and the keys `w` reads and writes; keys that exist already are kept. */
export async function populate(host: string, port: number, w: Workload): Promise<void> {
  const s = await Session.open(host, port);
  try {
    const frames = populateFrames(w);
    const errs = await s.bulk(() => frames.next().value ?? null, 64);
    const bad = [...errs].filter(([err]) => err !== 0 && err !== NODE_EXISTS);
    if (bad.length > 0) throw new Error(`populate failed: ${JSON.stringify(bad)}`);
  } finally {
    await s.close();
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

interface CpuSample {
  at: number;
  gen: number | null;
  server: number | null;
  machine: number | null;
}

function sampleCpu(genPids: number[], serverPid: number | undefined): CpuSample {
  return { at: performance.now(), gen: totalCpuSeconds(genPids), server: serverPid ? cpuSeconds(serverPid) : null, machine: machineBusySeconds() };
}

/** Cores used between two samples by the generator, the server, and everything else. */
function cpuCores(a: CpuSample, b: CpuSample): Pick<RunResult, "genCpu" | "serverCpu" | "otherCpu"> {
  const wall = (b.at - a.at) / 1000;
  const rate = (x: number | null, y: number | null) => (x !== null && y !== null ? (y - x) / wall : null);
  const gen = rate(a.gen, b.gen);
  const server = rate(a.server, b.server);
  const machine = rate(a.machine, b.machine);
  return {
    genCpu: gen === null ? null : round(gen, 2),
    serverCpu: server === null ? null : round(server, 2),
    otherCpu: machine === null || gen === null || server === null ? null : round(Math.max(0, machine - gen - server), 2),
  };
}

let runCounter = 0;

export async function runLoad(o: LoadOptions): Promise<RunResult> {
  const runTag = o.runTag ?? `r${process.pid}x${++runCounter}`;
  const workerCount = Math.max(1, Math.min(o.workers, o.sessions));
  const workers: WorkerHandle[] = [];
  try {
    for (let i = 0; i < workerCount; i++) workers.push(await startWorker(o.mode));
    // Session i runs in worker i mod workerCount.
    const plans = Array.from({ length: o.sessions }, (_, i) => sessionPlan(o, runTag, i));
    workers.forEach((w, k) => w.send({ type: "init", host: o.host, port: o.port, plans: plans.filter((_, i) => i % workerCount === k) }));
    await Promise.all(workers.map((w) => w.next("ready")));

    for (const w of workers) w.send({ type: "go" });
    await sleep(o.warmupSeconds * 1000);
    const genPids = [...new Set([process.pid, ...workers.map((w) => w.pid)])];
    const cpu0 = sampleCpu(genPids, o.serverPid);
    for (const w of workers) w.send({ type: "mark" });
    await sleep(o.seconds * 1000);
    for (const w of workers) w.send({ type: "stop" });
    const results = await Promise.all(workers.map((w) => w.next("result")));
    const cpu = cpuCores(cpu0, sampleCpu(genPids, o.serverPid));

    const hist = new Histogram();
    for (const r of results) hist.add(r.counts);
    const ops = results.reduce((a, r) => a + r.ops, 0);
    const seconds = results.reduce((a, r) => a + r.seconds, 0) / results.length;
    return {
      server: o.server,
      op: o.op,
      valueSize: o.valueSize,
      sessions: o.sessions,
      pipeline: o.pipeline,
      readRatio: effectiveReadRatio(o),
      ops,
      seconds: round(seconds, 3),
      opsPerSec: Math.round(results.reduce((a, r) => a + r.ops / r.seconds, 0)),
      p50Ms: round(hist.quantile(0.5) / 1000, 3),
      p99Ms: round(hist.quantile(0.99) / 1000, 3),
      errors: results.reduce((a, r) => a + r.errors, 0),
      ...cpu,
      workers: workerCount,
      mode: o.mode,
    };
  } finally {
    for (const w of workers) w.send({ type: "exit" });
    const timeout = setTimeout(() => workers.forEach((w) => w.kill()), 5000);
    await Promise.all(workers.map((w) => w.exited));
    clearTimeout(timeout);
  }
}

/** CLI: one run against a server that is already running. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      connect: { type: "string", default: "127.0.0.1:2181" },
      server: { type: "string", default: "server" },
      "server-pid": { type: "string" },
      op: { type: "string", default: "getData" },
      "value-size": { type: "string", default: "100" },
      sessions: { type: "string", default: "8" },
      pipeline: { type: "string", default: "16" },
      "read-ratio": { type: "string", default: "0.9" },
      warmup: { type: "string", default: "2" },
      seconds: { type: "string", default: "5" },
      workers: { type: "string", default: "1" },
      mode: { type: "string", default: "process" },
      "no-populate": { type: "boolean", default: false },
    },
  });
  const op = values.op as Op;
  if (!OPS.includes(op)) throw new Error(`--op must be one of ${OPS.join(", ")}`);
  if (values.mode !== "process" && values.mode !== "thread") throw new Error("--mode must be process or thread");
  const [host, portText] = values.connect.split(":");
  const o: LoadOptions = {
    server: values.server,
    host: host!,
    port: Number(portText),
    serverPid: values["server-pid"] ? Number(values["server-pid"]) : undefined,
    op,
    valueSize: Number(values["value-size"]),
    sessions: Number(values.sessions),
    pipeline: Number(values.pipeline),
    readRatio: Number(values["read-ratio"]),
    warmupSeconds: Number(values.warmup),
    seconds: Number(values.seconds),
    workers: Number(values.workers),
    mode: values.mode,
  };
  if (!values["no-populate"]) await populate(o.host, o.port, o);
  console.log(JSON.stringify(await runLoad(o)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main()
    .catch((e: Error) => {
      process.stderr.write(`loadgen: ${e.message}\n`);
      process.exitCode = 1;
    })
    .finally(() => cleanupAll());
}
