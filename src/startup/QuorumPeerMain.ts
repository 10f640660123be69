/**
 * QuorumPeerMain — the `zk-server` entry point: parse zoo.cfg, start the purge task, and
 * run standalone or as a member of an ensemble.
 *
 * Reimplements `org.apache.zookeeper.server.quorum.QuorumPeerMain` (main,
 * initializeAndRun). Chapter 03: [001 L1182–1198] (3.5: `isDistributed()`), [003 L274]
 * (3.4: any `server.N` line means cluster mode), [002 L145–364] (3.6 config parse).
 *
 * T25: one voting server (or none) → standalone, ZooKeeperServerMain; more than one
 * voter (or standaloneEnabled=false) → the quorum peer. The quorum peer (election, sync,
 * broadcast: chapters 05–08) is not part of this build yet; a distributed zoo.cfg is
 * checked (T26: myid must be one of the server.N lines) and then refused with an
 * explicit message rather than silently run standalone.
 */
import { trace } from "../trace/index.js";
import { getLogger, setLogServerId } from "../util/Logger.js";
import { DatadirCleanupManager } from "../persistence/DatadirCleanupManager.js";
import { DatadirException } from "../persistence/FileTxnSnapLog.js";
import { AdminServerException } from "../server/admin/AdminServer.js";
import { InvalidArgumentsError } from "../server/AuthenticationHelper.js";
import { SnapshotFailure } from "../server/ZooKeeperServer.js";
import { ConfigException, isDistributed, parseConfigFile, type ZooCfg } from "./QuorumPeerConfig.js";
import { runFromConfig, type RunningServer } from "./ZooKeeperServerMain.js";

const LOG = getLogger("QuorumPeerMain");

/**
 * ExitCode values of ZooKeeper's ServiceUtils, plus one of ours. "This build cannot run
 * an ensemble" has no Java code; it takes 78, sysexits' EX_CONFIG ("configuration
 * error"), which no Java ExitCode uses, so a script never mistakes it for one of them.
 */
export const ExitCode = {
  EXECUTION_FINISHED: 0,
  UNEXPECTED_ERROR: 1,
  INVALID_INVOCATION: 2,
  UNABLE_TO_ACCESS_DATADIR: 3,
  ERROR_STARTING_ADMIN_SERVER: 4,
  TXNLOG_ERROR_TAKING_SNAPSHOT: 10,
  QUORUM_NOT_SUPPORTED: 78,
} as const;

// #region mode-selection
export type Mode = "standalone" | "quorum";

export function chooseMode(cfg: ZooCfg): Mode {
  return isDistributed(cfg) ? "quorum" : "standalone";
}

/** QuorumPeer.start's first check: this server must be one of the server.N lines. */
export function checkPeerList(cfg: ZooCfg): void {
  if (!cfg.servers.has(cfg.serverId)) throw new Error(`My id ${cfg.serverId} not in the peer list`);
}
// #endregion mode-selection

export interface Started {
  mode: Mode;
  server: RunningServer;
  purge: DatadirCleanupManager;
}

// #region initializeAndRun
export async function initializeAndRun(configPath: string): Promise<Started> {
  const cfg = parseConfigFile(configPath);
  if (cfg.serverId >= 0n) setLogServerId(cfg.serverId);
  trace.state("QuorumPeerMain", "zoo.cfg parsed", { tickTime: cfg.tickTime, servers: cfg.servers.size, myid: cfg.serverId < 0n ? "none" : cfg.serverId });
  // Java starts the purge task before it knows the mode: both modes purge alike.
  const purge = new DatadirCleanupManager(cfg.dataDir, cfg.dataLogDir, cfg.snapRetainCount, cfg.purgeInterval);
  trace.message("QuorumPeerMain", "DatadirCleanupManager", "start", { snapRetainCount: purge.snapRetainCount, purgeInterval: cfg.purgeInterval });
  purge.start();
  const mode = chooseMode(cfg);
  trace.state("QuorumPeerMain", mode === "quorum" ? "isDistributed: quorum" : "isDistributed false: standalone");
  if (mode === "quorum") {
    await purge.shutdown();
    checkPeerList(cfg);
    throw new QuorumNotSupported(
      `${configPath} defines an ensemble (${cfg.servers.size} servers); quorum mode (election, sync, broadcast) is not part of this build yet. Remove the server.N lines (or leave one) to run standalone.`,
    );
  }
  LOG.warn("Either no config or no quorum defined in config, running in standalone mode");
  trace.message("QuorumPeerMain", "ZooKeeperServerMain", "runFromConfig");
  try {
    const server = await runFromConfig(cfg);
    return { mode, server, purge };
  } catch (e) {
    await purge.shutdown();
    throw e;
  }
}
// #endregion initializeAndRun

export class QuorumNotSupported extends Error {
  override name = "QuorumNotSupported";
}

/** Java's takeSnapshot on an IOException: ZooKeeperServer has logged it; exit 10. */
function snapshotFailureExit(e: SnapshotFailure): number {
  process.stderr.write(`Severe unrecoverable error, exiting: ${e.message}\n`);
  return ExitCode.TXNLOG_ERROR_TAKING_SNAPSHOT;
}

// #region main
/** The process entry: exit codes as zkServer.sh expects them. */
export async function main(args: string[]): Promise<number> {
  if (args.length !== 1) {
    process.stderr.write("Usage: zk-server zoo.cfg\n");
    return ExitCode.INVALID_INVOCATION;
  }
  let started: Started;
  try {
    started = await initializeAndRun(args[0]!);
  } catch (e) {
    if (e instanceof InvalidArgumentsError) {
      LOG.error(`Invalid arguments, exiting abnormally: ${e.message}`);
      process.stderr.write(`Invalid arguments, exiting abnormally: ${e.message}\n`);
      return ExitCode.INVALID_INVOCATION;
    }
    if (e instanceof ConfigException) {
      LOG.error(`Invalid config, exiting abnormally: ${e.message}`);
      process.stderr.write(`Invalid config, exiting abnormally: ${e.message}\n`);
      return ExitCode.INVALID_INVOCATION;
    }
    if (e instanceof QuorumNotSupported) {
      process.stderr.write(`${e.message}\n`);
      return ExitCode.QUORUM_NOT_SUPPORTED;
    }
    if (e instanceof DatadirException) {
      LOG.error("Unable to access datadir, exiting abnormally", e);
      process.stderr.write(`Unable to access datadir, exiting abnormally: ${e.message}\n`);
      return ExitCode.UNABLE_TO_ACCESS_DATADIR;
    }
    if (e instanceof SnapshotFailure) return snapshotFailureExit(e);
    if (e instanceof AdminServerException) {
      LOG.error("Unable to start AdminServer, exiting abnormally", e);
      process.stderr.write(`Unable to start AdminServer, exiting abnormally: ${e.message}\n`);
      return ExitCode.ERROR_STARTING_ADMIN_SERVER;
    }
    LOG.error("Unexpected exception, exiting abnormally", e);
    process.stderr.write(`Unexpected exception, exiting abnormally: ${(e as Error).message}\n`);
    return ExitCode.UNEXPECTED_ERROR;
  }
  const stop = () => {
    LOG.info("Received shutdown signal");
    void started.server.shutdown();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await started.server.closed;
  await started.purge.shutdown();
  // A snapshot that failed while serving stopped the server too, and exits as at start.
  if (started.server.zks.fatalError instanceof SnapshotFailure) return snapshotFailureExit(started.server.zks.fatalError);
  LOG.info("Exiting normally");
  return ExitCode.EXECUTION_FINISHED;
}
// #endregion main
