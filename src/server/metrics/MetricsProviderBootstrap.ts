/**
 * MetricsProviderBootstrap — makes the metrics provider zoo.cfg names and starts it.
 *
 * Reimplements `org.apache.zookeeper.metrics.impl.MetricsProviderBootstrap`. Chapter 03
 * (operations): ZooKeeperServerMain does this first, before the server exists, so
 * that everything the server measures from its first moment lands in the provider.
 *
 * Differs from Java: the class name is not loaded reflectively; the two providers
 * ZooKeeper ships are the two known here (QuorumPeerConfig rejects any other name).
 */
import { DEFAULT_METRICS_PROVIDER, PROMETHEUS_METRICS_PROVIDER, type ZooCfg } from "../../startup/QuorumPeerConfig.js";
import { DefaultMetricsProvider } from "./DefaultMetricsProvider.js";
import type { MetricsProvider } from "./MetricsContext.js";
import { PrometheusMetricsProvider } from "./PrometheusMetricsProvider.js";

export class MetricsProviderLifeCycleException extends Error {
  override name = "MetricsProviderLifeCycleException";
}

export async function startMetricsProvider(className: string, configuration: ReadonlyMap<string, string>): Promise<MetricsProvider> {
  let provider: MetricsProvider;
  if (className === PROMETHEUS_METRICS_PROVIDER) provider = new PrometheusMetricsProvider(configuration);
  else if (className === DEFAULT_METRICS_PROVIDER) provider = new DefaultMetricsProvider();
  else throw new MetricsProviderLifeCycleException(`metrics provider class was not found: ${className}`);
  try {
    await provider.start();
  } catch (e) {
    throw new MetricsProviderLifeCycleException(`Cannot boot MetricsProvider ${className}: ${(e as Error).message}`, { cause: e });
  }
  return provider;
}

/** The provider class zoo.cfg names, the default one when it names none. */
export function providerOf(cfg: ZooCfg | undefined): { className: string; configuration: ReadonlyMap<string, string> } {
  return { className: cfg?.metricsProviderClassName ?? DEFAULT_METRICS_PROVIDER, configuration: cfg?.metricsProviderConfiguration ?? new Map() };
}
