/**
 * Everything the bench starts (server processes, worker processes, temp dirs) registers
 * how to undo itself here, so a normal end, an error and Ctrl-C all leave nothing behind.
 * Tasks run last-registered first: a server stops before its data dir is removed.
 *
 * The signal handlers are installed only while there is something to undo, so a process
 * that imports the bench (a test) keeps its own signal behaviour otherwise.
 */
type Task = () => Promise<void> | void;

const tasks: Task[] = [];
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** Set once a signal arrived: whatever the interrupted code still starts is undone at once. */
let interrupted = false;

function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) return;
  interrupted = true;
  process.stderr.write(`\nbench: ${signal}, stopping servers and removing temp dirs…\n`);
  void cleanupAll().finally(() => process.exit(130));
}

function watchSignals(on: boolean): void {
  for (const s of SIGNALS) {
    process.off(s, onSignal);
    if (on) process.on(s, onSignal);
  }
}

/** Registers `task`; the returned function unregisters it (after the caller undid it). */
export function atCleanup(task: Task): () => void {
  if (interrupted) {
    void Promise.resolve().then(task);
    return () => {};
  }
  tasks.push(task);
  if (tasks.length === 1) watchSignals(true);
  return () => {
    const i = tasks.lastIndexOf(task);
    if (i >= 0) tasks.splice(i, 1);
    if (tasks.length === 0) watchSignals(false);
  };
}

/** Runs every registered task once, newest first; errors are reported, not thrown. */
export async function cleanupAll(): Promise<void> {
  while (tasks.length > 0) {
    const task = tasks.pop()!;
    try {
      await task();
    } catch (e) {
      process.stderr.write(`bench cleanup: ${String(e)}\n`);
    }
  }
  watchSignals(false);
}
