/**
 * DistributedDoubleBarrier — N members enter together, compute, and leave together.
 *
 * Reimplements Curator's `barriers.DistributedDoubleBarrier`. Chapter 10; not in the seed
 * (U). This is the double barrier of the ZooKeeper recipes page.
 *
 * Node layout:
 *
 *     <barrierPath>/<uuid>       one per member (EPHEMERAL), no data; uuid = 36 chars
 *     <barrierPath>/ready        created by the member that sees the N-th member arrive
 *
 * enter(): set an exists-watch on `ready`, create our node; if `ready` already existed we
 * are in; otherwise count the children, and the one who sees at least N creates `ready`,
 * whose creation wakes everyone else (their exists-watch fires NodeCreated).
 * leave(): sort the members (`ready` excluded); the lowest waits for the highest to go,
 * everyone else deletes its node and waits for the lowest to go; when none is left,
 * `ready` is deleted. So nobody leaves before all have started leaving.
 *
 * Connection loss / expiry contract: the watcher records whether the last event it saw
 * was anything other than SyncConnected; enter() and leave() then reject with
 * CONNECTIONLOSS (Curator's `connectionLost` flag): with an ephemeral member node, a
 * connection problem means the member may no longer be counted. After LOST our node is
 * gone; leave() treats a missing own node after a connection problem as "already left".
 *
 * Differs from Curator: promise API; the member's uuid comes from node:crypto; a member
 * create retried after its reply was lost (NODEEXISTS on our own path, owned by our
 * session) counts as done — Curator 5.4 throws NodeExistsException there.
 */
import { randomUUID } from "node:crypto";
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { CreateMode } from "../../jute/CreateMode.js";
import { KeeperState } from "../../jute/Watcher.js";
import type { WatchedEvent, Watcher } from "../../client/WatchedEvent.js";
import type { CuratorFramework } from "../framework/CuratorFramework.js";
import { Monitor } from "../framework/Monitor.js";
import { compareStrings, getNodeFromPath, makePath } from "../framework/ZKPaths.js";

export const READY_NODE = "ready";

function isCode(e: unknown, code: number): boolean {
  return e instanceof KeeperException && e.code === code;
}

export class DistributedDoubleBarrier {
  private readonly ourPath: string;
  private readonly readyPath: string;
  private connectionLost = false;
  private readonly monitor = new Monitor();
  private readonly watcher: Watcher = (event: WatchedEvent) => {
    this.connectionLost = event.state !== KeeperState.SyncConnected;
    this.monitor.notifyAll();
  };

  constructor(
    private readonly client: CuratorFramework,
    private readonly barrierPath: string,
    private readonly memberQty: number,
  ) {
    if (memberQty <= 0) throw new RangeError("memberQty cannot be 0");
    this.ourPath = makePath(barrierPath, randomUUID());
    this.readyPath = makePath(barrierPath, READY_NODE);
  }

  // #region enter
  /** Joins and waits for all N members. With a timeout: false if they did not all come in time. */
  async enter(timeoutMs?: number): Promise<boolean> {
    const startMs = Date.now();
    const generation = this.monitor.generation;
    const readyPathExists = (await this.client.checkExists().usingWatcher(this.watcher).forPath(this.readyPath)) !== null;
    await this.createOurNode();
    const result = readyPathExists || (await this.internalEnter(startMs, timeoutMs, generation));
    if (this.connectionLost) throw new KeeperException(Code.CONNECTIONLOSS);
    return result;
  }

  /**
   * Our member node. A create retried after a lost reply finds the node it made itself:
   * NODEEXISTS on our own (uuid) path with our session as owner is success.
   */
  private async createOurNode(): Promise<void> {
    try {
      await this.client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(this.ourPath);
    } catch (e) {
      if (!isCode(e, Code.NODEEXISTS)) throw e;
      const stat = await this.client.checkExists().forPath(this.ourPath);
      if (stat === null || stat.ephemeralOwner !== this.client.getZookeeperClient().getZooKeeper().getSessionId()) throw e;
    }
  }

  private async internalEnter(startMs: number, timeoutMs: number | undefined, generation: number): Promise<boolean> {
    for (;;) {
      const children = await this.client.getChildren().forPath(this.barrierPath);
      if (children.length >= this.memberQty) {
        try {
          await this.client.create().forPath(this.readyPath);
        } catch (e) {
          if (!isCode(e, Code.NODEEXISTS)) throw e;
        }
        return true;
      }
      if (timeoutMs === undefined) {
        await this.monitor.waitSince(generation);
      } else {
        const left = timeoutMs - (Date.now() - startMs);
        if (left <= 0) return false;
        await this.monitor.waitSince(generation, left);
      }
      generation = this.monitor.generation;
      // The ready node may have been created (and the watch used up): look again.
      if ((await this.client.checkExists().usingWatcher(this.watcher).forPath(this.readyPath)) !== null) return true;
    }
  }
  // #endregion enter

  // #region leave
  /** Leaves and waits until every member has left. With a timeout: false if they did not. */
  async leave(timeoutMs?: number): Promise<boolean> {
    const startMs = Date.now();
    const ourPathName = getNodeFromPath(this.ourPath);
    let ourNodeShouldExist = true;
    let result = true;
    for (;;) {
      if (this.connectionLost) throw new KeeperException(Code.CONNECTIONLOSS);
      const generation = this.monitor.generation;
      let children: string[];
      try {
        children = await this.client.getChildren().forPath(this.barrierPath);
      } catch (e) {
        if (!isCode(e, Code.NONODE)) throw e;
        children = [];
      }
      children = children.filter((c) => c !== READY_NODE).sort(compareStrings);
      if (children.length === 0) break;
      const ourIndex = children.indexOf(ourPathName);
      if (ourIndex < 0 && ourNodeShouldExist) {
        if (this.connectionLost) break; // reconnected, but our ephemeral node is gone
        throw new Error(`Our path (${ourPathName}) is missing`);
      }
      if (children.length === 1) {
        if (ourNodeShouldExist && children[0] !== ourPathName) throw new Error(`Last path (${children[0]}) is not ours (${ourPathName})`);
        await this.checkDeleteOurPath(ourNodeShouldExist);
        break;
      }
      let stat;
      if (ourIndex === 0) {
        // The lowest member goes last: wait for the highest.
        stat = await this.client.checkExists().usingWatcher(this.watcher).forPath(makePath(this.barrierPath, children[children.length - 1]!));
      } else {
        // Everyone else goes now and waits for the lowest.
        stat = await this.client.checkExists().usingWatcher(this.watcher).forPath(makePath(this.barrierPath, children[0]!));
        await this.checkDeleteOurPath(ourNodeShouldExist);
        ourNodeShouldExist = false;
      }
      if (stat !== null) {
        if (timeoutMs === undefined) {
          await this.monitor.waitSince(generation);
        } else {
          const left = timeoutMs - (Date.now() - startMs);
          if (left <= 0) {
            result = false;
            break;
          }
          await this.monitor.waitSince(generation, left);
        }
      }
    }
    try {
      await this.client.delete().forPath(this.readyPath);
    } catch (e) {
      if (!isCode(e, Code.NONODE)) throw e;
    }
    return result;
  }
  // #endregion leave

  private async checkDeleteOurPath(shouldExist: boolean): Promise<void> {
    if (shouldExist) await this.client.delete().forPath(this.ourPath);
  }
}
