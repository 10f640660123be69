/**
 * ConnectionStateManager on its own (no server): which ConnectionState a run of ZooKeeper
 * connection events becomes — the first positive one is CONNECTED, READ_ONLY counts as
 * negative, repeats are dropped, SUSPENDED is not posted while LOST — and when it injects
 * a session expiration (SUSPENDED for a whole session timeout), and the CURATOR-525 repair.
 * READ_ONLY end to end needs a server without quorum (see test/client/interop-ensemble).
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { ConnectionState, ConnectionStateManager, type ConnectionStateListener } from "../../src/recipes/framework/ConnectionState.js";
import { StandardListenerManager } from "../../src/recipes/framework/Listenable.js";
import { sleep, waitUntil } from "./support/curator.js";

function manager(opts: { sessionTimeoutMs?: number; percent?: number; connected?: () => boolean } = {}) {
  const posted: ConnectionState[] = [];
  let injections = 0;
  const listeners = new StandardListenerManager<ConnectionStateListener<string>>();
  listeners.addListener((client, s) => {
    expect(client).toBe("the client");
    posted.push(s);
  });
  const m = new ConnectionStateManager(
    () => "the client",
    listeners,
    {
      sessionTimeoutMs: () => opts.sessionTimeoutMs ?? 60_000,
      isConnected: opts.connected ?? (() => false),
      injectSessionExpiration: () => void injections++,
    },
    opts.percent ?? 100,
  );
  m.start();
  onTestFinished(() => m.close());
  return { m, posted, injections: () => injections };
}

describe("ConnectionStateManager", () => {
  it("the first positive state is posted as CONNECTED, later ones as they are; repeats are dropped", async () => {
    const { m, posted } = manager();
    m.addStateChange(ConnectionState.RECONNECTED);
    m.addStateChange(ConnectionState.RECONNECTED);
    m.setToSuspended();
    m.setToSuspended();
    m.addStateChange(ConnectionState.RECONNECTED);
    await waitUntil(() => posted.length === 3, "three states");
    expect(posted).toEqual([ConnectionState.CONNECTED, ConnectionState.SUSPENDED, ConnectionState.RECONNECTED]);
  });

  it("READ_ONLY is negative: a read-only start is READ_ONLY, and the first read-write connection is still CONNECTED", async () => {
    const { m, posted } = manager();
    m.addStateChange(ConnectionState.READ_ONLY);
    m.addStateChange(ConnectionState.RECONNECTED);
    m.addStateChange(ConnectionState.READ_ONLY);
    await waitUntil(() => posted.length === 3, "three states");
    expect(posted).toEqual([ConnectionState.READ_ONLY, ConnectionState.CONNECTED, ConnectionState.READ_ONLY]);
  });

  it("SUSPENDED is not posted while LOST", async () => {
    const { m, posted } = manager();
    m.addStateChange(ConnectionState.RECONNECTED);
    m.addStateChange(ConnectionState.LOST);
    expect(m.setToSuspended()).toBe(false);
    m.addStateChange(ConnectionState.RECONNECTED);
    await waitUntil(() => posted.length === 3, "three states");
    expect(posted).toEqual([ConnectionState.CONNECTED, ConnectionState.LOST, ConnectionState.RECONNECTED]);
  });

  it("SUSPENDED for a whole session timeout injects one session expiration; a reconnect in time does not", async () => {
    const { m, injections } = manager({ sessionTimeoutMs: 200 });
    m.addStateChange(ConnectionState.RECONNECTED);
    m.setToSuspended();
    await sleep(100);
    m.addStateChange(ConnectionState.RECONNECTED);
    await sleep(250);
    expect(injections()).toBe(0);
    m.setToSuspended();
    await waitUntil(() => injections() === 1, "the injection");
    await sleep(300);
    expect(injections()).toBe(1);
  });

  it("sessionExpirationPercent: 50 injects at half the timeout, 0 never", async () => {
    const half = manager({ sessionTimeoutMs: 400, percent: 50 });
    half.m.setToSuspended();
    await sleep(300);
    expect(half.injections()).toBe(1);
    const never = manager({ sessionTimeoutMs: 100, percent: 0 });
    never.m.setToSuspended();
    await sleep(250);
    expect(never.injections()).toBe(0);
  });

  it("CURATOR-525: LOST posted while the handle is already connected again is followed by RECONNECTED", async () => {
    const { m, posted } = manager({ connected: () => true });
    m.addStateChange(ConnectionState.RECONNECTED);
    m.addStateChange(ConnectionState.LOST);
    await waitUntil(() => posted.length === 3, "the repair");
    expect(posted).toEqual([ConnectionState.CONNECTED, ConnectionState.LOST, ConnectionState.RECONNECTED]);
  });
});
