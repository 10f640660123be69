/**
 * ServerMetrics — the named counters and summaries the server feeds, on top of one
 * metrics provider.
 *
 * Reimplements `org.apache.zookeeper.server.ServerMetrics`. Chapter 03 (operations).
 * The names are Java's, so `mntr` keys and Prometheus series keep theirs
 * (`zk_cnt_fsynctime`, `readlatency_sum`). We create only the metrics something here
 * measures; Java's other ~100 (election, learner sync, commit processor queues, ...)
 * belong to parts this server does not have, or to code that has no hook yet, and would
 * print zeros that mean nothing. NOTES-ops.md lists them.
 *
 * Differs from Java: one instance per server (Java's is a JVM-wide static), held by its
 * ServerStats, so two servers in one test process keep their numbers apart. A metric
 * whose source lives in another layer (the txn log's fsync, snapshot loading) is created
 * on first use: it appears once that layer feeds it, instead of sitting at zero.
 */
import { DefaultMetricsProvider } from "./DefaultMetricsProvider.js";
import type { Counter, MetricsContext, MetricsProvider, MetricsSink, Summary } from "./MetricsContext.js";

export class ServerMetrics {
  private readonly root: MetricsContext;
  private readonly samplers: (() => void)[] = [];

  // #region fed-metrics
  /** Writing a snapshot, ms (ZooKeeperServer.takeSnapshot). */
  readonly SNAPSHOT_TIME: Summary;
  /** Loading snapshot + replaying the log at startup, ms (ZooKeeperServer.loadData). */
  readonly DB_INIT_TIME: Summary;
  /** Reads, from arrival to reply, ms (ServerStats.updateLatency). */
  readonly READ_LATENCY: Summary;
  /** Writes, from arrival to reply, ms. */
  readonly UPDATE_LATENCY: Summary;
  /** Connect requests (ServerCnxnFactory.processConnectRequest). */
  readonly CONNECTION_REQUEST_COUNT: Counter;
  /** Connections refused by maxClientCnxns or maxCnxns. */
  readonly CONNECTION_REJECTED: Counter;
  /** Connections closed for staying without a session (ServerCnxnFactory's expirer). */
  readonly SESSIONLESS_CONNECTIONS_EXPIRED: Counter;
  /** Bytes of client frames read, length prefix included (ServerCnxn). */
  readonly BYTES_RECEIVED_COUNT: Counter;
  /** Fatal errors that stopped the server (ZooKeeperServer.fatal). */
  readonly UNRECOVERABLE_ERROR_COUNT: Counter;
  /** Change records retired as their txn was applied (ZooKeeperServer.processTxn). */
  readonly OUTSTANDING_CHANGES_REMOVED: Counter;
  /** Sessions expired by the session tracker (ZooKeeperServer.expire). */
  readonly STALE_SESSIONS_EXPIRED: Counter;
  /** Bytes of replies and of watch notifications (ServerCnxn.sendResponse). */
  readonly RESPONSE_BYTES: Counter;
  readonly WATCH_BYTES: Counter;
  /** Txns whose digest did not match the tree's (mirrored from DataTree.digestMismatches). */
  readonly DIGEST_MISMATCHES_COUNT: Counter;
  // #endregion fed-metrics

  constructor(readonly provider: MetricsProvider = new DefaultMetricsProvider()) {
    const m = provider.getRootContext();
    this.root = m;
    this.SNAPSHOT_TIME = m.getSummary("snapshottime", "BASIC");
    this.DB_INIT_TIME = m.getSummary("dbinittime", "BASIC");
    this.READ_LATENCY = m.getSummary("readlatency", "ADVANCED");
    this.UPDATE_LATENCY = m.getSummary("updatelatency", "ADVANCED");
    this.CONNECTION_REQUEST_COUNT = m.getCounter("connection_request_count");
    this.CONNECTION_REJECTED = m.getCounter("connection_rejected");
    this.SESSIONLESS_CONNECTIONS_EXPIRED = m.getCounter("sessionless_connections_expired");
    this.BYTES_RECEIVED_COUNT = m.getCounter("bytes_received_count");
    this.UNRECOVERABLE_ERROR_COUNT = m.getCounter("unrecoverable_error_count");
    this.OUTSTANDING_CHANGES_REMOVED = m.getCounter("outstanding_changes_removed");
    this.STALE_SESSIONS_EXPIRED = m.getCounter("stale_sessions_expired");
    this.DIGEST_MISMATCHES_COUNT = m.getCounter("digest_mismatches_count");
    this.RESPONSE_BYTES = m.getCounter("response_bytes");
    this.WATCH_BYTES = m.getCounter("watch_bytes");
  }

  // #region hook-metrics
  /** fsync of the txn log, ms: for FileTxnLog, through ServerStats.addFsyncTime. */
  get FSYNC_TIME(): Summary {
    return this.root.getSummary("fsynctime", "BASIC");
  }

  /** For FileTxnSnapLog.restore: time to load the snapshot, txns replayed, time to replay. */
  get STARTUP_SNAP_LOAD_TIME(): Summary {
    return this.root.getSummary("startup_snap_load_time", "BASIC");
  }

  get STARTUP_TXNS_LOADED(): Summary {
    return this.root.getSummary("startup_txns_loaded", "BASIC");
  }

  get STARTUP_TXNS_LOAD_TIME(): Summary {
    return this.root.getSummary("startup_txns_load_time", "BASIC");
  }
  // #endregion hook-metrics

  getRootContext(): MetricsContext {
    return this.root;
  }

  /** Runs before every dump: brings mirrored counters up to date (Prometheus's sampleGauges trick). */
  addSampler(fn: () => void): void {
    this.samplers.push(fn);
  }

  dump(sink: MetricsSink): void {
    for (const s of this.samplers) s();
    this.provider.dump(sink);
  }

  resetAll(): void {
    for (const s of this.samplers) s();
    this.provider.resetAllValues();
  }
}
