/**
 * ExpiryQueue — things that expire, bucketed by deadline rounded up to a tick.
 *
 * Reimplements `org.apache.zookeeper.server.ExpiryQueue`. Chapter 03 (the session
 * tracker starts with the server). Rounding every deadline up to the next multiple of
 * the interval (tickTime) means the tracker wakes once per tick at most and expires a
 * whole bucket at a time, instead of keeping a timer per session. A session touched
 * again moves to a later bucket; an untouched one is in the bucket that expires
 * between timeout and timeout + tickTime after its last touch.
 */
import type { Clock } from "../util/Clock.js";

export class ExpiryQueue<E> {
  private readonly elemMap = new Map<E, number>();
  private readonly expiryMap = new Map<number, Set<E>>();
  private nextExpirationTime: number;

  constructor(
    private readonly expirationInterval: number,
    private readonly clock: Clock,
  ) {
    this.nextExpirationTime = this.roundToNextInterval(clock.now());
  }

  // #region expiry-buckets
  private roundToNextInterval(time: number): number {
    return (Math.floor(time / this.expirationInterval) + 1) * this.expirationInterval;
  }

  remove(elem: E): number | undefined {
    const t = this.elemMap.get(elem);
    if (t !== undefined) {
      this.elemMap.delete(elem);
      this.expiryMap.get(t)?.delete(elem);
    }
    return t;
  }

  /** Moves elem to the bucket of now + timeout; returns the new deadline, or null if unchanged. */
  update(elem: E, timeout: number): number | null {
    const prev = this.elemMap.get(elem);
    const next = this.roundToNextInterval(this.clock.now() + timeout);
    if (next === prev) return null;
    let set = this.expiryMap.get(next);
    if (set === undefined) this.expiryMap.set(next, (set = new Set()));
    set.add(elem);
    this.elemMap.set(elem, next);
    if (prev !== undefined) this.expiryMap.get(prev)?.delete(elem);
    return next;
  }

  // #endregion expiry-buckets

  /** Milliseconds until the next bucket is due (0 if it is due now). */
  getWaitTime(): number {
    const now = this.clock.now();
    return now < this.nextExpirationTime ? this.nextExpirationTime - now : 0;
  }

  // #region poll
  /** The bucket that is due, removed from the queue; empty if none is due yet. */
  poll(): E[] {
    const now = this.clock.now();
    const due = this.nextExpirationTime;
    if (now < due) return [];
    this.nextExpirationTime = due + this.expirationInterval;
    const set = this.expiryMap.get(due);
    if (set === undefined) return [];
    this.expiryMap.delete(due);
    for (const e of set) this.elemMap.delete(e);
    return [...set];
  }
  // #endregion poll

  /** deadline → elements, for the `dump` command. */
  getExpiryMap(): Map<number, Set<E>> {
    return this.expiryMap;
  }

  get size(): number {
    return this.elemMap.size;
  }
}
