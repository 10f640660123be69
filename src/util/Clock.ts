/**
 * Clock — time as protocol code sees it, so that the simulator can replace it.
 *
 * ZooKeeper reads `Time.currentElapsedTime()` (monotonic, for session expiry and
 * timeouts) and `Time.currentWallTime()` (for txn times, which become ctime/mtime).
 * Code here takes a Clock instead of calling Date.now(), so tests and the simulator
 * can drive time (see STYLE.md, "hidden inputs").
 */
export interface Clock {
  /** Monotonic milliseconds, for deadlines and expiry. */
  now(): number;
  /** Milliseconds since the Unix epoch, for timestamps stored in znodes. */
  wallTime(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  unref?(): unknown;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
