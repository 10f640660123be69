/**
 * DistributedAtomicLong — a 64-bit counter in one znode, changed by compare-and-set on the
 * node's version; optionally falling back to a lock when optimism keeps failing.
 *
 * Reimplements Curator's `atomic.DistributedAtomicValue`, `DistributedAtomicLong`,
 * `AtomicValue`/`MutableAtomicValue`, `AtomicStats` and `PromotedToLock`. Chapter 10;
 * not in the seed (U).
 *
 * Node layout:
 *
 *     <path>           data: the value, 8 bytes, big-endian two's complement (Java's
 *                      ByteBuffer.putLong); no data or empty data reads as 0
 *     <lockPath>/…     only with PromotedToLock: an InterProcessMutex
 *
 * One try: getData (value + version) → compute → setData(version) (or create when the
 * node is missing). A concurrent change makes it fail with BADVERSION (or NODEEXISTS /
 * NONODE) and the try is repeated while `retryPolicy` allows; then, if PromotedToLock is
 * configured, repeated again under the mutex. The result says whether it succeeded and
 * carries the value before and after.
 *
 * Connection loss / expiry contract: each read and write is retried by the framework's
 * retry loop. A request sent while disconnected waits for the connection and is applied
 * once. But a setData (or the first create) whose *reply* was lost may have been applied:
 * its retry then fails with BADVERSION (NODEEXISTS), the next try reads the new value and
 * applies the change again — an increment can land twice. Curator has the same hole; no
 * client can tell its own lost write from another client's identical one. A caller that
 * gives up after an error cannot know whether its change happened either. The value is
 * persistent; LOST changes nothing.
 *
 * Differs from Curator: values are bigint (a Java long must not pass through a number).
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import type { CuratorFramework } from "../framework/CuratorFramework.js";
import { newStat } from "../framework/builders.js";
import { DEFAULT_RETRY_SLEEPER, type RetryPolicy } from "../framework/RetryPolicy.js";
import { InterProcessMutex } from "../locks/InterProcessMutex.js";

export interface AtomicStats {
  optimisticTries: number;
  promotedLockTries: number;
  optimisticTimeMs: number;
  promotedTimeMs: number;
}

/** The outcome of an atomic operation. */
export interface AtomicValue<T> {
  succeeded(): boolean;
  preValue(): T;
  postValue(): T;
  getStats(): AtomicStats;
}

class MutableAtomicValue<T> implements AtomicValue<T> {
  readonly stats: AtomicStats = { optimisticTries: 0, promotedLockTries: 0, optimisticTimeMs: 0, promotedTimeMs: 0 };
  constructor(
    public pre: T,
    public post: T,
    public ok = false,
  ) {}
  succeeded(): boolean {
    return this.ok;
  }
  preValue(): T {
    return this.pre;
  }
  postValue(): T {
    return this.post;
  }
  getStats(): AtomicStats {
    return this.stats;
  }
}

/** Lock promotion: after optimism fails, try again under this mutex. */
export interface PromotedToLock {
  lockPath: string;
  /** How long to wait for the mutex (null: as long as it takes). */
  maxLockTimeMs: number | null;
  /** Tries under the lock. */
  retryPolicy: RetryPolicy;
}

// #region DistributedAtomicValue
/** The byte-level engine: compare-and-set on a node's version. */
export class DistributedAtomicValue {
  private readonly mutex: InterProcessMutex | null;

  constructor(
    private readonly client: CuratorFramework,
    readonly path: string,
    private readonly retryPolicy: RetryPolicy,
    private readonly promotedToLock: PromotedToLock | null = null,
  ) {
    this.mutex = promotedToLock === null ? null : new InterProcessMutex(client, promotedToLock.lockPath);
  }

  async get(): Promise<AtomicValue<Buffer | null>> {
    const result = new MutableAtomicValue<Buffer | null>(null, null);
    await this.getCurrentValue(result);
    result.post = result.pre;
    result.ok = true;
    return result;
  }

  /** Sets the value whatever it was (creating the node if needed). */
  async forceSet(newValue: Buffer): Promise<void> {
    try {
      await this.client.setData().forPath(this.path, newValue);
    } catch (e) {
      if (!isCode(e, Code.NONODE)) throw e;
      try {
        await this.client.create().creatingParentContainersIfNeeded().forPath(this.path, newValue);
      } catch (e2) {
        if (!isCode(e2, Code.NODEEXISTS)) throw e2;
        await this.client.setData().forPath(this.path, newValue);
      }
    }
  }

  /** One try: set `newValue` only if the current bytes equal `expectedValue`. */
  async compareAndSet(expectedValue: Buffer, newValue: Buffer): Promise<AtomicValue<Buffer | null>> {
    const result = new MutableAtomicValue<Buffer | null>(null, null);
    const { createIt, version } = await this.getCurrentValue(result);
    if (!createIt && result.pre !== null && result.pre.equals(expectedValue)) {
      try {
        await this.client.setData().withVersion(version).forPath(this.path, newValue);
        result.ok = true;
        result.post = newValue;
      } catch (e) {
        if (!isCode(e, Code.BADVERSION) && !isCode(e, Code.NONODE)) throw e;
      }
    }
    return result;
  }

  /** Sets the value (optimistically, then under the lock if configured). */
  trySet(newValue: Buffer): Promise<AtomicValue<Buffer | null>> {
    return this.trySetWith(() => newValue);
  }

  /** Creates the node with `value` unless it exists; true if this call created it. */
  async initialize(value: Buffer): Promise<boolean> {
    try {
      await this.client.create().creatingParentContainersIfNeeded().forPath(this.path, value);
      return true;
    } catch (e) {
      if (isCode(e, Code.NODEEXISTS)) return false;
      throw e;
    }
  }

  /** @internal Sets makeValue(current) (increment, add, …). */
  async trySetWith(makeValue: (previous: Buffer | null) => Buffer): Promise<AtomicValue<Buffer | null>> {
    const result = new MutableAtomicValue<Buffer | null>(null, null);
    await this.tryOptimistic(result, makeValue);
    if (!result.ok && this.mutex !== null) await this.tryWithMutex(result, makeValue);
    return result;
  }

  private async tryOptimistic(result: MutableAtomicValue<Buffer | null>, makeValue: (p: Buffer | null) => Buffer): Promise<void> {
    const startMs = Date.now();
    await this.tryWhileAllowed(result, makeValue, this.retryPolicy, "optimisticTries");
    result.stats.optimisticTimeMs = Date.now() - startMs;
  }

  private async tryWithMutex(result: MutableAtomicValue<Buffer | null>, makeValue: (p: Buffer | null) => Buffer): Promise<void> {
    const startMs = Date.now();
    const p = this.promotedToLock!;
    const owner = {};
    const got = p.maxLockTimeMs === null ? (await this.mutex!.acquire(null, { owner }), true) : await this.mutex!.acquire(p.maxLockTimeMs, { owner });
    if (got) {
      try {
        await this.tryWhileAllowed(result, makeValue, p.retryPolicy, "promotedLockTries");
      } finally {
        await this.mutex!.release(owner);
      }
    }
    result.stats.promotedTimeMs = Date.now() - startMs;
  }

  /** tryOnce until it succeeds or `policy` says stop, counting the tries in `stat`. */
  private async tryWhileAllowed(result: MutableAtomicValue<Buffer | null>, makeValue: (p: Buffer | null) => Buffer, policy: RetryPolicy, stat: "optimisticTries" | "promotedLockTries"): Promise<void> {
    const startMs = Date.now();
    let retryCount = 0;
    for (;;) {
      result.stats[stat]++;
      if (await this.tryOnce(result, makeValue)) {
        result.ok = true;
        return;
      }
      if (!(await policy.allowRetry(retryCount++, Date.now() - startMs, DEFAULT_RETRY_SLEEPER))) return;
    }
  }

  /** Read, compute, write at the version read. False when someone else got there first. */
  private async tryOnce(result: MutableAtomicValue<Buffer | null>, makeValue: (p: Buffer | null) => Buffer): Promise<boolean> {
    const { createIt, version } = await this.getCurrentValue(result);
    const newValue = makeValue(result.pre);
    try {
      if (createIt) await this.client.create().creatingParentContainersIfNeeded().forPath(this.path, newValue);
      else await this.client.setData().withVersion(version).forPath(this.path, newValue);
      result.post = Buffer.from(newValue);
      return true;
    } catch (e) {
      if (isCode(e, Code.NODEEXISTS) || isCode(e, Code.BADVERSION) || isCode(e, Code.NONODE)) return false;
      throw e;
    }
  }

  private async getCurrentValue(result: MutableAtomicValue<Buffer | null>): Promise<{ createIt: boolean; version: number }> {
    const stat = newStat();
    try {
      result.pre = await this.client.getData().storingStatIn(stat).forPath(this.path);
      return { createIt: false, version: stat.version };
    } catch (e) {
      if (!isCode(e, Code.NONODE)) throw e;
      result.pre = null;
      return { createIt: true, version: -1 };
    }
  }
}
// #endregion DistributedAtomicValue

function isCode(e: unknown, code: number): boolean {
  return e instanceof KeeperException && e.code === code;
}

// #region long-encoding
/** Java's ByteBuffer.putLong: 8 bytes, big-endian. */
export function longToBytes(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt.asIntN(64, v));
  return b;
}

/** Null or empty → 0; anything but 8 bytes is corrupt (Curator throws too). */
export function bytesToLong(data: Buffer | null, path = ""): bigint {
  if (data === null || data.length === 0) return 0n;
  if (data.length !== 8) throw new Error(`Corrupted data for node "${path}": [${[...data].map((x) => "0x" + x.toString(16)).join(", ")}]`);
  return data.readBigInt64BE(0);
}
// #endregion long-encoding

class LongAtomicValue implements AtomicValue<bigint> {
  constructor(
    private readonly bytes: AtomicValue<Buffer | null>,
    private readonly path: string,
  ) {}
  succeeded(): boolean {
    return this.bytes.succeeded();
  }
  preValue(): bigint {
    return bytesToLong(this.bytes.preValue(), this.path);
  }
  postValue(): bigint {
    return bytesToLong(this.bytes.postValue(), this.path);
  }
  getStats(): AtomicStats {
    return this.bytes.getStats();
  }
}

export class DistributedAtomicLong {
  private readonly value: DistributedAtomicValue;

  constructor(client: CuratorFramework, counterPath: string, retryPolicy: RetryPolicy, promotedToLock: PromotedToLock | null = null) {
    this.value = new DistributedAtomicValue(client, counterPath, retryPolicy, promotedToLock);
  }

  async get(): Promise<AtomicValue<bigint>> {
    return new LongAtomicValue(await this.value.get(), this.value.path);
  }
  forceSet(newValue: bigint): Promise<void> {
    return this.value.forceSet(longToBytes(newValue));
  }
  async compareAndSet(expectedValue: bigint, newValue: bigint): Promise<AtomicValue<bigint>> {
    return new LongAtomicValue(await this.value.compareAndSet(longToBytes(expectedValue), longToBytes(newValue)), this.value.path);
  }
  async trySet(newValue: bigint): Promise<AtomicValue<bigint>> {
    return new LongAtomicValue(await this.value.trySet(longToBytes(newValue)), this.value.path);
  }
  initialize(value: bigint): Promise<boolean> {
    return this.value.initialize(longToBytes(value));
  }
  increment(): Promise<AtomicValue<bigint>> {
    return this.add(1n);
  }
  decrement(): Promise<AtomicValue<bigint>> {
    return this.add(-1n);
  }
  subtract(delta: bigint): Promise<AtomicValue<bigint>> {
    return this.add(-delta);
  }
  async add(delta: bigint): Promise<AtomicValue<bigint>> {
    const path = this.value.path;
    const r = await this.value.trySetWith((previous) => longToBytes(BigInt.asIntN(64, bytesToLong(previous, path) + delta)));
    return new LongAtomicValue(r, path);
  }
}
