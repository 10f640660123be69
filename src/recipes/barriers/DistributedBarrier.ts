/**
 * DistributedBarrier — processes wait until someone removes the barrier node.
 *
 * Reimplements Curator's `barriers.DistributedBarrier`. Chapter 10; not in the seed (U).
 *
 * Node layout: `<barrierPath>` itself (PERSISTENT, parents as containers). It exists:
 * the barrier is up. It is gone: the barrier is down and waiters go through.
 *
 * Connection loss / expiry contract:
 * - waitOnBarrier: the exists-watch also receives Disconnected/Expired, so a waiter wakes
 *   and asks again; that read waits for the connection per the RetryPolicy and rejects if
 *   the policy gives up. The barrier node is persistent, so LOST changes nothing about it.
 * - setBarrier / removeBarrier: single retried operations (NODEEXISTS / NONODE are fine).
 *
 * Differs from Curator: waiters are promises; several may wait on one instance.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import type { Watcher } from "../../client/WatchedEvent.js";
import type { CuratorFramework } from "../framework/CuratorFramework.js";
import { Monitor } from "../framework/Monitor.js";

export class DistributedBarrier {
  private readonly monitor = new Monitor();
  private readonly watcher: Watcher = () => this.monitor.notifyAll();

  constructor(
    private readonly client: CuratorFramework,
    private readonly barrierPath: string,
  ) {}

  /** Puts the barrier up (creates the node). */
  async setBarrier(): Promise<void> {
    try {
      await this.client.create().creatingParentContainersIfNeeded().forPath(this.barrierPath);
    } catch (e) {
      if (!(e instanceof KeeperException && e.code === Code.NODEEXISTS)) throw e;
    }
  }

  /** Takes the barrier down (deletes the node): every waiter goes through. */
  async removeBarrier(): Promise<void> {
    try {
      await this.client.delete().forPath(this.barrierPath);
    } catch (e) {
      if (!(e instanceof KeeperException && e.code === Code.NONODE)) throw e;
    }
  }

  /** Waits until the barrier is down. Without a timeout resolves true; with one, false on timeout. */
  async waitOnBarrier(timeoutMs?: number): Promise<boolean> {
    const deadline = timeoutMs === undefined ? null : Date.now() + timeoutMs;
    for (;;) {
      const generation = this.monitor.generation;
      if ((await this.client.checkExists().usingWatcher(this.watcher).forPath(this.barrierPath)) === null) return true;
      if (deadline === null) {
        await this.monitor.waitSince(generation);
      } else {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await this.monitor.waitSince(generation, left);
      }
    }
  }
}
