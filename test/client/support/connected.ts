/**
 * Small helpers for interop tests: a connected handle that is closed when the test ends,
 * and waiting for an event.
 */
import { onTestFinished } from "vitest";
import { KeeperState } from "../../../src/jute/Watcher.js";
import type { WatchedEvent } from "../../../src/client/WatchedEvent.js";
import { ZooKeeper, type ZooKeeperOptions } from "../../../src/client/ZooKeeper.js";

export interface Recorded {
  zk: ZooKeeper;
  /** Every event the default watcher saw, in order. */
  events: WatchedEvent[];
  /** Resolves at the first event (from now or already seen after `from`) that matches. */
  waitFor(match: (e: WatchedEvent) => boolean, timeoutMs?: number, from?: number): Promise<WatchedEvent>;
}

export function record(connectString: string, sessionTimeout = 10000, options: ZooKeeperOptions = {}): Recorded {
  const events: WatchedEvent[] = [];
  const waiters = new Set<() => void>();
  const zk = new ZooKeeper(connectString, sessionTimeout, (e) => {
    events.push(e);
    for (const w of waiters) w();
  }, options);
  onTestFinished(() => zk.close());
  const waitFor = (match: (e: WatchedEvent) => boolean, timeoutMs = 20000, from = 0) =>
    new Promise<WatchedEvent>((resolve, reject) => {
      const check = () => {
        const hit = events.slice(from).find(match);
        if (!hit) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching event within ${timeoutMs} ms; saw: ${events.join(" | ")}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { zk, events, waitFor };
}

/** A handle whose session is established. */
export async function connected(connectString: string, sessionTimeout = 10000, options: ZooKeeperOptions = {}): Promise<Recorded> {
  const r = record(connectString, sessionTimeout, options);
  await r.waitFor((e) => e.state === KeeperState.SyncConnected);
  return r;
}
