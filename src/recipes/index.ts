/**
 * Curator-style recipes on our client: the public surface of src/recipes.
 *
 * No single Curator class: this is what `org.apache.curator.framework` and
 * `org.apache.curator.framework.recipes` export. Chapter 10 [003 L5–247].
 * Node layout: see each recipe.
 * Every file below opens with its Curator class, node layout, and connection-loss/expiry
 * contract; chapters/10-recipes/NOTES.md maps the code regions.
 *
 * Connection loss / expiry: see each recipe.
 *
 * Differs from Curator: see each file; in short, promises instead of blocking calls and
 * owner tokens (or AbortSignals) where Java uses threads.
 */
export { CuratorFramework, CuratorFrameworkFactory, CuratorFrameworkBuilder, CuratorFrameworkState, WatcherRemoveCuratorFramework, type CuratorEvent, type CuratorListener, type UnhandledErrorListener } from "./framework/CuratorFramework.js";
export { newStat, toBuffer, type Data } from "./framework/builders.js";
export { ConnectionState, isConnectedState, StandardConnectionStateErrorPolicy, SessionConnectionStateErrorPolicy, type ConnectionStateErrorPolicy, type ConnectionStateListener } from "./framework/ConnectionState.js";
export { CuratorZookeeperClient, IllegalStateException } from "./framework/CuratorZookeeperClient.js";
export { InterruptedException } from "./framework/Monitor.js";
export {
  BoundedExponentialBackoffRetry,
  ExponentialBackoffRetry,
  RetryForever,
  RetryNTimes,
  RetryOneTime,
  RetryUntilElapsed,
  isRetryException,
  shouldRetry,
  type RetryPolicy,
  type RetrySleeper,
} from "./framework/RetryPolicy.js";
export type { CuratorOp, CuratorTransactionResult } from "./framework/Transaction.js";
export * as ZKPaths from "./framework/ZKPaths.js";

export { InterProcessMutex, IllegalMonitorStateException, type InterProcessLock, type LockOwner, type AcquireOptions } from "./locks/InterProcessMutex.js";
export { InterProcessMultiLock, withLock } from "./locks/InterProcessMultiLock.js";
export { InterProcessReadWriteLock, ReadLock, WriteLock } from "./locks/InterProcessReadWriteLock.js";
export { InterProcessSemaphoreV2, type Lease } from "./locks/InterProcessSemaphoreV2.js";
export { InterProcessSemaphoreMutex } from "./locks/InterProcessSemaphoreMutex.js";

export { LeaderLatch, CloseMode, EOFException, type LeaderLatchListener } from "./leader/LeaderLatch.js";
export { LeaderSelector, LeaderSelectorListenerAdapter, CancelLeadershipException, type LeaderSelectorListener } from "./leader/LeaderSelector.js";
export type { Participant } from "./leader/Participant.js";

export { ChildData } from "./cache/ChildData.js";
export { NodeCache, type NodeCacheListener } from "./cache/NodeCache.js";
export { PathChildrenCache, PathChildrenCacheEventType, StartMode, type PathChildrenCacheEvent, type PathChildrenCacheListener } from "./cache/PathChildrenCache.js";
export { TreeCache, TreeCacheEventType, type TreeCacheEvent, type TreeCacheListener, type TreeCacheOptions } from "./cache/TreeCache.js";
export { CuratorCache, CuratorCacheOptions, CuratorCacheEventType, CuratorCacheListenerFactory as CuratorCacheListener, type CuratorCacheListener as CuratorCacheListenerType } from "./cache/CuratorCache.js";

export { DistributedBarrier } from "./barriers/DistributedBarrier.js";
export { DistributedDoubleBarrier } from "./barriers/DistributedDoubleBarrier.js";
export { DistributedAtomicLong, DistributedAtomicValue, type AtomicValue, type PromotedToLock } from "./atomic/DistributedAtomicLong.js";
export { SharedCount, SharedValue, type SharedCountListener, type VersionedValue } from "./shared/SharedCount.js";
export { DistributedQueue, QueueBuilder, ErrorMode, type QueueConsumer, type QueueSerializer } from "./queue/DistributedQueue.js";
