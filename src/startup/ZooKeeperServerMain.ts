/**
 * ZooKeeperServerMain — runs one standalone server from a parsed zoo.cfg.
 *
 * Reimplements `org.apache.zookeeper.server.ZooKeeperServerMain.runFromConfig`.
 * Chapter 03; the documents name it but never show it (G14), so the order below is
 * added knowledge (U): metrics and admin server, the transaction log and snapshots,
 * the server, the client port (which loads the database and starts the processors),
 * then the container manager. Q1: standalone has no election and no quorum — one
 * server, the Prep → Sync → Final chain.
 *
 * Lifecycle: `runFromConfig` resolves once the server is serving and returns a handle
 * whose `shutdown()` stops everything in reverse order (idempotent).
 */
import { FileTxnSnapLog } from "../persistence/FileTxnSnapLog.js";
import { DatadirCleanupManager } from "../persistence/DatadirCleanupManager.js";
import { streamModeFromName, streamModeLabel } from "../persistence/SnapStream.js";
import { trace } from "../trace/index.js";
import { getLogger } from "../util/Logger.js";
import { ContainerManager } from "../server/ContainerManager.js";
import { operationsEnvironment, startOperations, type Operations } from "../server/admin/Operations.js";
import { ZooKeeperServer, type ServerConfig } from "../server/ZooKeeperServer.js";
import { warnUnloadableAuthProviders } from "../server/AuthenticationHelper.js";
import { availableParallelism } from "node:os";
import { ConfigException, ConfigProperties, type ZooCfg } from "./QuorumPeerConfig.js";
import { checkFactoryName, nioThreadSizing, ServerCnxnFactory } from "./ServerCnxnFactory.js";

const LOG = getLogger("ZooKeeperServerMain");

export interface RunningServer {
  zks: ZooKeeperServer;
  factory: ServerCnxnFactory;
  operations: Operations;
  /** The port clients connect to (useful with clientPort=0). */
  clientPort: number;
  shutdown(): Promise<void>;
  /** Resolves when the server stops (shutdown, or a fatal error). */
  closed: Promise<void>;
}

// #region server-config
/** ZooKeeperServer's settings from zoo.cfg and its `zookeeper.*` properties. */
export function serverConfigFrom(cfg: ZooCfg): ServerConfig {
  const p = new ConfigProperties(cfg);
  return {
    tickTime: cfg.tickTime,
    minSessionTimeout: cfg.minSessionTimeout,
    maxSessionTimeout: cfg.maxSessionTimeout,
    serverId: cfg.serverId < 0n ? 0n : cfg.serverId,
    snapCount: Math.max(2, p.int("zookeeper.snapCount", 100000)),
    snapSizeLimitBytes: p.int("zookeeper.snapshot.size.limitInKb", 4194304) * 1024,
    maxBatchSize: p.int("zookeeper.maxBatchSize", 1000),
    globalOutstandingLimit: p.int("zookeeper.globalOutstandingLimit", 1000),
    maxBuffer: p.int("zookeeper.jute.maxbuffer", Number(process.env.JUTE_MAXBUFFER ?? 0xfffff)),
    closeSessionTxnEnabled: p.bool("zookeeper.closeSessionTxn.enabled", true),
    enforceQuota: p.bool("zookeeper.enforceQuota", false),
    skipACL: p.string("zookeeper.skipACL", "no") === "yes",
    superDigest: p.string("zookeeper.DigestAuthenticationProvider.superDigest", null),
    digestEnabled: p.bool("zookeeper.digest.enabled", true),
    extendedTypesEnabled: p.bool("zookeeper.extendedTypesEnabled", false),
    enforceAuth: {
      enforceAuthEnabled: p.bool("zookeeper.enforce.auth.enabled", false),
      enforceAuthSchemes: p.string("zookeeper.enforce.auth.schemes", null)?.split(",").map((s) => s.trim()) ?? [],
      sessionRequireClientSASLAuth: p.bool("zookeeper.sessionRequireClientSASLAuth", false),
    },
  };
}
// #endregion server-config

/** ServerCnxnFactory.initMaxCnxns: `zookeeper.maxCnxns` (zoo.cfg `maxCnxns`), 0 if unset or negative. */
function maxCnxnsFrom(p: ConfigProperties): number {
  const n = p.int("zookeeper.maxCnxns", 0);
  if (n < 0) LOG.warn("maxCnxns should be greater than or equal to 0, using default value 0.");
  else if (n === 0) LOG.info("maxCnxns is not configured, using default value 0.");
  else LOG.info(`maxCnxns configured value is ${n}.`);
  return Math.max(n, 0);
}

// #region runFromConfig
export async function runFromConfig(cfg: ZooCfg): Promise<RunningServer> {
  LOG.info("Starting server");
  const p = new ConfigProperties(cfg);
  checkFactoryName(p.string("zookeeper.serverCnxnFactory", null) ?? undefined);
  if (cfg.secureClientPort > 0) {
    throw new ConfigException(`${cfg.configFile}:${cfg.lines.get("secureClientPort")}: secureClientPort: TLS client connections are not supported by this build`);
  }
  const sizing = nioThreadSizing(availableParallelism());
  LOG.info(
    `Java's NIO factory would use ${sizing.selectorThreads} selector thread(s) and ${sizing.workerThreads} worker threads on ${availableParallelism()} cores; this server drives every connection from the event loop`,
  );
  const config = serverConfigFrom(cfg);
  warnUnloadableAuthProviders(cfg.properties);
  const snapshotCompression = streamModeFromName(p.string("zookeeper.snapshot.compression.method", ""));
  LOG.info(`zookeeper.snapshot.compression.method = ${streamModeLabel(snapshotCompression)}`);
  const txnLogSizeLimitInKb = p.int("zookeeper.txnLogSizeLimitInKb", -1);
  if (txnLogSizeLimitInKb > 0) LOG.info(`zookeeper.txnLogSizeLimitInKb = ${txnLogSizeLimitInKb}`);
  const snapLog = await FileTxnSnapLog.open(cfg.dataLogDir, cfg.dataDir, {
    preAllocSizeBytes: p.int("zookeeper.preAllocSize", 65536) * 1024,
    forceSync: p.string("zookeeper.forceSync", "yes") !== "no",
    fsyncWarningThresholdMs: p.int("zookeeper.fsync.warningthresholdms", 1000),
    inlineWriteMaxMicros: p.int("zookeeper.txnLogInlineWriteMaxMicros", 1000),
    txnLogSizeLimitBytes: txnLogSizeLimitInKb * 1024,
    snapshotCompression,
    trustEmptySnapshot: p.bool("zookeeper.snapshot.trust.empty", false),
    autoCreateDataDir: p.bool("zookeeper.datadir.autocreate", true),
    autoCreateDB: p.bool("zookeeper.db.autocreate", true),
  });
  const zks = new ZooKeeperServer(snapLog, config);
  trace.message("ZooKeeperServerMain", "ZooKeeperServer", "new", { minSessionTimeout: config.minSessionTimeout, maxSessionTimeout: config.maxSessionTimeout });
  LOG.info(
    `Created server with tickTime ${config.tickTime} ms minSessionTimeout ${config.minSessionTimeout} ms maxSessionTimeout ${config.maxSessionTimeout} ms clientPortListenBacklog ${cfg.clientPortListenBacklog} datadir ${cfg.dataLogDir}/version-2 snapdir ${cfg.dataDir}/version-2`,
  );
  const factory = new ServerCnxnFactory({
    host: cfg.clientPortAddress ?? "0.0.0.0",
    port: cfg.clientPort,
    maxClientCnxns: cfg.maxClientCnxns,
    listenBacklog: cfg.clientPortListenBacklog,
    maxCnxns: maxCnxnsFrom(p),
    sessionlessCnxnTimeoutMs: p.int("zookeeper.nio.sessionlessCnxnTimeout", 10000),
    fourLetterWordWhitelist: p.string("zookeeper.4lw.commands.whitelist", ""),
    operations: operationsEnvironment(cfg),
  });
  const operations = await startOperations({ zks, factory, cfg });
  trace.message("ZooKeeperServerMain", "Operations", "start", { metrics: cfg.metricsProviderClassName.replace(/.*\.|MetricsProvider$/g, ""), admin: operations.admin === null ? "off" : "on" });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let containers: ContainerManager | null = null;
  let stopping: Promise<void> | null = null;
  const shutdown = () =>
    (stopping ??= (async () => {
      containers?.stop();
      await factory.shutdown();
      await operations.stop();
      resolveClosed();
    })());
  zks.onFatal = (err) => {
    LOG.error("Fatal error, shutting down", err);
    void shutdown();
  };
  try {
    trace.message("ZooKeeperServerMain", "ServerCnxnFactory", "startup(zks)");
    await factory.startup(zks);
  } catch (e) {
    // The port may be bound already (the load failed): close it, and the server.
    await factory.shutdown();
    await operations.stop();
    throw e;
  }
  containers = new ContainerManager(zks, {
    checkIntervalMs: p.int("zookeeper.znode.container.checkIntervalMs", 60000),
    maxPerMinute: p.int("zookeeper.znode.container.maxPerMinute", 10000),
    maxNeverUsedIntervalMs: p.int("zookeeper.znode.container.maxNeverUsedIntervalMs", 0),
  });
  trace.message("ZooKeeperServerMain", "ContainerManager", "start", { checkIntervalMs: p.int("zookeeper.znode.container.checkIntervalMs", 60000) });
  containers.start();
  return { zks, factory, operations, clientPort: factory.localPort, shutdown, closed };
}
// #endregion runFromConfig

export { DatadirCleanupManager };
