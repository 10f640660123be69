/**
 * MonitorCommand — `mntr`: every metric as `zk_<key>\t<value>`, one per line.
 *
 * Reimplements `org.apache.zookeeper.server.command.MonitorCommand` and
 * `ZooKeeperServer.dumpMonitorValues`. Chapter 03 (operations). First the two values
 * that are not metrics (version and server state), then whatever the metrics provider
 * dumps: with the default provider gauges, counters and summaries in Java's order
 * (DefaultMetricsProvider.ts); with Prometheus its samples (`fsynctime{quantile="0.5"}`).
 * Integers print as integers, other numbers as Java doubles (`0.0`, `19.5714`).
 */
import { registerMetrics } from "../metrics/ZooKeeperServerMetrics.js";
import type { MetricValue } from "../metrics/MetricsContext.js";
import { serverState, VERSION, ZK_NOT_SERVING, type CommandContext } from "./CommandContext.js";
import { javaDoubleToString } from "./JavaFormat.js";

// #region monitor-values
/** dumpMonitorValues + the provider's dump: what `mntr` and the admin `monitor` share. */
export function monitorValues(ctx: CommandContext): [string, MetricValue][] {
  registerMetrics(ctx.zks, ctx.factory);
  const out: [string, MetricValue][] = [
    ["version", { kind: "string", value: VERSION }],
    ["server_state", { kind: "string", value: serverState(ctx.zks) }],
  ];
  ctx.zks.serverStats.metrics.dump((key, value) => out.push([key, value]));
  return out;
}
// #endregion monitor-values

export function formatMetricValue(v: MetricValue): string {
  if (v.kind === "double") return javaDoubleToString(v.value);
  return String(v.value);
}

export function mntr(ctx: CommandContext): string {
  if (!ctx.zks.isRunning()) return ZK_NOT_SERVING + "\n";
  return monitorValues(ctx)
    .map(([k, v]) => `zk_${k}\t${formatMetricValue(v)}\n`)
    .join("");
}
