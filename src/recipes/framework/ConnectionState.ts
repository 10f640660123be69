/**
 * ConnectionState — the five states Curator reports to recipes and applications, and the
 * manager that turns ZooKeeper's connection events into them.
 *
 * Reimplements Curator's `framework.state.ConnectionState`, `ConnectionStateListener`,
 * `ConnectionStateErrorPolicy` (Standard and Session), and `ConnectionStateManager`.
 * Chapter 10. The seed never shows connection states; all of this is added knowledge (U),
 * from Curator 5.
 *
 * The states, from the ZooKeeper events (see CuratorFramework.validateConnection):
 *
 *     SyncConnected (first time)  → CONNECTED      posted once per CuratorFramework
 *     Disconnected                → SUSPENDED      "may be lost": the session may live on
 *     SyncConnected (afterwards)  → RECONNECTED    same session, or a new one after LOST
 *     Expired                     → LOST           the session, its ephemerals and watches are gone
 *     ConnectedReadOnly           → READ_ONLY      connected to a server without a quorum
 *
 * A state equal to the current one is not posted again; SUSPENDED is not posted while
 * LOST. LOST also comes without the server saying so: when SUSPENDED has lasted a whole
 * (negotiated) session timeout, the manager *injects* a session expiration into the
 * handle (`ZooKeeper.injectSessionExpiration` in Java's testable API), because by then
 * the server has surely expired the session and a recipe must not keep believing it
 * holds a lock. The framework then starts a new handle (a new session).
 *
 * Node layout: none (no znodes).
 *
 * Differs from Curator: listeners run on the event loop, in order, each state change
 * in its own macrotask (Curator uses one dedicated thread and a queue); the expiry check
 * is a timer, not the poll timeout of that thread's queue.
 */
import { getLogger } from "../../util/Logger.js";
import { EventQueue } from "./EventQueue.js";
import type { StandardListenerManager } from "./Listenable.js";
import { RecipeEvent, traceRecipe } from "./RecipeTrace.js";

const LOG = getLogger("ConnectionStateManager");

// #region ConnectionState
export const ConnectionState = {
  CONNECTED: "CONNECTED",
  SUSPENDED: "SUSPENDED",
  RECONNECTED: "RECONNECTED",
  LOST: "LOST",
  READ_ONLY: "READ_ONLY",
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

/** ConnectionState.isConnected(): CONNECTED, RECONNECTED and READ_ONLY. */
export function isConnectedState(s: ConnectionState): boolean {
  return s === ConnectionState.CONNECTED || s === ConnectionState.RECONNECTED || s === ConnectionState.READ_ONLY;
}
// #endregion ConnectionState

/** Called with the framework (typed loosely here to avoid an import cycle) and the new state. */
export type ConnectionStateListener<C = unknown> = ((client: C, newState: ConnectionState) => unknown) | { stateChanged(client: C, newState: ConnectionState): unknown };

export function callStateListener<C>(l: ConnectionStateListener<C>, client: C, s: ConnectionState): unknown {
  return typeof l === "function" ? l(client, s) : l.stateChanged(client, s);
}

// #region ConnectionStateErrorPolicy
/** Which states a recipe treats as "the lock/leadership may be gone". */
export interface ConnectionStateErrorPolicy {
  isErrorState(state: ConnectionState): boolean;
}

/** Curator's default: SUSPENDED and LOST are errors (give up at the first doubt). */
export const StandardConnectionStateErrorPolicy: ConnectionStateErrorPolicy = {
  isErrorState: (s) => s === ConnectionState.SUSPENDED || s === ConnectionState.LOST,
};

/** Only LOST is an error: keep going through SUSPENDED and hope to reconnect in time. */
export const SessionConnectionStateErrorPolicy: ConnectionStateErrorPolicy = {
  isErrorState: (s) => s === ConnectionState.LOST,
};
// #endregion ConnectionStateErrorPolicy

export interface ConnectionStateManagerHooks {
  /** The timeout to measure SUSPENDED against: the negotiated one, or the requested one. */
  sessionTimeoutMs(): number;
  /** Whether the handle is connected right now (for the "LOST while connected" repair). */
  isConnected(): boolean;
  /** Makes the current handle expire locally (Curator: Compatibility.injectSessionExpiration). */
  injectSessionExpiration(): void;
  /** The client's name in trace events (RecipeTrace.ts); none: the states are not traced. */
  traceName?(): string;
}

// #region ConnectionStateManager
export class ConnectionStateManager<C> {
  private currentConnectionState: ConnectionState | null = null;
  private initialConnectMessageSent = false;
  private started = false;
  private readonly queue = new EventQueue((e) => LOG.error("connection-state listener failed", e));
  private expiryTimer: NodeJS.Timeout | null = null;

  constructor(
    /** The framework handed to listeners (a getter: it is built after its manager). */
    private readonly client: () => C,
    readonly listeners: StandardListenerManager<ConnectionStateListener<C>>,
    private readonly hooks: ConnectionStateManagerHooks,
    /** Percent of the session timeout SUSPENDED may last before LOST is forced (0: never). */
    private readonly sessionExpirationPercent = 100,
  ) {}

  start(): void {
    this.started = true;
  }

  close(): void {
    this.started = false;
    this.clearExpiryTimer();
    this.queue.clear();
  }

  getCurrentConnectionState(): ConnectionState | null {
    return this.currentConnectionState;
  }

  /** Disconnected: post SUSPENDED unless already SUSPENDED or LOST. */
  setToSuspended(): boolean {
    if (!this.started) return false;
    if (this.currentConnectionState === ConnectionState.LOST || this.currentConnectionState === ConnectionState.SUSPENDED) return false;
    this.setCurrent(ConnectionState.SUSPENDED);
    this.post(ConnectionState.SUSPENDED);
    return true;
  }

  /** Any other change: posted when it differs; the first positive one is posted as CONNECTED. */
  addStateChange(newState: ConnectionState): boolean {
    if (!this.started) return false;
    if (this.currentConnectionState === newState) return false;
    this.setCurrent(newState);
    const negative = newState === ConnectionState.LOST || newState === ConnectionState.SUSPENDED || newState === ConnectionState.READ_ONLY;
    let posted: ConnectionState = newState;
    if (!negative && !this.initialConnectMessageSent) {
      this.initialConnectMessageSent = true;
      posted = ConnectionState.CONNECTED;
    }
    this.post(posted);
    return true;
  }

  // #region session-expiry
  private setCurrent(s: ConnectionState): void {
    this.currentConnectionState = s;
    this.clearExpiryTimer();
    if (s === ConnectionState.SUSPENDED && this.sessionExpirationPercent > 0) {
      const ms = Math.trunc((this.hooks.sessionTimeoutMs() * this.sessionExpirationPercent) / 100);
      this.expiryTimer = setTimeout(() => this.checkSessionExpiration(ms), ms);
    }
  }

  /** SUSPENDED for a whole session timeout: the server has expired us by now; say so. */
  private checkSessionExpiration(elapsedMs: number): void {
    this.expiryTimer = null;
    if (!this.started || this.currentConnectionState !== ConnectionState.SUSPENDED) return;
    LOG.warn(`Session timeout has elapsed while SUSPENDED. Injecting a session expiration. Elapsed ms: ${elapsedMs}. Adjusted session timeout ms: ${this.hooks.sessionTimeoutMs()}`);
    this.hooks.injectSessionExpiration();
  }
  // #endregion session-expiry

  private clearExpiryTimer(): void {
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
  }

  private post(s: ConnectionState): void {
    this.queue.push(() => {
      if (!this.started) return;
      if (this.hooks.traceName !== undefined) traceRecipe(this.hooks as Required<ConnectionStateManagerHooks>, RecipeEvent.CONNECTION_STATE, { state: s });
      this.listeners.forEach((l) => callStateListener(l, this.client(), s));
      // CURATOR-525: LOST may be set after the connection was repaired; force RECONNECTED.
      if (this.currentConnectionState === ConnectionState.LOST && this.hooks.isConnected() && this.queue.size() === 0) {
        this.addStateChange(ConnectionState.RECONNECTED);
      }
    });
  }
}
// #endregion ConnectionStateManager
