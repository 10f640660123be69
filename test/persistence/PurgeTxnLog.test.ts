/**
 * T22 purge: keep the newest N valid snapshots and the logs needed to restore from the
 * oldest kept one (including the older log that covers it); N < 3 is refused.
 * T27 purge scheduling: interval 0 is off, interval 1 runs at once and then hourly,
 * a second start only warns, shutdown cancels; timers are unref'd.
 */
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { DataTree } from "../../src/data/DataTree.js";
import { DatadirCleanupManager } from "../../src/persistence/DatadirCleanupManager.js";
import { FileTxnSnapLog } from "../../src/persistence/FileTxnSnapLog.js";
import { COUNT_ERR_MSG, filesToPurge, purge } from "../../src/persistence/PurgeTxnLog.js";
import { systemClock, type Clock } from "../../src/util/Clock.js";
import { captureLog, ManualClock, tempDir } from "./support/files.js";
import { dumpTree } from "./support/tree.js";
import { TxnBuilder } from "./support/TxnBuilder.js";

/**
 * Five rounds of: log.<first> gets three txns, with a snapshot after the second, so
 * every snapshot sits inside a log file: log.1 snapshot.2, log.4 snapshot.5, log.7
 * snapshot.8, log.a snapshot.b, log.d snapshot.e.
 */
async function fiveSnapshots(dir: string): Promise<TxnBuilder> {
  const s = await FileTxnSnapLog.open(dir, dir, { preAllocSizeBytes: 4096 });
  const b = new TxnBuilder(0n);
  for (let round = 0; round < 5; round++) {
    s.append(b.create(`/r${round}a`));
    s.append(b.create(`/r${round}b`));
    await s.commit();
    await s.save(b.tree, b.sessions, true);
    s.append(b.create(`/r${round}c`));
    await s.commit();
    s.rollLog();
  }
  await s.close();
  return b;
}

const names = async (dir: string) => (await readdir(join(dir, "version-2"))).sort();

describe("PurgeTxnLog", () => {
  it("filesToPurge: older than the oldest kept snapshot, except the newest log starting at or before it", () => {
    const logs = ["log.1", "log.4", "log.7", "log.a", "log.d", "junk"];
    const snaps = ["snapshot.2", "snapshot.5", "snapshot.8", "snapshot.b", "snapshot.e", "snapshot.3.gz", "tmp.snapshot.1"];
    expect(filesToPurge(logs, snaps, 8n)).toEqual({ logs: ["log.1", "log.4"], snapshots: ["snapshot.2", "snapshot.5", "snapshot.3.gz"] });
    // A log starting exactly at the kept zxid covers it alone; the one before may go.
    expect(filesToPurge(logs, snaps, 7n).logs).toEqual(["log.1", "log.4"]);
    expect(filesToPurge(logs, snaps, 0x10n).logs).toEqual(["log.1", "log.4", "log.7", "log.a"]);
  });

  it("T22 with 5 snapshots, retain 3: the 2 oldest snapshots and the logs before the kept boundary go, the log covering it stays", async () => {
    const dir = await tempDir();
    captureLog();
    const b = await fiveSnapshots(dir);
    expect(await names(dir)).toEqual(["log.1", "log.4", "log.7", "log.a", "log.d", "snapshot.2", "snapshot.5", "snapshot.8", "snapshot.b", "snapshot.e"].sort());
    const removed = await purge(dir, dir, 3);
    expect(removed.map((p) => p.substring(p.lastIndexOf("/") + 1)).sort()).toEqual(["log.1", "log.4", "snapshot.2", "snapshot.5"]);
    expect(await names(dir)).toEqual(["log.7", "log.a", "log.d", "snapshot.8", "snapshot.b", "snapshot.e"]);

    // The oldest kept snapshot is still restorable to the end: it needs log.7 for 0x9.
    await rm(join(dir, "version-2", "snapshot.b"));
    await rm(join(dir, "version-2", "snapshot.e"));
    const s = await FileTxnSnapLog.open(dir, dir);
    const tree = new DataTree({ extendedTypesEnabled: true });
    expect(await s.restore(tree, new Map(), () => undefined)).toBe(0xfn);
    await s.close();
    expect(dumpTree(tree)).toEqual(dumpTree(b.tree));
  });

  it("T22 retain 2 throws Java's message, and touches nothing", async () => {
    const dir = await tempDir();
    await fiveSnapshots(dir);
    const before = await names(dir);
    await expect(purge(dir, dir, 2)).rejects.toThrow(COUNT_ERR_MSG);
    expect(COUNT_ERR_MSG).toBe("count should be greater than or equal to 3");
    expect(await names(dir)).toEqual(before);
  });

  it("counts only valid snapshots: a half-written newest one does not push a good one out", async () => {
    const dir = await tempDir();
    captureLog();
    await fiveSnapshots(dir);
    const newest = join(dir, "version-2", "snapshot.e");
    const bytes = await readFile(newest);
    await writeFile(newest, bytes.subarray(0, bytes.length - 3));
    await purge(dir, dir, 3);
    // Valid: b, 8, 5 → 5 is the oldest kept; log.4 covers it.
    expect(await names(dir)).toEqual(["log.4", "log.7", "log.a", "log.d", "snapshot.5", "snapshot.8", "snapshot.b", "snapshot.e"]);
  });
});

describe("DatadirCleanupManager", () => {
  const HOUR = 3600_000;
  /** Waits (in real time: the purge does real file I/O) until `until` holds. */
  const settle = async (until: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!until() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    expect(until()).toBe(true);
  };
  /** A manager that is shut down when the test ends, whatever happens. */
  const manager = (...args: ConstructorParameters<typeof DatadirCleanupManager>) => {
    const m = new DatadirCleanupManager(...args);
    onTestFinished(async () => {
      if (m.getPurgeTaskStatus() === "STARTED") await m.shutdown();
    });
    return m;
  };

  it("T27 interval 0: nothing is scheduled", async () => {
    const clock = new ManualClock();
    const lines = captureLog();
    const m = new DatadirCleanupManager("/nonexistent", "/nonexistent", 3, 0, clock);
    m.start();
    expect(clock.pending).toBe(0);
    expect(m.getPurgeTaskStatus()).toBe("NOT_STARTED");
    expect(lines.some((l) => l.includes("Purge task is not scheduled."))).toBe(false); // INFO is below the test log level
    await m.shutdown();
    expect(lines.some((l) => l.includes("WARN") && l.includes("Purge task not started. Ignoring shutdown!"))).toBe(true);
  });

  it("T27 interval 1: purges at t=0, then every hour; a second start only warns; shutdown cancels", async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    const lines = captureLog();
    await fiveSnapshots(dir);
    const m = manager(dir, dir, 3, 1, clock);
    m.start();
    expect(m.getPurgeTaskStatus()).toBe("STARTED");
    expect(clock.pending).toBe(1);
    clock.advance(0);
    await settle(() => clock.pending === 1);
    expect(await names(dir)).toEqual(["log.7", "log.a", "log.d", "snapshot.8", "snapshot.b", "snapshot.e"]);

    m.start();
    expect(lines.some((l) => l.includes("WARN") && l.includes("Purge task is already running."))).toBe(true);
    expect(clock.pending).toBe(1);

    // New snapshots appear; nothing happens until the hour is up.
    await writeFile(join(dir, "version-2", "snapshot.f"), await readFile(join(dir, "version-2", "snapshot.e")));
    clock.advance(HOUR - 1);
    expect((await names(dir)).includes("snapshot.8")).toBe(true);
    clock.advance(1);
    await settle(() => clock.pending === 1);
    expect(await names(dir)).not.toContain("snapshot.8");

    await m.shutdown();
    expect(clock.pending).toBe(0);
    expect(m.getPurgeTaskStatus()).toBe("COMPLETED");
  });

  it("T27 a failing purge is logged and the schedule goes on; a retain count below 3 becomes 3", async () => {
    const root = await tempDir();
    const clock = new ManualClock();
    const lines = captureLog();
    const file = join(root, "not-a-dir");
    await writeFile(file, "x");
    const m = manager(file, file, 1, 2, clock);
    expect(m.snapRetainCount).toBe(3);
    m.start();
    clock.advance(0);
    await settle(() => clock.pending === 1);
    expect(lines.some((l) => l.includes("ERROR") && l.includes("Error occurred while purging."))).toBe(true);
    clock.advance(2 * HOUR);
    await settle(() => lines.filter((l) => l.includes("Error occurred while purging.")).length === 2);
    await m.shutdown();
  });

  it("T27 its timers do not keep the process alive", async () => {
    const handles: NodeJS.Timeout[] = [];
    const clock: Clock = {
      ...systemClock,
      setTimeout: (fn, ms) => {
        const h = setTimeout(fn, ms + 3_600_000) as NodeJS.Timeout;
        handles.push(h);
        return h;
      },
    };
    const m = new DatadirCleanupManager("/nonexistent", "/nonexistent", 3, 1, clock);
    m.start();
    expect(handles).toHaveLength(1);
    expect(handles[0]!.hasRef()).toBe(false);
    await m.shutdown();
  });
});
