/**
 * Test helpers for the recipes: a started CuratorFramework closed when the test ends,
 * waiting for a condition, and recording connection states.
 */
import { afterAll, beforeAll, onTestFinished } from "vitest";
import { ZooKeeper } from "../../../src/client/ZooKeeper.js";
import { ConnectionState } from "../../../src/recipes/framework/ConnectionState.js";
import { CuratorFrameworkFactory, type CuratorFramework } from "../../../src/recipes/framework/CuratorFramework.js";
import { BoundedExponentialBackoffRetry, ExponentialBackoffRetry, type RetryPolicy } from "../../../src/recipes/framework/RetryPolicy.js";
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

/**
 * A client connected through `proxy` (so a test can cut it), its states recorded. The
 * bounded back-off matters: an unbounded exponential one may sleep for seconds after the
 * connection is back.
 */
export async function clientVia(proxy: TcpProxy, sessionTimeoutMs: number): Promise<{ client: CuratorFramework; states: ConnectionState[] }> {
  const client = CuratorFrameworkFactory.builder().connectString(proxy.connectString).sessionTimeoutMs(sessionTimeoutMs).connectionTimeoutMs(1000).retryPolicy(new BoundedExponentialBackoffRetry(50, 400, 50)).build();
  const states = recordStates(client);
  client.start();
  onTestFinished(() => client.close());
  await client.blockUntilConnected(10_000);
  return { client, states };
}

/** Every connection state the client posts from now on. */
export function recordStates(client: CuratorFramework): ConnectionState[] {
  const states: ConnectionState[] = [];
  client.getConnectionStateListenable().addListener((_c, s) => {
    states.push(s);
  });
  return states;
}

/**
 * Polls `cond` until it is true (or throws after `timeoutMs`, naming `what`). A `cond`
 * that throws (say NONODE before a path exists) counts as "not yet"; its last error is
 * in the timeout message.
 */
export async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${lastError === null ? "" : ` (last error: ${String(lastError)})`}`);
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
