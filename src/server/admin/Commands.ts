/**
 * Commands — the admin server's commands: names, aliases, and what each one answers.
 *
 * Reimplements `org.apache.zookeeper.server.admin.Commands` with `Command`/`CommandBase`.
 * Chapter 03 (operations). Every command has a primary name and aliases (most aliases
 * are the four-letter word: `/commands/stat` is `stats`, `/commands/mntr` is
 * `monitor`); the response names the primary name in its `command` field. Commands that
 * need a running server answer an error while it is not serving; an unknown name
 * answers `Unknown command: <name>`. Field names are Java's (Jackson's snake_case of the
 * Java getters).
 *
 * The quorum commands (`leader`, `voting_view`, `zabstate`, `observers`,
 * `observer_connection_stat_reset`) answer what Java answers for a standalone server.
 * A quorum role can replace one with `registerCommand`, as Java's registry allows.
 *
 * Differs from Java: `system_properties` lists what stands for system properties here:
 * the `zookeeper.*` settings zoo.cfg turned into properties, and the runtime values
 * `environment` maps onto Java's property names.
 */
import type { ServerCnxn } from "../ServerCnxn.js";
import { getConf, getDataDirSize, getLogDirSize, javaNodeCount, serverState, snapLogView, VERSION, ZK_NOT_SERVING, type CommandContext } from "../command/CommandContext.js";
import { ephemeralsInJavaOrder } from "../command/DumpCommand.js";
import { environmentList } from "../command/Environment.js";
import { longToHexString } from "../command/JavaFormat.js";
import { monitorValues } from "../command/MonitorCommand.js";
import { getTextTraceLevel, setTextTraceLevel } from "../command/ZooTrace.js";
import { hashSetOrder, longHashOrder } from "../../util/JavaHash.js";
import { CommandResponse } from "./CommandResponse.js";
import { JsonDouble, obj, type JsonObject, type JsonValue } from "./JsonOutputter.js";

export interface Command {
  /** The primary name first, then the aliases. */
  readonly names: readonly string[];
  /** Answer "not currently serving" unless the server runs. */
  readonly serverRequired: boolean;
  run(ctx: CommandContext, kwargs: ReadonlyMap<string, string>, response: CommandResponse): void | Promise<void>;
}

const commands = new Map<string, Command>();
const primaryNames = new Set<string>();

export function registerCommand(command: Command): void {
  for (const name of command.names) commands.set(name, command);
  primaryNames.add(command.names[0]!);
}

export function getPrimaryNames(): string[] {
  return [...primaryNames];
}

// #region runCommand
export async function runCommand(cmdName: string, ctx: CommandContext, kwargs: ReadonlyMap<string, string>): Promise<CommandResponse> {
  const command = commands.get(cmdName);
  if (command === undefined) return new CommandResponse(cmdName, `Unknown command: ${cmdName}`);
  if (command.serverRequired && !ctx.zks.isRunning()) return new CommandResponse(cmdName, ZK_NOT_SERVING);
  const response = new CommandResponse(command.names[0]!);
  await command.run(ctx, kwargs, response);
  return response;
}
// #endregion runCommand

function cmd(names: string[], serverRequired: boolean, run: Command["run"]): void {
  registerCommand({ names, serverRequired, run });
}

/** ServerCnxn.getConnectionInfo. */
function connectionInfo(c: ServerCnxn, brief: boolean): JsonObject {
  const info: [string, JsonValue][] = [
    ["remote_socket_address", `${c.remoteAddress}:${c.socket.remotePort ?? 0}`],
    ["interest_ops", c.interestOps],
    ["outstanding_requests", c.outstandingRequests],
    ["packets_received", c.packetsReceived],
    ["packets_sent", c.packetsSent],
  ];
  if (!brief) {
    info.push(
      ["session_id", c.sessionId],
      ["last_operation", c.lastOp],
      ["established", c.established],
      ["session_timeout", c.sessionTimeout],
      ["last_cxid", c.lastCxid],
      ["last_zxid", c.lastZxid],
      ["last_response_time", c.lastResponseTime],
      ["last_latency", c.lastLatency],
      ["min_latency", c.count === 0 ? 0 : c.minLatency],
      ["avg_latency", c.avgLatency],
      ["max_latency", c.maxLatency],
    );
  }
  return obj(info);
}

function connections(ctx: CommandContext, brief: boolean, r: CommandResponse): void {
  r.put("connections", [...ctx.factory.getConnections()].map((c) => connectionInfo(c, brief)));
  r.put("secure_connections", []);
}

/** The ServerStats bean as Jackson writes it. Without TLS the mTLS and auth-failure counts are 0. */
function serverStatsBean(ctx: CommandContext): JsonObject {
  const s = ctx.zks.serverStats;
  return obj([
    ["packets_sent", s.packetsSent],
    ["packets_received", s.packetsReceived],
    ["fsync_threshold_exceed_count", s.fsyncThresholdExceedCount],
    ["client_response_stats", bufferStats(ctx)],
    ["provider_null", false],
    ["data_dir_size", getDataDirSize(ctx)],
    ["log_dir_size", getLogDirSize(ctx)],
    ["server_state", serverState(ctx.zks)],
    ["last_processed_zxid", ctx.zks.zkDb.dataTree.lastProcessedZxid],
    ["outstanding_requests", ctx.zks.inProcessCount],
    ["avg_latency", new JsonDouble(s.avgLatency)],
    ["max_latency", s.maxLatency],
    ["min_latency", s.minLatency],
    ["num_alive_client_connections", ctx.factory.numAliveConnections],
    ["uptime", s.uptime],
    ["auth_failed_count", 0],
    ["non_mtlsremote_conn_count", 0],
    ["non_mtlslocal_conn_count", 0],
  ]);
}

function bufferStats(ctx: CommandContext): JsonObject {
  const b = ctx.zks.serverStats.clientResponseStats;
  return obj([
    ["last_buffer_size", b.lastBufferSize],
    ["min_buffer_size", b.minBufferSize],
    ["max_buffer_size", b.maxBufferSize],
  ]);
}

function srvr(ctx: CommandContext, r: CommandResponse): void {
  r.put("version", VERSION);
  r.put("read_only", false);
  r.put("server_stats", serverStatsBean(ctx));
  r.put("client_response", bufferStats(ctx));
  r.put("node_count", javaNodeCount(ctx.zks));
}

/** Long.parseLong: an optional sign and decimal digits, within 64 bits. */
function parseJavaLong(text: string | undefined): bigint | null {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return null;
  const v = BigInt(text);
  return v === BigInt.asIntN(64, v) ? v : null;
}

// #region commands
cmd(["connection_stat_reset", "crst"], true, (ctx) => ctx.factory.resetAllConnectionStats());

cmd(["configuration", "conf", "config"], true, (ctx, _, r) => r.putAll(getConf(ctx)));

cmd(["connections", "cons"], true, (ctx, _, r) => connections(ctx, false, r));

cmd(["hash"], true, (ctx, _, r) => {
  const log = ctx.zks.zkDb.dataTree.getDigestLog();
  r.put("digests", log.map((d) => obj([["zxid", d.zxid], ["digest", d.digest], ["digest_version", d.digestVersion]])));
});

cmd(["dirs"], true, (ctx, _, r) => {
  r.put("datadir_size", getDataDirSize(ctx));
  r.put("logdir_size", getLogDirSize(ctx));
});

cmd(["dump"], true, (ctx, _, r) => {
  const expiry = ctx.zks.sessionTracker.getSessionExpiryMap();
  r.put("expiry_time_to_session_ids", obj([...expiry].map(([t, ids]) => [String(t), longHashOrder(ids)])));
  r.put("session_id_to_ephemeral_paths", obj(ephemeralsInJavaOrder(ctx).map(([s, paths]) => [String(s), paths])));
});

cmd(["environment", "env", "envi"], false, async (_ctx, _, r) => r.putAll(await environmentList()));

cmd(["get_trace_mask", "gtmk"], false, (_ctx, _, r) => r.put("tracemask", getTextTraceLevel()));

cmd(["initial_configuration", "icfg"], true, (ctx, _, r) => r.put("initial_configuration", ctx.env.initialConfig ?? null));

cmd(["is_read_only", "isro"], true, (_ctx, _, r) => r.put("read_only", false));

cmd(["last_snapshot", "lsnp"], true, (ctx, _, r) => {
  const info = snapLogView(ctx.zks).getLastSnapshotInfo?.() ?? null;
  r.put("zxid", longToHexString(info === null ? -1n : info.zxid));
  r.put("timestamp", info === null ? -1 : info.timestamp);
});

cmd(["leader", "lead"], true, (_ctx, _, r) => r.put("error", "server is not initialized"));

cmd(["monitor", "mntr"], false, (ctx, _, r) => {
  for (const [k, v] of monitorValues(ctx)) r.put(k, v.kind === "double" ? new JsonDouble(v.value) : v.value);
});

cmd(["observer_connection_stat_reset", "orst"], true, () => {});

cmd(["ruok"], true, () => {});

cmd(["set_trace_mask", "stmk"], false, (_ctx, kwargs, r) => {
  if (!kwargs.has("traceMask")) {
    r.put("error", "setTraceMask requires long traceMask argument");
    return;
  }
  const mask = parseJavaLong(kwargs.get("traceMask"));
  if (mask === null) {
    r.put("error", `setTraceMask requires long traceMask argument, got ${kwargs.get("traceMask")}`);
    return;
  }
  setTextTraceLevel(mask);
  r.put("tracemask", mask);
});

cmd(["server_stats", "srvr"], true, (ctx, _, r) => srvr(ctx, r));

cmd(["stats", "stat"], true, (ctx, _, r) => {
  srvr(ctx, r);
  connections(ctx, true, r);
});

cmd(["stat_reset", "srst"], true, (ctx) => ctx.zks.serverStats.reset());

cmd(["observers", "obsr"], true, (_ctx, _, r) => {
  r.put("synced_observers", 0);
  r.put("observers", []);
});

cmd(["system_properties", "sysp"], false, async (ctx, _, r) => {
  const props = new Map<string, string>(ctx.env.cfg?.properties ?? []);
  for (const [k, v] of await environmentList()) if (!k.startsWith("zookeeper.") && !k.startsWith("os.memory.") && k !== "host.name") props.set(k, v);
  r.putAll([...props].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
});

cmd(["voting_view"], true, (_ctx, _, r) => r.put("current_config", obj([])));

cmd(["watches", "wchc"], true, (ctx, _, r) => {
  const bySession = ctx.zks.zkDb.dataTree.dataWatches.bySession();
  r.put("session_id_to_watched_paths", obj(longHashOrder(bySession.keys()).map((s) => [String(s), hashSetOrder(bySession.get(s)!)])));
});

cmd(["watches_by_path", "wchp"], true, (ctx, _, r) => {
  const byPath = ctx.zks.zkDb.dataTree.dataWatches.byPath();
  r.put("path_to_session_ids", obj(hashSetOrder(byPath.keys()).map((p) => [p, longHashOrder(byPath.get(p)!)])));
});

cmd(["watch_summary", "wchs"], true, (ctx, _, r) => {
  const s = ctx.zks.zkDb.dataTree.dataWatches.summary();
  r.put("num_connections", s.connections);
  r.put("num_paths", s.paths);
  r.put("num_total_watches", s.total);
});

cmd(["zabstate"], false, (_ctx, _, r) => {
  r.put("voting", false);
  r.put("zabstate", "");
});
// #endregion commands
