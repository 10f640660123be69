/**
 * A Clock that only moves when the test says so, for the client's timeout and ping
 * arithmetic (T73, T74). Timers fire in time order; after each, the event loop is given
 * a few turns so the send loop and the event thread can react before time moves on.
 */
import type { Clock, TimerHandle } from "../../../src/util/Clock.js";

interface Timer extends TimerHandle {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets pending promises, setImmediate callbacks and I/O callbacks run. */
export async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Set<Timer>();

  now(): number {
    return this.t;
  }
  wallTime(): number {
    return 1_700_000_000_000 + this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(timer);
    return timer;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as Timer);
  }

  /** Milliseconds until the earliest timer, or null when none is armed. */
  nextTimerIn(): number | null {
    let best: Timer | null = null;
    for (const t of this.timers) if (best === null || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best === null ? null : best.at - this.t;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await turns();
    for (;;) {
      let due: Timer | null = null;
      for (const t of this.timers) if (t.at <= target && (due === null || t.at < due.at || (t.at === due.at && t.seq < due.seq))) due = t;
      if (due === null) break;
      this.timers.delete(due);
      this.t = due.at;
      due.fn();
      await turns();
    }
    this.t = target;
    await turns();
  }
}
