/**
 * CommandContext — what a four-letter word or an admin command may look at: the
 * server, the connection factory, and the configuration the server was started with.
 *
 * Reimplements the fields of `AbstractFourLetterCommand` (zkServer, factory) and the
 * getters of `ZooKeeperServer` the commands call (`getConf`/`dumpConf`,
 * `getDataDirSize`, `getLogDirSize`, `getState`, `getNodeCount`). Chapter 03
 * (operations).
 *
 * Differs from Java: ZooKeeperServer here does not know its client port, its
 * directories or its zoo.cfg text (the startup code and the storage do), so those come
 * in as a `CommandEnvironment`, and the directories are read off the storage when it
 * is FileTxnSnapLog. A server on in-memory storage reports empty directories.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ServerCnxn } from "../ServerCnxn.js";
import type { ZooKeeperServer } from "../ZooKeeperServer.js";
import type { ZooCfg } from "../../startup/QuorumPeerConfig.js";

export const ZK_NOT_SERVING = "This ZooKeeper instance is not currently serving requests";
/** Version.getFullVersion(): tools parse the "3.8.0" in front, so we keep Java's shape. */
export const VERSION = "3.8.0-annotated-ts, built on 2026-11-23 00:00 UTC";

/** What the commands need from the connection factory. */
export interface CnxnFactoryView {
  getConnections(): Iterable<ServerCnxn>;
  resetAllConnectionStats(): void;
  readonly numAliveConnections: number;
  /** The bound client port (Java's getLocalPort), once listening. */
  readonly localPort?: number;
}

/** Settings the server object does not carry; the startup code supplies them. */
export interface CommandEnvironment {
  /** The parsed zoo.cfg, when the server was started from one. */
  cfg?: ZooCfg;
  /** The zoo.cfg text as read at startup (`initial_configuration`). */
  initialConfig?: string;
  /** maxClientCnxns as the factory enforces it. */
  maxClientCnxns?: number;
  /** -1 when there is no TLS port, as here always. */
  secureClientPort?: number;
}

export interface CommandContext {
  zks: ZooKeeperServer;
  factory: CnxnFactoryView;
  env: CommandEnvironment;
}

/** The parts of FileTxnSnapLog the commands read, found on the storage if it has them. */
interface SnapLogView {
  /** `<dataLogDir>/version-2`: the txn logs (Java's getDataDir). */
  dataDir?: string;
  /** `<dataDir>/version-2`: the snapshots (Java's getSnapDir). */
  snapDir?: string;
  getLastSnapshotInfo?(): { zxid: bigint; timestamp: number } | null;
}

export function snapLogView(zks: ZooKeeperServer): SnapLogView {
  return zks.zkDb.snapLog as SnapLogView;
}

/** Java's FileTxnSnapLog directories, falling back to zoo.cfg's when the storage is not on disk. */
export function snapDirs(ctx: CommandContext): { snapDir: string; logDir: string } {
  const view = snapLogView(ctx.zks);
  const cfg = ctx.env.cfg;
  const snapDir = view.snapDir ?? (cfg ? join(cfg.dataDir, "version-2") : "");
  const logDir = view.dataDir ?? (cfg ? join(cfg.dataLogDir, "version-2") : "");
  return { snapDir, logDir };
}

/** ZooKeeperServer.getDirSize: the bytes of every file below `path`. */
function dirSize(path: string): number {
  if (path === "") return 0;
  try {
    if (!statSync(path).isDirectory()) return statSync(path).size;
    let size = 0;
    for (const name of readdirSync(path)) size += dirSize(join(path, name));
    return size;
  } catch {
    return 0; // gone meanwhile: Java's File.length() of a missing file is 0 too
  }
}

// Java swaps these two: getDataDirSize measures snapLog.getDataDir(), which is the txn
// log directory, and getLogDirSize the snapshot directory. `dirs` and `conf` print them
// that way, so we do too; with dataLogDir unset (the usual case) both are the same.
export function getDataDirSize(ctx: CommandContext): number {
  return dirSize(snapDirs(ctx).logDir);
}

export function getLogDirSize(ctx: CommandContext): number {
  return dirSize(snapDirs(ctx).snapDir);
}

/** ZooKeeperServer.getState: "standalone" here; quorum roles override getState. */
export function serverState(zks: ZooKeeperServer): string {
  return (zks as { getState?(): string }).getState?.() ?? "standalone";
}

/**
 * DataTree.getNodeCount as Java counts it: its node map holds the root twice (under ""
 * and "/"), so Java's count is one more than the znodes. We report the same number, so
 * `zk_znode_count` agrees across a mixed ensemble.
 */
export function javaNodeCount(zks: ZooKeeperServer): number {
  return zks.zkDb.dataTree.nodeCount + 1;
}

export function isRunning(ctx: CommandContext): boolean {
  return ctx.zks.isRunning();
}

// #region dumpConf
/** ZooKeeperServer.getConf().toMap(): the admin server's `configuration`. */
export function getConf(ctx: CommandContext): [string, number | bigint | string][] {
  const { snapDir, logDir } = snapDirs(ctx);
  const c = ctx.zks.config;
  return [
    ["client_port", ctx.factory.localPort ?? -1],
    ["data_dir", snapDir],
    ["data_log_dir", logDir],
    ["tick_time", c.tickTime],
    ["max_client_cnxns", ctx.env.maxClientCnxns ?? -1],
    ["min_session_timeout", c.minSessionTimeout],
    ["max_session_timeout", c.maxSessionTimeout],
    ["server_id", c.serverId],
    ["client_port_listen_backlog", ctx.env.cfg?.clientPortListenBacklog ?? -1],
  ];
}

/** ZooKeeperServer.dumpConf: the `conf` four-letter word. */
export function dumpConf(ctx: CommandContext): string {
  const conf = new Map(getConf(ctx));
  const lines: [string, unknown][] = [
    ["clientPort", conf.get("client_port")],
    ["secureClientPort", ctx.env.secureClientPort ?? -1],
    ["dataDir", conf.get("data_dir")],
    ["dataDirSize", getDataDirSize(ctx)],
    ["dataLogDir", conf.get("data_log_dir")],
    ["dataLogSize", getLogDirSize(ctx)],
    ["tickTime", conf.get("tick_time")],
    ["maxClientCnxns", conf.get("max_client_cnxns")],
    ["minSessionTimeout", conf.get("min_session_timeout")],
    ["maxSessionTimeout", conf.get("max_session_timeout")],
    ["clientPortListenBacklog", conf.get("client_port_listen_backlog")],
    ["serverId", conf.get("server_id")],
  ];
  return lines.map(([k, v]) => `${k}=${String(v)}\n`).join("");
}
// #endregion dumpConf
