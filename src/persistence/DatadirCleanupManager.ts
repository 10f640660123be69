/**
 * DatadirCleanupManager — runs PurgeTxnLog.purge every `autopurge.purgeInterval` hours,
 * keeping `autopurge.snapRetainCount` snapshots.
 *
 * Reimplements `org.apache.zookeeper.server.DatadirCleanupManager` (3.8) and its
 * `PurgeTask`. Chapter 03 starts it ([001 L1505–1545]: interval 0 means off, a second
 * start only warns); the purge itself is chapter 02. Scenario T27.
 *
 * Schedule: like Java's `Timer.scheduleAtFixedRate(task, 0, interval)`, the first purge
 * runs at once and the next ones at start + k·interval, each run after the previous
 * one has finished (a Java Timer never overlaps its task either). A failed purge is
 * logged, not thrown, and the schedule goes on.
 *
 * Differs from Java: timers come from an injected Clock, so tests can move time; they
 * are unref'd, so a pending purge never keeps the process alive (Java's Timer thread
 * is a daemon for the same reason). A retain count below 3 is raised to 3 here as
 * QuorumPeerConfig does, since purge would refuse it anyway.
 */
import { systemClock, type Clock, type TimerHandle } from "../util/Clock.js";
import { getLogger } from "../util/Logger.js";
import { purge } from "./PurgeTxnLog.js";

const LOG = getLogger("DatadirCleanupManager");

export type PurgeTaskStatus = "NOT_STARTED" | "STARTED" | "COMPLETED";

const HOUR_MS = 60 * 60 * 1000;
export const MIN_SNAP_RETAIN_COUNT = 3;

export class DatadirCleanupManager {
  private status: PurgeTaskStatus = "NOT_STARTED";
  private timer: TimerHandle | null = null;
  private firstRunAt = 0;
  private runs = 0;
  readonly snapRetainCount: number;
  /** Resolves when the purge in progress (if any) ends; for shutdown and tests. */
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly snapDir: string,
    readonly dataLogDir: string,
    snapRetainCount: number,
    /** Hours between purges; 0 or less disables them. */
    readonly purgeInterval: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (snapRetainCount < MIN_SNAP_RETAIN_COUNT) {
      LOG.warn(`Invalid autopurge.snapRetainCount: ${snapRetainCount}. Defaulting to ${MIN_SNAP_RETAIN_COUNT}`);
      snapRetainCount = MIN_SNAP_RETAIN_COUNT;
    }
    this.snapRetainCount = snapRetainCount;
    LOG.info(`autopurge.snapRetainCount set to ${this.snapRetainCount}`);
    LOG.info(`autopurge.purgeInterval set to ${purgeInterval}`);
  }

  getPurgeTaskStatus(): PurgeTaskStatus {
    return this.status;
  }

  // #region start
  /** Schedules the purges; does nothing (but warn) if they are already scheduled. */
  start(): void {
    if (this.status === "STARTED") {
      LOG.warn("Purge task is already running.");
      return;
    }
    if (this.purgeInterval <= 0) {
      LOG.info("Purge task is not scheduled.");
      return;
    }
    this.status = "STARTED";
    this.firstRunAt = this.clock.now();
    this.runs = 0;
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.timer = this.clock.setTimeout(() => this.runTask(), delayMs);
    this.timer.unref?.();
  }

  private runTask(): void {
    this.timer = null;
    this.running = this.purgeOnce().then(() => {
      if (this.status !== "STARTED") return;
      this.runs++;
      const due = this.firstRunAt + this.runs * this.purgeInterval * HOUR_MS;
      this.schedule(Math.max(0, due - this.clock.now()));
    });
  }
  // #endregion start

  /** Java's PurgeTask.run: purge, and log rather than throw whatever goes wrong. */
  private async purgeOnce(): Promise<void> {
    LOG.info("Purge task started.");
    try {
      await purge(this.dataLogDir, this.snapDir, this.snapRetainCount);
    } catch (e) {
      LOG.error("Error occurred while purging.", e);
    }
    LOG.info("Purge task completed.");
  }

  /** Cancels the schedule; waits for a purge in progress to end. */
  async shutdown(): Promise<void> {
    if (this.status !== "STARTED") {
      LOG.warn("Purge task not started. Ignoring shutdown!");
      return;
    }
    LOG.info("Shutting down purge task.");
    this.status = "COMPLETED";
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
