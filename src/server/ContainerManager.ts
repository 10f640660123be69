/**
 * ContainerManager — deletes empty container nodes and expired TTL nodes.
 *
 * Reimplements `org.apache.zookeeper.server.ContainerManager` (3.5.3+). Chapter 07: it
 * does not touch the tree itself but submits `deleteContainer` requests, which go
 * through Prep → Sync → Final like any write, so the deletions are logged and ordered.
 *
 * Candidates, every `znode.container.checkIntervalMs` (default 60 s):
 * - a container with no children whose cversion > 0, i.e. that once had a child (a
 *   container created just before a check must not vanish before it is used), or one
 *   never used for longer than `znode.container.maxNeverUsedIntervalMs` (0 = never);
 * - a TTL node with no children not modified for longer than its TTL.
 * At most `znode.container.maxPerMinute` (default 10000) deletions a minute.
 *
 * Prep rechecks each candidate (still empty? still a container or TTL node?) when the
 * request is prepared, so a node that got a child meanwhile survives with NOTEMPTY.
 */
import { OpCode } from "../jute/ZooDefs.js";
import type { Clock, TimerHandle } from "../util/Clock.js";
import { getLogger } from "../util/Logger.js";
import type { DataNode } from "../data/DataNode.js";
import { ephemeralType, ttlOf } from "../data/EphemeralType.js";
import { Request } from "./Request.js";
import type { ZooKeeperServer } from "./ZooKeeperServer.js";

const LOG = getLogger("ContainerManager");

export interface ContainerManagerOptions {
  checkIntervalMs: number;
  maxPerMinute: number;
  maxNeverUsedIntervalMs: number;
}

export class ContainerManager {
  private timer: TimerHandle | null = null;
  private running = false;
  private checking = false;

  constructor(
    private readonly zks: ZooKeeperServer,
    private readonly opts: ContainerManagerOptions,
    private readonly clock: Clock = zks.clock,
  ) {
    LOG.info(`Using checkIntervalMs=${opts.checkIntervalMs} maxPerMinute=${opts.maxPerMinute} maxNeverUsedIntervalMs=${opts.maxNeverUsedIntervalMs}`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.checkContainers()
        .catch((e) => LOG.error("Error checking containers", e))
        .finally(() => this.schedule());
    }, this.opts.checkIntervalMs);
    this.timer.unref?.();
  }

  // #region checkContainers
  /** One pass: submit a deleteContainer for each candidate, spaced to respect maxPerMinute. */
  async checkContainers(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const minIntervalMs = 60_000 / this.opts.maxPerMinute;
      for (const path of this.getCandidates()) {
        if (!this.zks.isRunning()) return;
        LOG.info(`Attempting to delete candidate container: ${path}`);
        this.zks.submitRequest(new Request(null, 0n, 0, OpCode.deleteContainer, Buffer.from(path, "utf8"), [], this.clock.now()));
        if (minIntervalMs >= 1) await new Promise<void>((r) => this.clock.setTimeout(r, minIntervalMs));
      }
    } finally {
      this.checking = false;
    }
  }

  getCandidates(): string[] {
    const tree = this.zks.zkDb.dataTree;
    const candidates = new Set<string>();
    for (const path of tree.getContainers()) {
      const node = tree.getNode(path);
      if (node === undefined || node.numChildren > 0) continue;
      if (node.stat.cversion > 0) candidates.add(path);
      else if (this.opts.maxNeverUsedIntervalMs !== 0 && this.elapsed(node) > this.opts.maxNeverUsedIntervalMs) candidates.add(path);
    }
    for (const path of tree.getTtls()) {
      const node = tree.getNode(path);
      if (node === undefined || node.numChildren > 0) continue;
      if (ephemeralType(node.stat.ephemeralOwner, tree.extendedTypesEnabled) !== "TTL") continue;
      const ttl = Number(ttlOf(node.stat.ephemeralOwner));
      if (ttl !== 0 && this.elapsed(node) > ttl) candidates.add(path);
    }
    return [...candidates];
  }
  // #endregion checkContainers

  /** How long ago the node was last modified, by the wall clock that set its mtime. */
  private elapsed(node: DataNode): number {
    return this.clock.wallTime() - Number(node.stat.mtime);
  }
}
