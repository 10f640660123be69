/**
 * Test helpers for persistence: temp dirs removed by the test that made them, a log
 * file shim that counts writes and syncs, a manual clock, and log capture.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { openLogFile, type OpenLogFile } from "../../../src/persistence/FileTxnLog.js";
import type { Clock, TimerHandle } from "../../../src/util/Clock.js";
import { setLogSink } from "../../../src/util/Logger.js";

/** A fresh directory, removed when the current test finishes. */
export async function tempDir(prefix = "zk-persistence-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface IoCounts {
  writes: number;
  syncs: number;
  truncates: number;
  opens: number;
  bytes: number;
}

/** openLogFile with every operation counted; `beforeSync` can stall or fail a sync. */
export function countingOpenLogFile(counts: IoCounts, beforeSync?: () => Promise<void> | void): OpenLogFile {
  return async (path) => {
    counts.opens++;
    const f = await openLogFile(path);
    return {
      write: (b, p) => {
        counts.writes++;
        counts.bytes += b.length;
        return f.write(b, p);
      },
      datasync: async () => {
        counts.syncs++;
        await beforeSync?.();
        return f.datasync();
      },
      truncate: (n) => {
        counts.truncates++;
        return f.truncate(n);
      },
      close: () => f.close(),
    };
  };
}

/**
 * Opens real log files (O_DSYNC when asked) and counts thread-pool writes and inline
 * writes apart; each write first calls `during` (a test moves a ManualClock there).
 */
export function inlineCountingOpenLogFile(counts: { pooled: number; inline: number }, during: () => void): OpenLogFile {
  return async (path, opts) => {
    const f = await openLogFile(path, opts);
    return {
      syncsOnWrite: f.syncsOnWrite,
      write: (b, p) => {
        counts.pooled++;
        during();
        return f.write(b, p);
      },
      writeNow: (b, p) => {
        counts.inline++;
        during();
        f.writeNow!(b, p);
      },
      datasync: () => f.datasync(),
      truncate: (n) => f.truncate(n),
      close: () => f.close(),
    };
  };
}

export function newCounts(): IoCounts {
  return { writes: 0, syncs: 0, truncates: 0, opens: 0, bytes: 0 };
}

/** A clock whose time moves only when told to; timers fire in `advance`. */
export class ManualClock implements Clock {
  private t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private ids = 0;

  now(): number {
    return this.t;
  }
  wallTime(): number {
    return 1_700_000_000_000 + this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return { id, unref: () => undefined } as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    this.timers = this.timers.filter((t) => t.id !== id);
  }
  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

/** Collects log lines for the rest of the current test. */
export function captureLog(): string[] {
  const lines: string[] = [];
  const restore = setLogSink((line) => lines.push(line));
  onTestFinished(restore);
  return lines;
}
