/**
 * CuratorZookeeperClient — owns the ZooKeeper handle under a CuratorFramework, replaces it
 * when its session expires, and runs operations in the retry loop.
 *
 * Reimplements Curator's `org.apache.curator.CuratorZookeeperClient`, `ConnectionState`
 * (the curator-client one: connected flag, expired-session reset), `HandleHolder`, and
 * `RetryLoop.callWithRetry`. Chapter 10. The seed only builds the client with its
 * timeouts and retry policy [003 L10–18]; how it reacts to connection events is added
 * knowledge (U), from Curator 5.
 *
 * One handle at a time:
 *
 *     start ─▶ handle #1 ──Expired──▶ handle #2 (a new session) ──Expired──▶ handle #3 …
 *
 * Node layout: none (no znodes).
 *
 * Connection loss / expiry contract:
 * - Disconnected: `isConnected()` turns false; operations wait for the connection (up to
 *   connectionTimeoutMs per attempt, then CONNECTIONLOSS) and are retried per the policy.
 * - Expired (from the server, or injected after SUSPENDED lasted a session timeout): the
 *   handle is dropped without closeSession and a new one is started at once; operations
 *   that failed with SESSIONEXPIRED are retried on it. Watches and ephemerals of the old
 *   session are gone; recipes learn of it through LOST.
 *
 * Differs from Curator: "attempt waits for the connection" is one rule here, where
 * Curator combines `internalBlockUntilConnectedOrTimedOut` before the loop with
 * `checkTimeouts` inside `getZooKeeper()`; the handle's session expiration is injected
 * through a small subclass of our ZooKeeper (CuratorZooKeeper), which does what Java's
 * `ZooKeeperTestable.injectSessionExpiration` does.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { EventType, KeeperState } from "../../jute/Watcher.js";
import { WatchedEvent } from "../../client/WatchedEvent.js";
import { ZooKeeper, type ZooKeeperOptions } from "../../client/ZooKeeper.js";
import { getLogger } from "../../util/Logger.js";
import { Monitor } from "./Monitor.js";
import { DEFAULT_RETRY_SLEEPER, isRetryException, type RetryPolicy } from "./RetryPolicy.js";

const LOG = getLogger("CuratorZookeeperClient");

/** Thrown when an operation is attempted on a closed (or never started) client. */
export class IllegalStateException extends Error {
  override name = "IllegalStateException";
}

// #region injectSessionExpiration
/**
 * Our ZooKeeper handle plus Java's testable `injectSessionExpiration`: deliver Expired to
 * every watcher and stop the send loop without telling the server (pending requests fail
 * with SESSIONEXPIRED). The server expires the session on its own, a timeout later.
 */
export class CuratorZooKeeper extends ZooKeeper {
  injectSessionExpiration(): void {
    this.cnxn.eventThread.queueEvent(new WatchedEvent(EventType.None, KeeperState.Expired, null));
    void this.cnxn.disconnect();
  }
}
// #endregion injectSessionExpiration

export interface CuratorZookeeperClientOptions {
  connectString: string;
  sessionTimeoutMs: number;
  connectionTimeoutMs: number;
  retryPolicy: RetryPolicy;
  canBeReadOnly: boolean;
  /** addAuthInfo calls replayed on every new handle. */
  authInfos: Array<{ scheme: string; auth: Buffer }>;
  /** Extra options for each handle (client config, host provider). */
  zkOptions?: ZooKeeperOptions;
  /** Receives every connection event of the current handle, after this class has acted on it. */
  watcher: (event: WatchedEvent) => void;
}

export class CuratorZookeeperClient {
  private zk: CuratorZooKeeper | null = null;
  private connected = false;
  private started = false;
  private closed = false;
  private instanceIndex = 0;
  private retryPolicy: RetryPolicy;
  private readonly connectionMonitor = new Monitor();
  /** Handles being closed: close() waits for them so no socket outlives the client. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(private readonly opts: CuratorZookeeperClientOptions) {
    this.retryPolicy = opts.retryPolicy;
  }

  start(): void {
    if (this.started) throw new IllegalStateException("Already started");
    this.started = true;
    this.newHandle();
  }

  /** Closes the current handle (closeSession) and waits for every handle to be gone. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    this.connectionMonitor.notifyAll();
    const zk = this.zk;
    this.zk = null;
    if (zk !== null) await zk.close();
    await Promise.all([...this.retiring]);
  }

  isStarted(): boolean {
    return this.started && !this.closed;
  }

  /** The current handle. Throws once closed (or before start). */
  getZooKeeper(): ZooKeeper {
    if (this.zk === null) throw new IllegalStateException(this.closed ? "Client is closed" : "Client is not started");
    return this.zk;
  }

  isConnected(): boolean {
    return this.connected;
  }

  getRetryPolicy(): RetryPolicy {
    return this.retryPolicy;
  }

  setRetryPolicy(policy: RetryPolicy): void {
    this.retryPolicy = policy;
  }

  getConnectionTimeoutMs(): number {
    return this.opts.connectionTimeoutMs;
  }

  /** The timeout the server granted (0 before the first connection). */
  getLastNegotiatedSessionTimeoutMs(): number {
    return this.zk?.getSessionTimeout() ?? 0;
  }

  /** The negotiated session timeout, or the requested one before any connection. */
  getUseSessionTimeoutMs(): number {
    const negotiated = this.getLastNegotiatedSessionTimeoutMs();
    return negotiated > 0 ? negotiated : this.opts.sessionTimeoutMs;
  }

  /** How many handles this client has started (a new one per expired session). */
  getInstanceIndex(): number {
    return this.instanceIndex;
  }

  /** Waits until connected, `timeoutMs` passes (null: no limit) or the client closes. */
  async waitUntilConnected(timeoutMs: number | null, signal?: AbortSignal): Promise<boolean> {
    const deadline = timeoutMs === null ? null : Date.now() + timeoutMs;
    while (!this.connected && !this.closed) {
      const gen = this.connectionMonitor.generation;
      if (this.connected || this.closed) break;
      const left = deadline === null ? null : deadline - Date.now();
      if (left !== null && left <= 0) break;
      await this.connectionMonitor.waitSince(gen, left, signal);
    }
    return this.connected;
  }

  /** Waits up to the connection timeout. */
  blockUntilConnectedOrTimedOut(): Promise<boolean> {
    return this.waitUntilConnected(this.opts.connectionTimeoutMs);
  }

  // #region callWithRetry
  /**
   * Runs `fn` against the current handle until it succeeds, fails with a non-retryable
   * error, or the retry policy gives up. Each attempt first waits (up to the connection
   * timeout) for a connection; not getting one counts as CONNECTIONLOSS.
   */
  async callWithRetry<T>(fn: (zk: ZooKeeper) => Promise<T>, policy: RetryPolicy = this.retryPolicy): Promise<T> {
    const startMs = Date.now();
    let retryCount = 0;
    for (;;) {
      try {
        if (!this.isStarted()) throw new IllegalStateException(this.closed ? "Client is closed" : "Client is not started");
        if (!this.connected && !(await this.blockUntilConnectedOrTimedOut())) {
          if (this.closed) throw new IllegalStateException("Client is closed");
          throw new KeeperException(Code.CONNECTIONLOSS);
        }
        return await fn(this.getZooKeeper());
      } catch (e) {
        if (this.closed || !isRetryException(e)) throw e;
        if (!(await policy.allowRetry(retryCount++, Date.now() - startMs, DEFAULT_RETRY_SLEEPER))) throw e;
        LOG.debug(`Retrying operation (attempt ${retryCount}) after ${(e as Error).message}`);
      }
    }
  }
  // #endregion callWithRetry

  /** Makes the current handle's session expire locally (see ConnectionStateManager). */
  injectSessionExpiration(): void {
    this.zk?.injectSessionExpiration();
  }

  private newHandle(): void {
    this.instanceIndex++;
    const zk: CuratorZooKeeper = new CuratorZooKeeper(this.opts.connectString, this.opts.sessionTimeoutMs, (e) => this.process(zk, e), { ...this.opts.zkOptions, canBeReadOnly: this.opts.canBeReadOnly });
    for (const a of this.opts.authInfos) zk.addAuthInfo(a.scheme, a.auth);
    this.zk = zk;
  }

  // #region process
  /** Connection events of a handle; events of a handle already replaced are dropped. */
  private process(zk: CuratorZooKeeper, event: WatchedEvent): void {
    if (event.type !== EventType.None || zk !== this.zk || this.closed) return;
    const wasConnected = this.connected;
    this.connected = event.state === KeeperState.SyncConnected || event.state === KeeperState.ConnectedReadOnly;
    if (event.state === KeeperState.Expired) this.handleExpiredSession(zk);
    if (event.state === KeeperState.Closed) return;
    if (wasConnected !== this.connected) this.connectionMonitor.notifyAll();
    this.opts.watcher(event);
  }

  /** The session is gone: start a new one right away (Curator's ConnectionState.reset). */
  private handleExpiredSession(old: CuratorZooKeeper): void {
    LOG.warn(`Session expired event received; starting a new handle (session 0x${old.getSessionId().toString(16)} is gone)`);
    const closing = old.close().catch(() => undefined);
    this.retiring.add(closing);
    void closing.then(() => this.retiring.delete(closing));
    this.newHandle();
  }
  // #endregion process
}
