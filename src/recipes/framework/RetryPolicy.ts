/**
 * Retry policies — how often, and after how long a pause, an operation that failed for a
 * connection reason is tried again.
 *
 * Reimplements Curator's `org.apache.curator.RetryPolicy`, `RetrySleeper`,
 * `retry.SleepingRetry`, `retry.ExponentialBackoffRetry`,
 * `retry.BoundedExponentialBackoffRetry`, `retry.RetryNTimes`, `retry.RetryOneTime`,
 * `retry.RetryForever`, `retry.RetryUntilElapsed`, and the classification half of
 * `RetryLoop` (`shouldRetry`, `isRetryException`). Chapter 10; the seed builds the
 * first one, `new ExponentialBackoffRetry(1000, 3)` [003 L10–18]. Everything else (U).
 *
 * Which failures are retried (RetryLoop.shouldRetry): CONNECTIONLOSS, OPERATIONTIMEOUT,
 * SESSIONMOVED, SESSIONEXPIRED and NEWCONFIGNOQUORUM. The operation is not known to have
 * failed — it may have been applied — so retrying a non-idempotent write can apply it
 * twice; protected creates (`withProtection()`) exist for that.
 *
 * Node layout: none.
 *
 * Connection loss / expiry: this file only decides; CuratorZookeeperClient.callWithRetry
 * runs the loop and, after SESSIONEXPIRED, retries on the new session's handle.
 *
 * Differs from Curator: `allowRetry` returns a promise (it sleeps before answering true,
 * as Curator's blocking `sleeper.sleepFor` does); the random source of the exponential
 * policies can be injected so tests can pin the sleep times.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";

/** Sleeps between attempts (Curator's RetrySleeper). */
export interface RetrySleeper {
  sleepFor(ms: number): Promise<void>;
}

export const DEFAULT_RETRY_SLEEPER: RetrySleeper = {
  sleepFor: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export interface RetryPolicy {
  /**
   * Called after attempt `retryCount` (0 for the first retry) failed with a retryable
   * error, `elapsedTimeMs` after the operation started. Sleeps (through `sleeper`) and
   * resolves true to try again, or resolves false to give up.
   */
  allowRetry(retryCount: number, elapsedTimeMs: number, sleeper: RetrySleeper): Promise<boolean>;
}

// #region shouldRetry
/** RetryLoop.shouldRetry: the result codes that say "the connection, not the request, failed". */
export function shouldRetry(code: number): boolean {
  return code === Code.CONNECTIONLOSS || code === Code.OPERATIONTIMEOUT || code === Code.SESSIONMOVED || code === Code.SESSIONEXPIRED || code === Code.NEWCONFIGNOQUORUM;
}
// #endregion shouldRetry

/** RetryLoop.isRetryException: a KeeperException whose code shouldRetry accepts. */
export function isRetryException(e: unknown): boolean {
  return e instanceof KeeperException && shouldRetry(e.code);
}

/** A policy that sleeps getSleepTimeMs() and allows at most `n` retries. */
export abstract class SleepingRetry implements RetryPolicy {
  protected constructor(protected readonly n: number) {}

  getN(): number {
    return this.n;
  }

  async allowRetry(retryCount: number, elapsedTimeMs: number, sleeper: RetrySleeper): Promise<boolean> {
    if (retryCount >= this.n) return false;
    await sleeper.sleepFor(this.getSleepTimeMs(retryCount, elapsedTimeMs));
    return true;
  }

  protected abstract getSleepTimeMs(retryCount: number, elapsedTimeMs: number): number;
}

// #region ExponentialBackoffRetry
/**
 * Sleeps base × a random number in [1, 2^(retryCount+1)), capped at maxSleepMs, at most
 * maxRetries times (maxRetries itself capped at 29, so the shift cannot overflow).
 */
export class ExponentialBackoffRetry extends SleepingRetry {
  static readonly MAX_RETRIES_LIMIT = 29;
  static readonly DEFAULT_MAX_SLEEP_MS = 0x7fffffff;

  constructor(
    protected readonly baseSleepTimeMs: number,
    maxRetries: number,
    protected readonly maxSleepMs: number = ExponentialBackoffRetry.DEFAULT_MAX_SLEEP_MS,
    protected readonly random: () => number = Math.random,
  ) {
    super(Math.min(maxRetries, ExponentialBackoffRetry.MAX_RETRIES_LIMIT));
  }

  getBaseSleepTimeMs(): number {
    return this.baseSleepTimeMs;
  }

  protected getSleepTimeMs(retryCount: number): number {
    const bound = 2 ** (retryCount + 1);
    const sleepMs = this.baseSleepTimeMs * Math.max(1, Math.floor(this.random() * bound));
    return Math.min(sleepMs, this.maxSleepMs);
  }
}
// #endregion ExponentialBackoffRetry

/** ExponentialBackoffRetry with a required cap on each sleep. */
export class BoundedExponentialBackoffRetry extends ExponentialBackoffRetry {
  constructor(baseSleepTimeMs: number, maxSleepTimeMs: number, maxRetries: number, random: () => number = Math.random) {
    super(baseSleepTimeMs, maxRetries, maxSleepTimeMs, random);
  }
  getMaxSleepTimeMs(): number {
    return this.maxSleepMs;
  }
}

/** A fixed pause, at most n retries. */
export class RetryNTimes extends SleepingRetry {
  constructor(
    n: number,
    private readonly sleepMsBetweenRetries: number,
  ) {
    super(n);
  }
  protected getSleepTimeMs(): number {
    return this.sleepMsBetweenRetries;
  }
}

/** One retry after a fixed pause. */
export class RetryOneTime extends RetryNTimes {
  constructor(sleepMsBetweenRetry: number) {
    super(1, sleepMsBetweenRetry);
  }
}

/** Retries for ever, with a fixed pause. */
export class RetryForever implements RetryPolicy {
  constructor(private readonly retryIntervalMs: number) {
    if (retryIntervalMs <= 0) throw new RangeError("retryIntervalMs must be > 0");
  }
  async allowRetry(_retryCount: number, _elapsedTimeMs: number, sleeper: RetrySleeper): Promise<boolean> {
    await sleeper.sleepFor(this.retryIntervalMs);
    return true;
  }
}

/**
 * Retries with a fixed pause while less than maxElapsedTimeMs has passed. As in Curator,
 * the pause is taken before the elapsed time is checked, so the last answer "no" comes
 * one pause late.
 */
export class RetryUntilElapsed extends SleepingRetry {
  constructor(
    private readonly maxElapsedTimeMs: number,
    private readonly sleepMsBetweenRetries: number,
  ) {
    super(0x7fffffff);
  }
  override async allowRetry(retryCount: number, elapsedTimeMs: number, sleeper: RetrySleeper): Promise<boolean> {
    return (await super.allowRetry(retryCount, elapsedTimeMs, sleeper)) && elapsedTimeMs < this.maxElapsedTimeMs;
  }
  protected getSleepTimeMs(): number {
    return this.sleepMsBetweenRetries;
  }
}
