/**
 * DistributedQueue — a FIFO of items in sequential znodes, with consumers in any process.
 *
 * Reimplements Curator's `queue.DistributedQueue`, `QueueBuilder`, `QueueSerializer`,
 * `QueueConsumer`, `ErrorMode`, `MultiItem` and `ItemSerializer`. Chapter 10; not in the
 * seed (U).
 *
 * Node layout and byte grammar:
 *
 *     <queuePath>/queue-<10-digit sequence>     PERSISTENT_SEQUENTIAL, one per put()
 *     <lockPath>/queue-<10-digit sequence>      EPHEMERAL, while a consumer holds the item
 *                                               (only with QueueBuilder.lockPath)
 *
 *     item-data = version item* eof
 *     version   = int32 BE 0x00010001
 *     item      = 0x01 length:int32 BE bytes[length]     (QueueSerializer.serialize)
 *     eof       = 0x02
 *
 * A put() of several items (putMulti) writes them into one node. Consumers list the
 * children (with a watch), sort them, and take each in turn:
 * - without a lock path: read it, delete it (at the version read — a concurrent consumer
 *   makes this fail and skips the item), then hand it to the consumer. An item is given
 *   to at most one consumer, but lost if that consumer fails (at-most-once);
 * - with a lock path: create the lock node (a concurrent consumer skips the item), read,
 *   consume, then delete the item — or, when the consumer throws and ErrorMode is REQUEUE,
 *   delete it and put its bytes back at the end in one transaction — and always delete the
 *   lock node (guaranteed). At-least-once.
 *
 * Connection loss / expiry contract:
 * - put(): a create retried after CONNECTIONLOSS may store the item twice (sequential
 *   nodes are not protected, as in Curator).
 * - Consumers: the children watch also receives Disconnected, so the loop wakes and its
 *   listing waits for the connection per the RetryPolicy; items are persistent and wait.
 *   An item whose delete succeeded but whose answer was lost is not consumed by anyone
 *   (without a lock path); with a lock path, LOST releases the ephemeral lock node and
 *   another consumer may process the item again.
 * - The consumer's `stateChanged` receives every connection state.
 *
 * Differs from Curator: no executor (one item at a time per queue), no delayed/priority/id
 * variants, no background puts (put() resolves when the node exists).
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { CreateMode } from "../../jute/CreateMode.js";
import type { Watcher } from "../../client/WatchedEvent.js";
import { getLogger } from "../../util/Logger.js";
import type { ConnectionState, ConnectionStateListener } from "../framework/ConnectionState.js";
import type { CuratorFramework } from "../framework/CuratorFramework.js";
import { IllegalStateException } from "../framework/CuratorZookeeperClient.js";
import { newStat } from "../framework/builders.js";
import { Monitor } from "../framework/Monitor.js";
import { compareStrings, makePath } from "../framework/ZKPaths.js";

const LOG = getLogger("DistributedQueue");

export const QUEUE_ITEM_NAME = "queue-";

export interface QueueSerializer<T> {
  serialize(item: T): Buffer;
  deserialize(bytes: Buffer): T;
}

export interface QueueConsumer<T> {
  consumeMessage(message: T): Promise<void> | void;
  stateChanged(client: CuratorFramework, newState: ConnectionState): void;
}

export const ErrorMode = {
  /** A failing consumer puts the item back at the end of the queue (lock path only). */
  REQUEUE: "REQUEUE",
  /** A failing consumer's item is deleted anyway. */
  DELETE: "DELETE",
} as const;
export type ErrorMode = (typeof ErrorMode)[keyof typeof ErrorMode];

// #region ItemSerializer
const VERSION = 0x00010001;
const ITEM_OPCODE = 0x01;
const EOF_OPCODE = 0x02;

export function serializeItems<T>(items: readonly T[], serializer: QueueSerializer<T>): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(4);
  head.writeInt32BE(VERSION);
  parts.push(head);
  for (const item of items) {
    const bytes = serializer.serialize(item);
    const h = Buffer.alloc(5);
    h.writeUInt8(ITEM_OPCODE, 0);
    h.writeInt32BE(bytes.length, 1);
    parts.push(h, bytes);
  }
  parts.push(Buffer.from([EOF_OPCODE]));
  return Buffer.concat(parts);
}

export function deserializeItems<T>(bytes: Buffer, serializer: QueueSerializer<T>): T[] {
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > bytes.length) throw new Error("EOF in queue item");
  };
  need(4);
  const version = bytes.readInt32BE(pos);
  pos += 4;
  if (version !== VERSION) throw new Error(`Incorrect version. Expected ${VERSION} - Found: ${version}`);
  const items: T[] = [];
  for (;;) {
    need(1);
    const opcode = bytes.readInt8(pos++);
    if (opcode === EOF_OPCODE) break;
    if (opcode !== ITEM_OPCODE) throw new Error(`Incorrect opcode. Expected ${ITEM_OPCODE} - Found: ${opcode}`);
    need(4);
    const size = bytes.readInt32BE(pos);
    pos += 4;
    if (size < 0) throw new Error(`Bad size: ${size}`);
    need(size);
    items.push(serializer.deserialize(bytes.subarray(pos, pos + size)));
    pos += size;
  }
  return items;
}
// #endregion ItemSerializer

export class QueueBuilder<T> {
  private lock: string | null = null;
  private max: number | null = null;

  private constructor(
    private readonly client: CuratorFramework,
    private readonly consumer: QueueConsumer<T> | null,
    private readonly serializer: QueueSerializer<T>,
    private readonly queuePath: string,
  ) {}

  /** `consumer` null: a producer-only queue. */
  static builder<T>(client: CuratorFramework, consumer: QueueConsumer<T> | null, serializer: QueueSerializer<T>, queuePath: string): QueueBuilder<T> {
    return new QueueBuilder(client, consumer, serializer, queuePath);
  }

  /** Process items under an ephemeral lock node here (at-least-once, requeue on error). */
  lockPath(path: string): this {
    this.lock = path;
    return this;
  }

  /** put() waits while the queue holds this many items. */
  maxItems(n: number): this {
    this.max = n;
    return this;
  }

  buildQueue(): DistributedQueue<T> {
    return new DistributedQueue(this.client, this.consumer, this.serializer, this.queuePath, this.lock, this.max);
  }
}

type State = "LATENT" | "STARTED" | "STOPPED";

export class DistributedQueue<T> {
  private state: State = "LATENT";
  private errorMode: ErrorMode = ErrorMode.REQUEUE;
  private readonly monitor = new Monitor();
  private readonly watcher: Watcher = () => this.monitor.notifyAll();
  private loop: Promise<void> | null = null;
  private lastMessageCount = 0;
  private readonly connectionStateListener: ConnectionStateListener<CuratorFramework> | null;

  constructor(
    private readonly client: CuratorFramework,
    private readonly consumer: QueueConsumer<T> | null,
    private readonly serializer: QueueSerializer<T>,
    private readonly queuePath: string,
    private readonly lockPath: string | null,
    private readonly maxItems: number | null,
  ) {
    this.connectionStateListener = consumer === null ? null : (c, s) => consumer.stateChanged(c, s);
  }

  async start(): Promise<void> {
    if (this.state !== "LATENT") throw new IllegalStateException("already started");
    this.state = "STARTED";
    // The paths themselves are persistent (a container would vanish when the queue empties).
    await this.createIfMissing(this.queuePath);
    if (this.lockPath !== null) await this.createIfMissing(this.lockPath);
    if (this.connectionStateListener !== null) this.client.getConnectionStateListenable().addListener(this.connectionStateListener);
    if (this.consumer !== null) this.loop = this.runLoop();
  }

  private async createIfMissing(path: string): Promise<void> {
    try {
      await this.client.create().creatingParentContainersIfNeeded().forPath(path);
    } catch (e) {
      if (!isCode(e, Code.NODEEXISTS)) throw e;
    }
  }

  /** Stops consuming; resolves when the item in progress (if any) is done. */
  async close(): Promise<void> {
    if (this.state !== "STARTED") return;
    this.state = "STOPPED";
    if (this.connectionStateListener !== null) this.client.getConnectionStateListenable().removeListener(this.connectionStateListener);
    this.monitor.notifyAll();
    await this.loop;
  }

  setErrorMode(mode: ErrorMode): void {
    if (this.lockPath === null) throw new IllegalStateException("lockPath cannot be null");
    this.errorMode = mode;
  }

  /** How many items the last listing found. */
  getLastMessageCount(): number {
    return this.lastMessageCount;
  }

  /** Adds an item. With maxItems and a timeout, resolves false if the queue stayed full. */
  put(item: T, maxWaitMs?: number): Promise<boolean> {
    return this.putMulti([item], maxWaitMs);
  }

  /** Adds several items in one node; a consumer receives them one by one, in order. */
  async putMulti(items: readonly T[], maxWaitMs?: number): Promise<boolean> {
    if (this.state !== "STARTED") throw new IllegalStateException("Queue is not started");
    if (this.maxItems !== null && !(await this.waitForRoom(maxWaitMs))) return false;
    const bytes = serializeItems(items, this.serializer);
    await this.client.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(makePath(this.queuePath, QUEUE_ITEM_NAME), bytes);
    return true;
  }

  private async waitForRoom(maxWaitMs: number | undefined): Promise<boolean> {
    const deadline = maxWaitMs === undefined ? null : Date.now() + maxWaitMs;
    for (;;) {
      const generation = this.monitor.generation;
      const children = await this.client.getChildren().usingWatcher(this.watcher).forPath(this.queuePath);
      if (children.length < this.maxItems!) return true;
      const left = deadline === null ? null : deadline - Date.now();
      if (left !== null && left <= 0) return false;
      await this.monitor.waitSince(generation, left);
    }
  }

  // #region runLoop
  private async runLoop(): Promise<void> {
    while (this.state === "STARTED") {
      try {
        const generation = this.monitor.generation;
        const children = (await this.client.getChildren().usingWatcher(this.watcher).forPath(this.queuePath)).sort(compareStrings);
        this.lastMessageCount = children.length;
        if (children.length === 0) {
          await this.monitor.waitSince(generation);
          continue;
        }
        for (const itemNode of children) {
          if (this.state !== "STARTED") break;
          if (!itemNode.startsWith(QUEUE_ITEM_NAME)) {
            LOG.warn(`Foreign node in queue path: ${itemNode}`);
            continue;
          }
          if (this.lockPath !== null) await this.processWithLockSafety(itemNode);
          else await this.processNormally(itemNode);
        }
      } catch (e) {
        if (this.state === "STARTED") {
          this.client.core.reportError(`Queue ${this.queuePath} consumer loop`, e);
          await this.monitor.wait(1000); // do not spin while the connection is gone
        }
      }
    }
  }
  // #endregion runLoop

  private async processNormally(itemNode: string): Promise<boolean> {
    const itemPath = makePath(this.queuePath, itemNode);
    try {
      const stat = newStat();
      const bytes = await this.client.getData().storingStatIn(stat).forPath(itemPath);
      await this.client.delete().withVersion(stat.version).forPath(itemPath);
      await this.processMessageBytes(itemNode, bytes);
      return true;
    } catch (e) {
      if (isCode(e, Code.NONODE) || isCode(e, Code.NODEEXISTS) || isCode(e, Code.BADVERSION)) return false; // another consumer got it
      throw e;
    }
  }

  // #region processWithLockSafety
  private async processWithLockSafety(itemNode: string): Promise<boolean> {
    const lockNodePath = makePath(this.lockPath!, itemNode);
    let lockCreated = false;
    try {
      await this.client.create().withMode(CreateMode.EPHEMERAL).forPath(lockNodePath);
      lockCreated = true;
      const itemPath = makePath(this.queuePath, itemNode);
      const bytes = await this.client.getData().forPath(itemPath);
      const requeue = (await this.processMessageBytes(itemNode, bytes)) === "REQUEUE";
      if (requeue) {
        const t = this.client.transactionOp();
        await this.client.transaction().forOperations([t.delete().forPath(itemPath), t.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(makePath(this.queuePath, QUEUE_ITEM_NAME), bytes)]);
      } else {
        await this.client.delete().forPath(itemPath);
      }
      return true;
    } catch (e) {
      if (isCode(e, Code.NONODE) || isCode(e, Code.NODEEXISTS) || isCode(e, Code.BADVERSION)) return false; // another consumer got it
      throw e;
    } finally {
      if (lockCreated) await this.client.delete().guaranteed().quietly().forPath(lockNodePath).catch((e) => LOG.warn(`lock node ${lockNodePath} not deleted yet`, e));
    }
  }
  // #endregion processWithLockSafety

  private async processMessageBytes(itemNode: string, bytes: Buffer): Promise<"NORMAL" | "REQUEUE"> {
    let items: T[];
    try {
      items = deserializeItems(bytes, this.serializer);
    } catch (e) {
      LOG.error(`Corrupted queue item: ${itemNode}`, e);
      return "NORMAL";
    }
    for (const item of items) {
      try {
        await this.consumer!.consumeMessage(item);
      } catch (e) {
        LOG.error(`Exception processing queue item: ${itemNode}`, e);
        if (this.errorMode === ErrorMode.REQUEUE && this.lockPath !== null) return "REQUEUE";
      }
    }
    return "NORMAL";
  }
}

function isCode(e: unknown, code: number): boolean {
  return e instanceof KeeperException && e.code === code;
}
