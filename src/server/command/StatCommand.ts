/**
 * StatCommand — `stat` and `srvr`: version, latency, packet counts, connections, the
 * last zxid, the mode and the node count; `stat` also lists the clients.
 *
 * Reimplements `org.apache.zookeeper.server.command.StatCommand` and
 * `ServerStats.toString`. Chapter 03 (operations). `zkServer.sh status` runs `srvr` and
 * reads the `Mode:` line, which is why `srvr` is allowed whatever the whitelist says.
 */
import { javaNodeCount, serverState, VERSION, ZK_NOT_SERVING, type CommandContext } from "./CommandContext.js";
import { javaDoubleToString, longToHexString } from "./JavaFormat.js";

/** ServerStats.toString. */
export function serverStatsText(ctx: CommandContext): string {
  const s = ctx.zks.serverStats;
  return (
    `Latency min/avg/max: ${s.minLatency}/${javaDoubleToString(s.avgLatency)}/${s.maxLatency}\n` +
    `Received: ${s.packetsReceived}\n` +
    `Sent: ${s.packetsSent}\n` +
    `Connections: ${ctx.factory.numAliveConnections}\n` +
    `Outstanding: ${ctx.zks.inProcessCount}\n` +
    `Zxid: 0x${longToHexString(ctx.zks.zkDb.dataTree.lastProcessedZxid)}\n` +
    `Mode: ${serverState(ctx.zks)}\n`
  );
}

// #region stat
export function stat(ctx: CommandContext, withClients: boolean): string {
  if (!ctx.zks.isRunning()) return ZK_NOT_SERVING + "\n";
  let out = `Zookeeper version: ${VERSION}\n`;
  if (withClients) {
    out += "Clients:\n";
    for (const c of ctx.factory.getConnections()) out += c.dumpConnectionInfo(true) + "\n";
    out += "\n";
  }
  out += serverStatsText(ctx);
  out += `Node count: ${javaNodeCount(ctx.zks)}\n`;
  return out;
}
// #endregion stat
