/**
 * SyncRequestProcessor — logs each write to disk before it is applied, many writes per
 * fsync, and takes snapshots.
 *
 * Reimplements `org.apache.zookeeper.server.SyncRequestProcessor`. Chapter 07 (the
 * standalone chain; followers reuse it, chapter 08, where its successor sends the ACK
 * instead of applying).
 *
 * Group commit: writes are appended to the log's buffer as they come; when the previous
 * stage has handed over its whole batch (`flush()`), or `maxBatchSize` writes wait, the
 * buffer goes to disk with one write and one fsync on the libuv thread pool (a lone txn
 * on a quick disk is written on the event loop: FileTxnLog's inline writes). While that
 * runs, new requests collect for the next batch. When the fsync returns, the next
 * batch's write starts at once, and then the finished batch goes to the next processor
 * in arrival order — so applying one batch overlaps with the disk writing the next.
 *
 * Ordering: a read passes straight to the next processor only when no write is waiting
 * or in flight; otherwise it queues behind them, so a session never reads around its own
 * earlier write, and replies leave in arrival order.
 *
 * Snapshots: after `snapCount/2 + random(snapCount/2)` logged txns (or half the snapshot
 * size limit plus a random amount of bytes) the log is rolled and a snapshot is taken
 * in the background; the randomness keeps an ensemble's servers from snapshotting at
 * the same moment. One snapshot at a time: another one due meanwhile is skipped.
 */
import { trace } from "../trace/index.js";
import { getLogger } from "../util/Logger.js";
import type { Request } from "./Request.js";
import { traceHandOff, type RequestProcessor } from "./RequestProcessor.js";
import type { ZooKeeperServer } from "./ZooKeeperServer.js";

const LOG = getLogger("SyncRequestProcessor");

export class SyncRequestProcessor implements RequestProcessor {
  /** Requests waiting for the next commit, in arrival order. */
  private toFlush: Request[] = [];
  /** The batch whose write + fsync is in flight. */
  private inFlight: Request[] | null = null;
  private randRoll = 0;
  private randSize = 0;
  private snapInProcess = false;
  private stopped = false;

  constructor(
    private readonly zks: ZooKeeperServer,
    private readonly nextProcessor: RequestProcessor | null,
    private readonly random: () => number = Math.random,
  ) {
    this.resetSnapshotStats();
  }

  private resetSnapshotStats(): void {
    const { snapCount, snapSizeLimitBytes } = this.zks.config;
    this.randRoll = Math.floor(this.random() * Math.floor(snapCount / 2));
    this.randSize = snapSizeLimitBytes > 0 ? Math.floor(this.random() * Math.floor(snapSizeLimitBytes / 2)) : 0;
  }

  private shouldSnapshot(): boolean {
    const { snapCount, snapSizeLimitBytes } = this.zks.config;
    const db = this.zks.zkDb;
    return db.txnCount > Math.floor(snapCount / 2) + this.randRoll || (snapSizeLimitBytes > 0 && db.txnSize > Math.floor(snapSizeLimitBytes / 2) + this.randSize);
  }

  // #region sync-process
  processRequest(request: Request): void {
    if (this.stopped) return;
    if (this.zks.zkDb.append(request)) {
      if (this.shouldSnapshot()) {
        this.resetSnapshotStats();
        this.zks.zkDb.rollLog();
        this.takeSnapshotInBackground();
      }
    } else if (this.toFlush.length === 0 && this.inFlight === null) {
      // A read with nothing ahead of it: no need to wait for a disk write.
      traceHandOff("SyncRequestProcessor", this.nextProcessor, request);
      this.nextProcessor?.processRequest(request);
      return;
    }
    this.toFlush.push(request);
    if (this.toFlush.length >= this.zks.config.maxBatchSize) this.flush();
  }

  /** Commits what has collected, unless a commit is already in flight. */
  flush(): void {
    if (this.stopped || this.inFlight !== null || this.toFlush.length === 0) {
      if (this.inFlight === null) this.nextProcessor?.flush?.();
      return;
    }
    const batch = this.toFlush;
    this.toFlush = [];
    this.inFlight = batch;
    this.zks.zkDb.commit().then(
      () => {
        this.inFlight = null;
        if (this.stopped) return;
        if (trace.enabled) trace.state("SyncRequestProcessor", "log written and fsynced", { txns: batch.filter((r) => r.hdr !== null).length });
        // Start the next write + fsync before applying this batch: the disk works on
        // batch N+1 while this thread applies batch N and answers its clients.
        this.flush();
        for (const r of batch) {
          traceHandOff("SyncRequestProcessor", this.nextProcessor, r);
          this.nextProcessor?.processRequest(r);
        }
        this.nextProcessor?.flush?.();
      },
      (err: unknown) => {
        this.inFlight = null;
        LOG.error("Severe unrecoverable error, exiting: could not write the transaction log", err);
        this.zks.fatal(err);
      },
    );
  }
  // #endregion sync-process

  private takeSnapshotInBackground(): void {
    if (this.snapInProcess) {
      LOG.warn("Too busy to snap, skipping");
      return;
    }
    this.snapInProcess = true;
    this.zks.takeSnapshot(false).finally(() => {
      this.snapInProcess = false;
    });
  }

  /** Resolves once the commit in flight (if any) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight !== null || this.toFlush.length > 0) {
      this.flush();
      await new Promise((r) => setImmediate(r));
    }
  }

  shutdown(): void {
    this.stopped = true;
    this.nextProcessor?.shutdown();
  }
}
