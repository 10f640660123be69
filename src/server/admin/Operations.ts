/**
 * Operations — everything an operator talks to besides the client port: the
 * four-letter words' settings, the AdminServer and the metrics provider, started and
 * stopped together.
 *
 * Chapter 03 (operations). This is the part of `ZooKeeperServerMain.runFromConfig` that
 * sits around the server: boot the metrics provider, create the admin server and start
 * it, and, on shutdown, stop both. The startup code calls
 *
 *     const ops = await startOperations({ zks, factory, cfg });   // before factory.startup(zks)
 *     ...
 *     await ops.stop();
 *
 * and builds its ServerCnxnFactory with `operations: operationsEnvironment(cfg)` so the
 * four-letter words see the same settings.
 *
 * Differs from Java: the metrics provider belongs to this server (ServerStats.metrics),
 * not to the JVM; startOperations installs it, so call it before the server starts or
 * the measurements taken meanwhile (database load, first snapshot) stay in the default
 * provider it replaces.
 */
import { readFileSync } from "node:fs";
import { getLogger } from "../../util/Logger.js";
import type { ZooCfg } from "../../startup/QuorumPeerConfig.js";
import type { ZooKeeperServer } from "../ZooKeeperServer.js";
import type { CnxnFactoryView, CommandEnvironment } from "../command/CommandContext.js";
import { startMetricsProvider, providerOf } from "../metrics/MetricsProviderBootstrap.js";
import type { MetricsProvider } from "../metrics/MetricsContext.js";
import { PrometheusMetricsProvider } from "../metrics/PrometheusMetricsProvider.js";
import { ServerMetrics } from "../metrics/ServerMetrics.js";
import { registerMetrics } from "../metrics/ZooKeeperServerMetrics.js";
import type { AdminServer } from "./AdminServer.js";
import { createAdminServer } from "./AdminServerFactory.js";

const LOG = getLogger("ZooKeeperServerMain");

export interface OperationsOptions {
  zks: ZooKeeperServer;
  factory: CnxnFactoryView;
  cfg?: ZooCfg;
  /** Overrides what operationsEnvironment(cfg) finds. */
  env?: CommandEnvironment;
}

export interface Operations {
  /** null when admin.enableServer is not "true". */
  admin: AdminServer | null;
  /** The Prometheus endpoint, when zoo.cfg chose that provider. */
  prometheus: PrometheusMetricsProvider | null;
  provider: MetricsProvider;
  env: CommandEnvironment;
  /** Stops the admin server and the metrics provider; idempotent. */
  stop(): Promise<void>;
}

/** What the commands report that the server object does not know: zoo.cfg and its text. */
export function operationsEnvironment(cfg: ZooCfg | undefined): CommandEnvironment {
  if (cfg === undefined) return {};
  let initialConfig: string | undefined;
  try {
    initialConfig = readFileSync(cfg.configFile, "utf8");
  } catch {
    initialConfig = undefined; // parsed from text, not from a file
  }
  // No TLS port is ever served here, so secureClientPort stays -1 whatever zoo.cfg says.
  return { cfg, initialConfig, maxClientCnxns: cfg.maxClientCnxns };
}

// #region startOperations
export async function startOperations(opts: OperationsOptions): Promise<Operations> {
  const env = { ...operationsEnvironment(opts.cfg), ...opts.env };
  const { className, configuration } = providerOf(opts.cfg);
  const provider = await startMetricsProvider(className, configuration);
  opts.zks.serverStats.metrics = new ServerMetrics(provider);
  registerMetrics(opts.zks, opts.factory);
  const admin = createAdminServer({ zks: opts.zks, factory: opts.factory, env }, opts.cfg);
  try {
    await admin?.start();
  } catch (e) {
    await provider.stop();
    throw e;
  }
  let stopping: Promise<void> | null = null;
  return {
    admin,
    prometheus: provider instanceof PrometheusMetricsProvider ? provider : null,
    provider,
    env,
    stop: () =>
      (stopping ??= (async () => {
        await admin?.shutdown().catch((e: unknown) => LOG.warn("Problem stopping AdminServer", e));
        await provider.stop();
      })()),
  };
}
// #endregion startOperations
