/**
 * The fluent operation builders: `client.create().creatingParentContainersIfNeeded()
 * .withMode(CreateMode.PERSISTENT).forPath("/nodeA", "init")` and friends.
 *
 * Reimplements Curator's `CreateBuilderImpl` (with ProtectedMode), `DeleteBuilderImpl`,
 * `GetDataBuilderImpl`, `SetDataBuilderImpl`, `ExistsBuilderImpl`,
 * `GetChildrenBuilderImpl`, `GetACLBuilderImpl`, `SetACLBuilderImpl`, `SyncBuilderImpl`,
 * `AddWatchBuilderImpl` and `RemoveWatchesBuilderImpl`. Chapter 10; the seed's four CRUD
 * calls [003 L19–39] (T79, T80) are `create`, `getData`, `delete` and `setData` here.
 *
 * Every builder is one-shot: options first, then `forPath(...)`, which returns a promise.
 * `forPath` puts the namespace in front of the path, runs the operation in the retry
 * loop, and takes the namespace off any path it returns.
 *
 * Node layout written by `create().withProtection()` (see ZKPaths.ts):
 *
 *     <parent>/_c_<uuid>-<name>[<10-digit sequence>]
 *
 * Connection loss / expiry contract:
 * - All operations: retried per the RetryPolicy (CuratorZookeeperClient.callWithRetry).
 * - create with protection: a retry first lists the parent for a child starting with
 *   "_c_<uuid>-" and, if found, returns it instead of creating a second node; an
 *   ephemeral found from an older session (the session changed between attempts) is
 *   deleted in the background and the create is repeated. If the create finally fails
 *   with CONNECTIONLOSS, a background guaranteed delete removes whatever it may have
 *   created (Curator's FindAndDeleteProtectedNodeInBackground).
 * - delete().guaranteed(): a final connection-type failure hands the path to the
 *   FailedDeleteManager, which keeps deleting in the background; the caller still sees
 *   the error.
 *
 * Differs from Curator: no `inBackground`, `compressed`/`decompressed`, `withTtl` on a
 * non-TTL mode, or per-builder ACLProvider; watchers may be functions or objects with
 * `process(event)`; `storingStatIn(stat)` copies the Stat's fields into the object given.
 */
import { randomUUID } from "node:crypto";
import { CreateMode, type CreateModeInfo } from "../../jute/CreateMode.js";
import type { ACL, Stat } from "../../jute/data.js";
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { WatcherType } from "../../jute/Watcher.js";
import type { Watcher } from "../../client/WatchedEvent.js";
import { AddWatchMode, type ZooKeeper } from "../../client/ZooKeeper.js";
import type { CuratorFramework } from "./CuratorFramework.js";
import { isRetryException } from "./RetryPolicy.js";
import { deleteChildren, getPathAndNode, getProtectedPrefix, makePath, mkdirs, toProtectedPath } from "./ZKPaths.js";

export type Data = Uint8Array | string | null;

/** Text → UTF-8, bytes as they are, null stays null. */
export function toBuffer(data: Data): Buffer | null {
  if (data === null) return null;
  return typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A Stat with every field zero, to pass to storingStatIn. */
export function newStat(): Stat {
  return { czxid: 0n, mzxid: 0n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 0n };
}

function isCode(e: unknown, code: number): boolean {
  return e instanceof KeeperException && e.code === code;
}

/** `storingStatIn(stat)`: the answer's Stat is copied into the caller's object. */
abstract class StatStoringBuilder {
  private statTarget: Stat | null = null;
  constructor(protected readonly client: CuratorFramework) {}

  storingStatIn(stat: Stat): this {
    this.statTarget = stat;
    return this;
  }

  protected store(stat: Stat): void {
    if (this.statTarget !== null) Object.assign(this.statTarget, stat);
  }
}

/** Shared by the read builders: no watch, `watched()` (CuratorListeners) or a watcher. */
abstract class WatchableBuilder extends StatStoringBuilder {
  protected watcher: Watcher | null = null;

  /** Watch with the client's CuratorListeners (events arrive as CuratorEvent WATCHED). */
  watched(): this {
    this.watcher = this.client.watchedWatcher;
    return this;
  }
  usingWatcher(watcher: Watcher): this {
    this.watcher = watcher;
    return this;
  }

  protected registered(unfixed: string, fixed: string): Watcher | false {
    return this.watcher === null ? false : this.client.wrapWatcher(this.watcher, unfixed, fixed);
  }
}

/** The mode, ACL and TTL of a create (shared with the transaction's create). */
export abstract class CreateOptions {
  protected mode: CreateModeInfo = CreateMode.PERSISTENT;
  protected acl: ACL[] | null = null;
  protected ttl = -1;
  constructor(protected readonly client: CuratorFramework) {}

  withMode(mode: CreateModeInfo): this {
    this.mode = mode;
    return this;
  }
  withACL(acl: ACL[]): this {
    this.acl = acl;
    return this;
  }
  /** For the *_WITH_TTL modes: milliseconds. */
  withTtl(ttlMs: number): this {
    this.ttl = ttlMs;
    return this;
  }
}

// #region CreateBuilder
export class CreateBuilder extends CreateOptions {
  private parents: "none" | "persistent" | "container" = "none";
  private protectedId: string | null = null;
  private setDataIfExistsVersion: number | null = null;
  private isIdempotent = false;
  private statTarget: Stat | null = null;
  /** The session an ephemeral protected create was first tried on (ProtectedMode.sessionId). */
  private protectedSessionId = 0n;

  /** Missing parents are created as persistent nodes. */
  creatingParentsIfNeeded(): this {
    this.parents = "persistent";
    return this;
  }
  /** Missing parents are created as containers (the server deletes them once empty). */
  creatingParentContainersIfNeeded(): this {
    this.parents = "container";
    return this;
  }
  /** Prefix the name with "_c_<uuid>-" so a create retried after a connection loss can find its node. */
  withProtection(): this {
    this.protectedId = randomUUID();
    return this;
  }
  /** If the node exists, set its data instead (with `version`, -1 for any). */
  orSetData(version = -1): this {
    this.setDataIfExistsVersion = version;
    return this;
  }
  /** An existing node with the same data counts as created (Curator 5's idempotent()). */
  idempotent(): this {
    this.isIdempotent = true;
    return this;
  }
  storingStatIn(stat: Stat): this {
    this.statTarget = stat;
    return this;
  }

  // #region create-forPath
  /** Creates the node; resolves to its actual path (sequential modes add a counter). */
  async forPath(path: string, data?: Data): Promise<string> {
    const bytes = data === undefined ? this.client.defaultData : toBuffer(data);
    const fixed = await this.client.fixPath(path, this.mode.sequential);
    let firstTime = true;
    try {
      const created = await this.client.callWithRetry(async (zk) => {
        const adjusted = this.protectedId === null ? fixed : toProtectedPath(fixed, this.protectedId);
        if (this.protectedId !== null) {
          if (!firstTime) {
            const found = await this.findProtectedNode(zk, adjusted);
            if (found !== null) return found;
          } else if (this.mode.ephemeral) {
            this.protectedSessionId = zk.getSessionId();
          }
        }
        firstTime = false;
        return this.createOnce(zk, adjusted, bytes);
      });
      return this.client.unfixPath(created);
    } catch (e) {
      if (this.protectedId !== null && (isCode(e, Code.CONNECTIONLOSS) || !(e instanceof KeeperException))) {
        // The node may exist without anyone knowing its name: delete it in the background.
        this.findAndDeleteInBackground(fixed, this.protectedId);
        this.protectedId = randomUUID();
      }
      throw e;
    }
  }
  // #endregion create-forPath

  // #region createOnce
  private async createOnce(zk: ZooKeeper, adjusted: string, bytes: Buffer | null): Promise<string> {
    const acl = this.acl ?? this.client.defaultAcl;
    try {
      return await this.createNode(zk, adjusted, bytes, acl);
    } catch (e) {
      if (isCode(e, Code.NONODE) && this.parents !== "none") {
        await mkdirs(zk, getPathAndNode(adjusted).path, true, this.client.defaultAcl, this.parents === "container");
        return this.createNode(zk, adjusted, bytes, acl);
      }
      if (isCode(e, Code.NODEEXISTS) && this.setDataIfExistsVersion !== null) {
        const stat = await zk.setData(adjusted, bytes, this.setDataIfExistsVersion);
        if (this.statTarget !== null) Object.assign(this.statTarget, stat);
        return adjusted;
      }
      if (isCode(e, Code.NODEEXISTS) && this.isIdempotent) {
        const { data } = await zk.getData(adjusted);
        if (Buffer.compare(data ?? Buffer.alloc(0), bytes ?? Buffer.alloc(0)) === 0) return adjusted;
      }
      throw e;
    }
  }
  // #endregion createOnce

  private async createNode(zk: ZooKeeper, path: string, bytes: Buffer | null, acl: ACL[]): Promise<string> {
    const r = await zk.create(path, bytes, acl, this.mode, this.mode.ttl ? this.ttl : -1);
    if (this.statTarget !== null) Object.assign(this.statTarget, r.stat);
    return r.path;
  }

  /** A child of the parent carrying our protected prefix, if the previous attempt created it. */
  private async findProtectedNode(zk: ZooKeeper, adjusted: string): Promise<string | null> {
    const { path: parent } = getPathAndNode(adjusted);
    let children: string[];
    try {
      children = await zk.getChildren(parent);
    } catch (e) {
      if (isCode(e, Code.NONODE)) return null;
      throw e;
    }
    const prefix = getProtectedPrefix(this.protectedId!);
    const name = children.find((c) => c.startsWith(prefix));
    let found = name === undefined ? null : makePath(parent, name);
    // ProtectedMode.validateFoundNode: an ephemeral of an earlier session is not ours any more.
    if (this.mode.ephemeral && zk.getSessionId() !== this.protectedSessionId) {
      if (found !== null) this.client.core.failedDeleteManager.addFailedOperation(found);
      found = null;
      this.protectedSessionId = zk.getSessionId();
    }
    return found;
  }

  private findAndDeleteInBackground(fixed: string, protectedId: string): void {
    const { path: parent } = getPathAndNode(fixed);
    const prefix = getProtectedPrefix(protectedId);
    void this.client
      .callWithRetry(async (zk) => {
        const children = await zk.getChildren(parent);
        for (const c of children) if (c.startsWith(prefix)) this.client.core.failedDeleteManager.addFailedOperation(makePath(parent, c));
      })
      .catch((e) => {
        if (!isCode(e, Code.NONODE)) this.client.core.reportError(`Could not find protected node under ${parent}`, e);
      });
  }
}
// #endregion CreateBuilder

// #region DeleteBuilder
export class DeleteBuilder {
  private version = -1;
  private isGuaranteed = false;
  private children = false;
  private isQuiet = false;

  constructor(private readonly client: CuratorFramework) {}

  /** Keep trying in the background after a connection-type failure, until the node is gone. */
  guaranteed(): this {
    this.isGuaranteed = true;
    return this;
  }
  deletingChildrenIfNeeded(): this {
    this.children = true;
    return this;
  }
  withVersion(version: number): this {
    this.version = version;
    return this;
  }
  /** NONODE is not an error. */
  quietly(): this {
    this.isQuiet = true;
    return this;
  }

  async forPath(path: string): Promise<void> {
    const fixed = await this.client.fixPath(path);
    try {
      await this.client.callWithRetry(async (zk) => {
        try {
          await zk.delete(fixed, this.version);
        } catch (e) {
          if (isCode(e, Code.NONODE) && this.isQuiet) return;
          if (isCode(e, Code.NOTEMPTY) && this.children) return deleteChildren(zk, fixed, true);
          throw e;
        }
      });
    } catch (e) {
      if (this.isGuaranteed && isRetryException(e)) this.client.core.failedDeleteManager.addFailedOperation(fixed, this.version);
      throw e;
    }
  }
}
// #endregion DeleteBuilder

export class GetDataBuilder extends WatchableBuilder {
  /** The node's data (an empty Buffer when it holds none). */
  async forPath(path: string): Promise<Buffer> {
    const fixed = await this.client.fixPath(path);
    const r = await this.client.callWithRetry((zk) => zk.getData(fixed, this.registered(path, fixed)));
    this.store(r.stat);
    return r.data ?? Buffer.alloc(0);
  }
}

export class SetDataBuilder {
  private version = -1;
  constructor(private readonly client: CuratorFramework) {}

  withVersion(version: number): this {
    this.version = version;
    return this;
  }

  async forPath(path: string, data?: Data): Promise<Stat> {
    const bytes = data === undefined ? this.client.defaultData : toBuffer(data);
    const fixed = await this.client.fixPath(path);
    return this.client.callWithRetry((zk) => zk.setData(fixed, bytes, this.version));
  }
}

export class CheckExistsBuilder extends WatchableBuilder {
  private parents: "none" | "persistent" | "container" = "none";

  /** Creates the parents (not the node) before asking. */
  creatingParentsIfNeeded(): this {
    this.parents = "persistent";
    return this;
  }
  creatingParentContainersIfNeeded(): this {
    this.parents = "container";
    return this;
  }

  /** The Stat, or null when the node does not exist (the watch is set either way). */
  async forPath(path: string): Promise<Stat | null> {
    const fixed = await this.client.fixPath(path);
    return this.client.callWithRetry(async (zk) => {
      if (this.parents !== "none") {
        const parent = getPathAndNode(fixed).path;
        if (parent !== "/") await mkdirs(zk, parent, true, this.client.defaultAcl, this.parents === "container");
      }
      return zk.exists(fixed, this.registered(path, fixed));
    });
  }
}

export class GetChildrenBuilder extends WatchableBuilder {
  async forPath(path: string): Promise<string[]> {
    const fixed = await this.client.fixPath(path);
    const r = await this.client.callWithRetry((zk) => zk.getChildren2(fixed, this.registered(path, fixed)));
    this.store(r.stat);
    return r.children;
  }
}

export class GetACLBuilder extends StatStoringBuilder {
  async forPath(path: string): Promise<ACL[]> {
    const fixed = await this.client.fixPath(path);
    const r = await this.client.callWithRetry((zk) => zk.getACL(fixed));
    this.store(r.stat);
    return r.acl;
  }
}

export class SetACLBuilder {
  private version = -1;
  private acl: ACL[] | null = null;
  constructor(private readonly client: CuratorFramework) {}

  withVersion(version: number): this {
    this.version = version;
    return this;
  }
  withACL(acl: ACL[]): this {
    this.acl = acl;
    return this;
  }

  async forPath(path: string): Promise<Stat> {
    const fixed = await this.client.fixPath(path);
    const acl = this.acl ?? this.client.defaultAcl;
    return this.client.callWithRetry((zk) => zk.setACL(fixed, acl, this.version));
  }
}

export class SyncBuilder {
  constructor(private readonly client: CuratorFramework) {}

  async forPath(path: string): Promise<void> {
    const fixed = await this.client.fixPath(path);
    await this.client.callWithRetry((zk) => zk.sync(fixed));
  }
}

/** `watchers().add()…` and `watchers().remove(w)…` (Curator 5.1's WatchesBuilder). */
export class WatchesBuilder {
  constructor(private readonly client: CuratorFramework) {}

  add(): AddWatchBuilder {
    return new AddWatchBuilder(this.client);
  }
  remove(watcher: Watcher): RemoveWatchesBuilder {
    return new RemoveWatchesBuilder(this.client, watcher);
  }
  removeAll(): RemoveWatchesBuilder {
    return new RemoveWatchesBuilder(this.client, null);
  }
}

export class AddWatchBuilder extends WatchableBuilder {
  private mode: AddWatchMode = AddWatchMode.PERSISTENT_RECURSIVE;

  withMode(mode: AddWatchMode): this {
    this.mode = mode;
    return this;
  }

  async forPath(path: string): Promise<void> {
    const fixed = await this.client.fixPath(path);
    const w = this.registered(path, fixed);
    if (w === false) throw new KeeperException(Code.BADARGUMENTS, path);
    await this.client.callWithRetry((zk) => zk.addWatch(fixed, this.mode, w));
  }
}

export class RemoveWatchesBuilder {
  private type: WatcherType = WatcherType.Any;
  private isLocal = false;
  private isQuiet = false;

  constructor(
    private readonly client: CuratorFramework,
    private readonly watcher: Watcher | null,
  ) {}

  ofType(type: WatcherType): this {
    this.type = type;
    return this;
  }
  /** Remove on the client only, without asking the server. */
  locally(): this {
    this.isLocal = true;
    return this;
  }
  /** NOWATCHER is not an error. */
  quietly(): this {
    this.isQuiet = true;
    return this;
  }

  async forPath(path: string): Promise<void> {
    const fixed = await this.client.fixPath(path);
    try {
      await this.client.callWithRetry((zk) =>
        this.watcher === null ? zk.removeAllWatches(fixed, this.type, this.isLocal) : zk.removeWatches(fixed, this.client.wrapWatcher(this.watcher, path, fixed), this.type, this.isLocal),
      );
    } catch (e) {
      if (isCode(e, Code.NOWATCHER) && this.isQuiet) return;
      throw e;
    }
  }
}
