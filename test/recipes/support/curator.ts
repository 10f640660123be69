/**
 * Test helpers for the recipes: a started CuratorFramework closed when the test ends,
 * waiting for a condition, and recording connection states.
 */
import { afterAll, beforeAll, onTestFinished } from "vitest";
import { ZooKeeper } from "../../../src/client/ZooKeeper.js";
import { ConnectionState } from "../../../src/recipes/framework/ConnectionState.js";
import { CuratorFrameworkFactory, type CuratorFramework } from "../../../src/recipes/framework/CuratorFramework.js";
import { ExponentialBackoffRetry, type RetryPolicy } from "../../../src/recipes/framework/RetryPolicy.js";
import type { RunningServer, ServerFactory } from "../../client/support/servers.js";
import { startTcpProxy, type TcpProxy } from "../../client/support/tcpProxy.js";

export interface ClientOptions {
  namespace?: string;
  sessionTimeoutMs?: number;
  connectionTimeoutMs?: number;
  retryPolicy?: RetryPolicy;
}

/** A started client (closed when the test finishes), connected before it is returned. */
export async function startedClient(connectString: string, opts: ClientOptions = {}): Promise<CuratorFramework> {
  const client = CuratorFrameworkFactory.builder()
    .connectString(connectString)
    .sessionTimeoutMs(opts.sessionTimeoutMs ?? 10_000)
    .connectionTimeoutMs(opts.connectionTimeoutMs ?? 5_000)
    .retryPolicy(opts.retryPolicy ?? new ExponentialBackoffRetry(100, 5))
    .namespace(opts.namespace ?? null)
    .build();
  client.start();
  onTestFinished(() => client.close());
  if (!(await client.blockUntilConnected(20_000))) throw new Error(`no connection to ${connectString}`);
  return client;
}

/**
 * One server for a describe block (started in beforeAll, stopped in afterAll), with a TCP
 * proxy in front of it for the tests that cut connections. tickTime 500: sessions may be
 * as short as 1 s, so the expiry tests stay quick.
 */
export function useServer(factory: ServerFactory): { readonly server: RunningServer; readonly proxy: TcpProxy } {
  const env = {} as { server: RunningServer; proxy: TcpProxy };
  beforeAll(async () => {
    env.server = await factory.start({ tickTime: 500 });
    env.proxy = await startTcpProxy(env.server.port);
  });
  afterAll(async () => {
    await env.proxy?.close();
    await env.server?.stop();
  });
  return env;
}

/** A plain handle on the server, to check what the recipes wrote (closed when the test ends). */
export function rawClient(connectString: string): ZooKeeper {
  const zk = new ZooKeeper(connectString, 10_000);
  onTestFinished(() => zk.close());
  return zk;
}

/** Every connection state the client posts from now on. */
export function recordStates(client: CuratorFramework): ConnectionState[] {
  const states: ConnectionState[] = [];
  client.getConnectionStateListenable().addListener((_c, s) => {
    states.push(s);
  });
  return states;
}

/** Polls `cond` until it is true (or throws after `timeoutMs`, naming `what`). */
export async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A unique path per test, so tests sharing one server do not see each other's nodes. */
let counter = 0;
export function uniquePath(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

export { ConnectionState };
