/**
 * SessionTracker — live sessions, their timeouts and owners, and expiry.
 *
 * Reimplements `org.apache.zookeeper.server.SessionTrackerImpl` (and the
 * `SessionTracker` interface). Chapter 03; the documents never show it (gap G14), so
 * everything here is added knowledge (U).
 *
 * - A session id is `(serverId << 56) | ((elapsed ms << 24) >>> 8)`, incremented per new
 *   session: unique across restarts (the clock moved on) and across servers (the top
 *   byte). Standalone uses server id 0.
 * - Each session sits in an ExpiryQueue bucket; every request or ping from it ("touch")
 *   moves it to a later bucket. When a bucket comes due its sessions are marked closing
 *   and handed to the expirer, which submits a closeSession request through the
 *   processor chain like any other write, so the ephemerals go in zxid order.
 * - `checkSession` rejects requests of unknown (UNKNOWNSESSION) and closing
 *   (SESSIONEXPIRED) sessions, and of sessions owned by another connection path
 *   (SESSIONMOVED, only possible in an ensemble).
 *
 * Differs from Java: no thread; one timer, re-armed for the next due bucket, on the
 * injected Clock.
 */
import { Code, KeeperException } from "../jute/KeeperException.js";
import type { Clock, TimerHandle } from "../util/Clock.js";
import { getLogger, hex } from "../util/Logger.js";
import { CONTAINER_EPHEMERAL_OWNER } from "../data/EphemeralType.js";
import { ExpiryQueue } from "./ExpiryQueue.js";

const LOG = getLogger("SessionTrackerImpl");

export class Session {
  isClosing = false;
  owner: unknown = null;
  constructor(
    readonly sessionId: bigint,
    public timeout: number,
  ) {}
  toString(): string {
    return hex(this.sessionId);
  }
}

export interface SessionExpirer {
  expire(session: Session): void;
}

// #region next-session-id
export function initializeNextSessionId(serverId: bigint, elapsedMs: number): bigint {
  let next = BigInt.asUintN(64, BigInt(Math.floor(elapsedMs)) << 24n) >> 8n;
  next = BigInt.asIntN(64, next | (serverId << 56n));
  if (next === CONTAINER_EPHEMERAL_OWNER) next++; // never collide with the container marker
  return next;
}
// #endregion next-session-id

export class SessionTracker {
  private readonly sessionsById = new Map<bigint, Session>();
  private readonly expiryQueue: ExpiryQueue<Session>;
  private nextSessionId: bigint;
  private timer: TimerHandle | null = null;
  private running = false;

  constructor(
    private readonly expirer: SessionExpirer,
    /** Committed sessions and their timeouts: shared with ZKDatabase, saved in snapshots. */
    readonly sessionsWithTimeout: Map<bigint, number>,
    tickTime: number,
    serverId: bigint,
    private readonly clock: Clock,
  ) {
    this.expiryQueue = new ExpiryQueue(tickTime, clock);
    // Java seeds from System.nanoTime; wall time serves the same purpose (distinct ids
    // after a restart) and keeps ids increasing across restarts of this process too.
    this.nextSessionId = initializeNextSessionId(serverId, clock.wallTime());
    for (const [id, timeout] of sessionsWithTimeout) this.trackSession(id, timeout);
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  shutdown(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  // #region expiry-loop
  private schedule(): void {
    if (!this.running) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.run(), Math.max(1, this.expiryQueue.getWaitTime()));
    this.timer.unref?.();
  }

  private run(): void {
    this.timer = null;
    if (!this.running) return;
    for (const s of this.expiryQueue.poll()) {
      this.setSessionClosing(s.sessionId);
      this.expirer.expire(s);
    }
    this.schedule();
  }
  // #endregion expiry-loop

  createSession(timeout: number): bigint {
    const id = this.nextSessionId;
    this.nextSessionId = BigInt.asIntN(64, this.nextSessionId + 1n);
    this.trackSession(id, timeout);
    return id;
  }

  /** Starts tracking a session (new, or loaded from disk); false if it was tracked already. */
  trackSession(id: bigint, timeout: number): boolean {
    let s = this.sessionsById.get(id);
    const added = s === undefined;
    if (s === undefined) {
      s = new Session(id, timeout);
      this.sessionsById.set(id, s);
      LOG.debug(`Adding session ${hex(id)}`);
    }
    this.expiryQueue.update(s, timeout);
    return added;
  }

  /** The createSession txn committed: the session now survives restarts. */
  commitSession(id: bigint, timeout: number): boolean {
    const had = this.sessionsWithTimeout.has(id);
    this.sessionsWithTimeout.set(id, timeout);
    return !had;
  }

  touchSession(id: bigint, timeout: number): boolean {
    const s = this.sessionsById.get(id);
    if (s === undefined || s.isClosing) return false;
    this.expiryQueue.update(s, timeout);
    return true;
  }

  setSessionClosing(id: bigint): void {
    const s = this.sessionsById.get(id);
    if (s !== undefined) s.isClosing = true;
  }

  removeSession(id: bigint): void {
    LOG.debug(`Removing session ${hex(id)}`);
    const s = this.sessionsById.get(id);
    this.sessionsById.delete(id);
    this.sessionsWithTimeout.delete(id);
    if (s !== undefined) this.expiryQueue.remove(s);
  }

  isTrackingSession(id: bigint): boolean {
    return this.sessionsById.has(id);
  }

  getSessionTimeout(id: bigint): number | undefined {
    return this.sessionsWithTimeout.get(id);
  }

  // #region check-session
  checkSession(id: bigint, owner: unknown): void {
    const s = this.sessionsById.get(id);
    if (s === undefined) throw new KeeperException(Code.UNKNOWNSESSION);
    if (s.isClosing) throw new KeeperException(Code.SESSIONEXPIRED);
    if (s.owner === null) s.owner = owner;
    else if (s.owner !== owner) throw new KeeperException(Code.SESSIONMOVED);
  }
  // #endregion check-session

  /** Ephemeral creation needs a global session: an unknown one counts as expired. */
  checkGlobalSession(id: bigint, owner: unknown): void {
    try {
      this.checkSession(id, owner);
    } catch (e) {
      if (e instanceof KeeperException && e.code === Code.UNKNOWNSESSION) throw new KeeperException(Code.SESSIONEXPIRED);
      throw e;
    }
  }

  setOwner(id: bigint, owner: unknown): void {
    const s = this.sessionsById.get(id);
    if (s === undefined || s.isClosing) throw new KeeperException(Code.SESSIONEXPIRED);
    s.owner = owner;
  }

  get sessionCount(): number {
    return this.sessionsById.size;
  }

  sessions(): IterableIterator<Session> {
    return this.sessionsById.values();
  }

  /** deadline (ms on the tracker's clock) → session ids, for `dump`. */
  getSessionExpiryMap(): Map<number, bigint[]> {
    const out = new Map<number, bigint[]>();
    const keys = [...this.expiryQueue.getExpiryMap().keys()].sort((a, b) => a - b);
    for (const k of keys) {
      const set = this.expiryQueue.getExpiryMap().get(k)!;
      if (set.size > 0) out.set(k, [...set].map((s) => s.sessionId));
    }
    return out;
  }
}
