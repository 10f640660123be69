/**
 * Starts load generator workers (child processes or worker threads running the bundled
 * bench/worker.ts) and talks to them with the messages worker.ts documents.
 */
import { fork } from "node:child_process";
import { Worker } from "node:worker_threads";
import { atCleanup } from "./cleanup.js";
import { workerBundle } from "./bundle.js";
import type { FromWorker, ToWorker } from "./worker.js";

export type WorkerMode = "process" | "thread";

export interface WorkerHandle {
  /** The OS process the worker runs in (the bench's own pid for a thread). */
  readonly pid: number;
  send(m: ToWorker): void;
  /** The next message of this type; rejects if the worker dies or reports `failed`. */
  next<T extends FromWorker["type"]>(type: T): Promise<Extract<FromWorker, { type: T }>>;
  /** Resolves when the worker has ended. */
  readonly exited: Promise<void>;
  kill(): void;
}

interface Port {
  pid: number;
  post(m: ToWorker): void;
  on(listener: (m: FromWorker) => void): void;
  onExit(listener: (why: string) => void): void;
  kill(): void;
}

function processPort(file: string): Port {
  // serialization "advanced" carries typed arrays (frames, histogram counts) as bytes.
  const child = fork(file, [], { execArgv: [], serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
  // A worker that died (killed at cleanup) cannot be told anything more; sends are dropped.
  child.on("error", () => {});
  return {
    pid: child.pid!,
    post: (m) => {
      if (child.connected) child.send(m);
    },
    on: (l) => child.on("message", (m) => l(m as FromWorker)),
    onExit: (l) => child.once("exit", (code, signal) => l(`exited with ${signal ?? code}`)),
    kill: () => child.kill("SIGKILL"),
  };
}

function threadPort(file: string): Port {
  const w = new Worker(file, { execArgv: [] });
  return {
    pid: process.pid,
    post: (m) => w.postMessage(m),
    on: (l) => w.on("message", l),
    onExit: (l) => {
      w.once("exit", (code) => l(`exited with ${code}`));
      w.once("error", (e) => l(`failed: ${e.message}`));
    },
    kill: () => void w.terminate(),
  };
}

export async function startWorker(mode: WorkerMode): Promise<WorkerHandle> {
  const file = await workerBundle();
  const port = mode === "process" ? processPort(file) : threadPort(file);
  const inbox: FromWorker[] = [];
  const waiting: Array<{ type: string; resolve: (m: FromWorker) => void; reject: (e: Error) => void }> = [];
  let death: Error | null = null;

  const deliver = () => {
    for (let i = 0; i < waiting.length; i++) {
      const w = waiting[i]!;
      const j = inbox.findIndex((m) => m.type === w.type || m.type === "failed");
      if (j >= 0) {
        const [m] = inbox.splice(j, 1);
        waiting.splice(i--, 1);
        if (m!.type === "failed" && w.type !== "failed") w.reject(new Error(`load generator worker: ${m!.message}`));
        else w.resolve(m!);
      } else if (death) {
        waiting.splice(i--, 1);
        w.reject(death);
      }
    }
  };
  port.on((m) => {
    inbox.push(m);
    deliver();
  });
  let unregister = () => {};
  const exited = new Promise<void>((resolve) =>
    port.onExit((why) => {
      death = new Error(`load generator worker ${why}`);
      unregister();
      deliver();
      resolve();
    }),
  );
  unregister = atCleanup(() => {
    port.kill();
    return exited;
  });
  return {
    pid: port.pid,
    send: (m) => port.post(m),
    next: (type) =>
      new Promise((resolve, reject) => {
        waiting.push({ type, resolve: resolve as (m: FromWorker) => void, reject });
        deliver();
      }),
    exited,
    kill: () => port.kill(),
  };
}
