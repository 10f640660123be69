/**
 * ZooKeeperServerMetrics — the gauges a running server registers: latencies, packets,
 * connections, tree size, watches, sessions, file descriptors.
 *
 * Reimplements `ZooKeeperServer.registerMetrics`. Chapter 03 (operations). A gauge is a
 * function read at dump time, so `mntr` and `/metrics` always show current values.
 *
 * Differs from Java: registration is idempotent and done by whoever first needs the
 * metrics (the four-letter words or startOperations), because our ZooKeeperServer does
 * not depend on the metrics code. Gauges for parts we lack are not registered:
 * local_sessions (no local sessions), connection_drop_probability (no connection
 * throttle), outstanding_tls_handshake and the non_mtls_* counts (no TLS),
 * auth_failed_count (Java counts TLS client-certificate failures only).
 */
import type { ZooKeeperServer } from "../ZooKeeperServer.js";
import { javaNodeCount, type CnxnFactoryView } from "../command/CommandContext.js";
import { getMaxFileDescriptorCount, getOpenFileDescriptorCount } from "./OSMXBean.js";
import type { ServerMetrics } from "./ServerMetrics.js";

const registered = new WeakSet<ServerMetrics>();

// #region registerMetrics
export function registerMetrics(zks: ZooKeeperServer, factory: CnxnFactoryView): void {
  const metrics = zks.serverStats.metrics;
  if (registered.has(metrics)) return;
  registered.add(metrics);
  const root = metrics.getRootContext();
  const stats = zks.serverStats;
  const tree = () => zks.zkDb.dataTree;

  root.registerGauge("avg_latency", () => stats.avgLatency, "double");
  root.registerGauge("max_latency", () => stats.maxLatency);
  root.registerGauge("min_latency", () => stats.minLatency);
  root.registerGauge("packets_received", () => stats.packetsReceived);
  root.registerGauge("packets_sent", () => stats.packetsSent);
  root.registerGauge("num_alive_connections", () => factory.numAliveConnections);
  root.registerGauge("outstanding_requests", () => zks.inProcessCount);
  root.registerGauge("uptime", () => stats.uptime);
  root.registerGauge("znode_count", () => javaNodeCount(zks));
  root.registerGauge("watch_count", () => tree().watchCount);
  root.registerGauge("ephemerals_count", () => tree().ephemeralsCount);
  root.registerGauge("approximate_data_size", () => tree().approximateDataSize);
  root.registerGauge("global_sessions", () => zks.zkDb.sessionsWithTimeouts.size);
  root.registerGauge("open_file_descriptor_count", getOpenFileDescriptorCount);
  root.registerGauge("max_file_descriptor_count", getMaxFileDescriptorCount);
  root.registerGauge("last_client_response_size", () => stats.clientResponseStats.lastBufferSize);
  root.registerGauge("max_client_response_size", () => stats.clientResponseStats.maxBufferSize);
  root.registerGauge("min_client_response_size", () => stats.clientResponseStats.minBufferSize);

  // DataTree counts digest mismatches itself; mirror its count into Java's counter.
  let seen = tree().digestMismatches;
  metrics.addSampler(() => {
    const now = tree().digestMismatches;
    if (now > seen) metrics.DIGEST_MISMATCHES_COUNT.add(now - seen);
    seen = now;
  });
}
// #endregion registerMetrics
