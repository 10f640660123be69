/**
 * A load generator worker: runs its share of the sessions in its own event loop, as a
 * child process (fork) or a worker thread; the messages are the same either way.
 *
 *     parent → worker   init {host, port, plans}  → ready | failed
 *                       go      start the pipelines (warm-up begins)
 *                       mark    the timed window begins: counters and histogram reset
 *                       stop    the window ends         → result
 *                       exit    close the sessions and end
 *
 * The worker measures its own window (mark to stop as it received them), so IPC delay
 * shifts the window by a millisecond but does not stretch or shrink it.
 */
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { Histogram } from "./histogram.js";
import { Session, type LoadStats } from "./session.js";
import type { SessionPlan } from "./workload.js";

export type ToWorker =
  | { type: "init"; host: string; port: number; plans: SessionPlan[] }
  | { type: "go" }
  | { type: "mark" }
  | { type: "stop" }
  | { type: "exit" };

export interface WorkerResult {
  type: "result";
  ops: number;
  errors: number;
  seconds: number;
  counts: Float64Array;
}

export type FromWorker = { type: "ready" } | { type: "failed"; message: string } | WorkerResult;

/** NODEEXISTS: a setup create that an earlier run on the same server already did. */
const NODE_EXISTS = -110;

function send(m: FromWorker): void {
  if (parentPort) parentPort.postMessage(m);
  else process.send!(m);
}

function onMessage(handler: (m: ToWorker) => void): void {
  if (parentPort) parentPort.on("message", handler);
  else process.on("message", (m) => handler(m as ToWorker));
}

const stats: LoadStats = { ops: 0, errors: 0, hist: new Histogram() };
let sessions: Session[] = [];
let plans: SessionPlan[] = [];
let markedAt = 0;

async function init(host: string, port: number, p: SessionPlan[]): Promise<void> {
  plans = p;
  sessions = await Promise.all(plans.map(() => Session.open(host, port)));
  for (let i = 0; i < sessions.length; i++) {
    for (const frame of plans[i]!.setup) {
      const { err } = await sessions[i]!.call(frame);
      if (err !== 0 && err !== NODE_EXISTS) throw new Error(`setup request failed with error ${err}`);
    }
  }
}

onMessage((m) => {
  switch (m.type) {
    case "init":
      init(m.host, m.port, m.plans).then(
        () => send({ type: "ready" }),
        (e: Error) => send({ type: "failed", message: e.message }),
      );
      break;
    case "go":
      for (let i = 0; i < sessions.length; i++) sessions[i]!.startLoad(plans[i]!, stats);
      break;
    case "mark":
      stats.ops = 0;
      stats.errors = 0;
      stats.hist.reset();
      markedAt = performance.now();
      break;
    case "stop": {
      const seconds = (performance.now() - markedAt) / 1000;
      for (const s of sessions) s.stopLoad();
      // A session the server dropped mid-run lost its outstanding requests: count them.
      const lost = sessions.filter((s) => s.isClosed).length;
      send({ type: "result", ops: stats.ops, errors: stats.errors + lost, seconds, counts: stats.hist.counts });
      break;
    }
    case "exit":
      Promise.all(sessions.map((s) => s.close())).finally(() => process.exit(0));
      break;
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});
