/**
 * ZKWatchManager — the client's table of watches: which Watcher to call for which path
 * and event, and which watches to re-register after a reconnect.
 *
 * Reimplements `org.apache.zookeeper.ZKWatchManager`, `WatchDeregistration` and the
 * `WatchRegistration` classes nested in `ZooKeeper` (Exists/Data/Child/AddWatch).
 * Chapter 09 (client). The handout shows only its creation and the default watcher
 * [001 L8866–8870] and stops before event delivery (G15), so the rest is added knowledge
 * (U), from the 3.8 source.
 *
 * Five maps from client path (chroot removed) to a set of watchers:
 * - data: getData watches, and exists watches on a node that exists;
 * - exist: exists watches on a node that does not exist yet (they wait for NodeCreated);
 * - child: getChildren watches;
 * - persistent / persistentRecursive: addWatch watches, which are never consumed.
 * One-shot watches are removed when they fire (`materialize`); a watch is only added
 * once the server has answered, with the answer's error code (`WatchRegistration.register`).
 *
 * Differs from Java: sets keep insertion order, so watchers of one event run in the order
 * they were registered (Java's HashSet order is unspecified).
 */
import { Code, KeeperException } from "../jute/KeeperException.js";
import { EventType, KeeperState, WatcherType } from "../jute/Watcher.js";
import { getLogger } from "../util/Logger.js";
import type { Watcher } from "./WatchedEvent.js";

const LOG = getLogger("ZKWatchManager");

type WatchMap = Map<string, Set<Watcher>>;

/** Which map a registration goes to: Java's four WatchRegistration subclasses (AddWatch has two modes). */
export type WatchKind = "exists" | "data" | "child" | "persistent" | "persistentRecursive";

export class ZKWatchManager {
  readonly dataWatches: WatchMap = new Map();
  readonly existWatches: WatchMap = new Map();
  readonly childWatches: WatchMap = new Map();
  readonly persistentWatches: WatchMap = new Map();
  readonly persistentRecursiveWatches: WatchMap = new Map();

  constructor(
    /** `zookeeper.disableAutoWatchReset`: drop one-shot watches on disconnect instead of re-registering them. */
    readonly disableAutoWatchReset: boolean,
    public defaultWatcher: Watcher | null,
  ) {}

  getDataWatchList(): string[] {
    return [...this.dataWatches.keys()];
  }
  getExistWatchList(): string[] {
    return [...this.existWatches.keys()];
  }
  getChildWatchList(): string[] {
    return [...this.childWatches.keys()];
  }
  getPersistentWatchList(): string[] {
    return [...this.persistentWatches.keys()];
  }
  getPersistentRecursiveWatchList(): string[] {
    return [...this.persistentRecursiveWatches.keys()];
  }

  /** True when no watch of any kind is registered. */
  isEmpty(): boolean {
    return this.allMaps().every((m) => m.size === 0);
  }

  private allMaps(): WatchMap[] {
    return [this.dataWatches, this.existWatches, this.childWatches, this.persistentWatches, this.persistentRecursiveWatches];
  }

  // #region materialize
  /**
   * The watchers an event goes to, removing the one-shot watches it consumes. Called when
   * the event is queued, not when it is delivered, so a watch set again from inside a
   * watcher is never consumed by the event that is being delivered.
   */
  materialize(state: KeeperState, type: EventType, clientPath: string | null): Set<Watcher> {
    const result = new Set<Watcher>();
    switch (type) {
      case EventType.None: {
        // Connection-state changes go to the default watcher and to every watcher there is.
        if (this.defaultWatcher) result.add(this.defaultWatcher);
        const clear = this.disableAutoWatchReset && state !== KeeperState.SyncConnected;
        for (const m of [this.dataWatches, this.existWatches, this.childWatches]) {
          addAll(m, result);
          if (clear) m.clear();
        }
        addAll(this.persistentWatches, result);
        addAll(this.persistentRecursiveWatches, result);
        return result;
      }
      case EventType.NodeDataChanged:
      case EventType.NodeCreated:
        take(this.dataWatches, clientPath!, result);
        take(this.existWatches, clientPath!, result);
        break;
      case EventType.NodeChildrenChanged:
        take(this.childWatches, clientPath!, result);
        break;
      case EventType.NodeDeleted:
        take(this.dataWatches, clientPath!, result);
        // An exists watch sits in dataWatches once the node exists, so this should stay empty.
        if (take(this.existWatches, clientPath!, result)) LOG.warn("We are triggering an exists watch for delete! Shouldn't happen!");
        take(this.childWatches, clientPath!, result);
        break;
      default:
        throw new Error(`Unhandled watch event type ${type} with state ${state} on path ${clientPath}`);
    }
    this.addPersistentWatches(clientPath!, result);
    return result;
  }

  /** Persistent watches on the path itself, and recursive ones on it or any ancestor. */
  private addPersistentWatches(clientPath: string, result: Set<Watcher>): void {
    for (const w of this.persistentWatches.get(clientPath) ?? []) result.add(w);
    for (const p of pathAndParents(clientPath)) {
      for (const w of this.persistentRecursiveWatches.get(p) ?? []) result.add(w);
    }
  }
  // #endregion materialize

  // #region removeWatcher
  /**
   * Removes watchers after a checkWatches/removeWatches reply with error `rc` (or locally,
   * when `local` and the server could not be asked). Returns them by the event type that
   * tells each one it was removed. Throws NOWATCHER when nothing matched.
   */
  removeWatcher(clientPath: string, watcher: Watcher | null, type: WatcherType, local: boolean, rc: number): Map<EventType, Set<Watcher>> {
    this.containsWatcher(clientPath, watcher, type);
    const child = new Set<Watcher>();
    const data = new Set<Watcher>();
    const persistent = new Set<Watcher>();
    const removed = new Map<EventType, Set<Watcher>>([
      [EventType.ChildWatchRemoved, child],
      [EventType.DataWatchRemoved, data],
      [EventType.PersistentWatchRemoved, persistent],
    ]);
    const from = (m: WatchMap, into: Set<Watcher>) => removeWatches(m, watcher, clientPath, local, rc, into);
    let any = false;
    if (type === WatcherType.Children || type === WatcherType.Any) any = from(this.childWatches, child) || any;
    if (type === WatcherType.Data || type === WatcherType.Any) {
      any = from(this.dataWatches, data) || any;
      any = from(this.existWatches, data) || any;
    }
    if (type === WatcherType.Any) {
      any = from(this.persistentWatches, persistent) || any;
      any = from(this.persistentRecursiveWatches, persistent) || any;
    }
    if (!any) throw new KeeperException(Code.NOWATCHER, clientPath);
    return removed;
  }

  /** Throws NOWATCHER unless a watch of `type` (or this very watcher) is set on the path. */
  containsWatcher(path: string, watcher: Watcher | null, type: WatcherType): void {
    const maps: WatchMap[] = [];
    if (type !== WatcherType.Data) maps.push(this.childWatches);
    if (type !== WatcherType.Children) maps.push(this.dataWatches, this.existWatches);
    // Java counts persistent watches as matching every type here, though only Any removes them.
    maps.push(this.persistentWatches, this.persistentRecursiveWatches);
    const found = maps.some((m) => {
      const set = m.get(path);
      return set !== undefined && (watcher === null ? set.size > 0 : set.has(watcher));
    });
    if (!found) throw new KeeperException(Code.NOWATCHER, path);
  }
  // #endregion removeWatcher
}

function addAll(m: WatchMap, into: Set<Watcher>): void {
  for (const set of m.values()) for (const w of set) into.add(w);
}

/** Moves the watchers of one path into `into`; true when there were any. */
function take(m: WatchMap, path: string, into: Set<Watcher>): boolean {
  const set = m.get(path);
  if (!set) return false;
  m.delete(path);
  for (const w of set) into.add(w);
  return true;
}

function removeWatches(m: WatchMap, watcher: Watcher | null, path: string, local: boolean, rc: number, removed: Set<Watcher>): boolean {
  if (!local && rc !== Code.OK) throw new KeeperException(rc, path);
  const set = m.get(path);
  if (!set) return false;
  if (watcher === null) {
    m.delete(path);
    for (const w of set) removed.add(w);
    return true;
  }
  if (!set.delete(watcher)) return false;
  removed.add(watcher);
  if (set.size === 0) m.delete(path);
  return true;
}

/** "/a/b" → "/a/b", "/a", "/" (Java's PathParentIterator.forAll). */
export function pathAndParents(path: string): string[] {
  const out = [path];
  let p = path;
  while (p.length > 1) {
    p = p.substring(0, p.lastIndexOf("/")) || "/";
    out.push(p);
  }
  return out;
}

// #region WatchRegistration
/**
 * A watch to add once the request's reply is in (Java's WatchRegistration subclasses).
 * Exists and addWatch also register on NONODE: an exists watch on a missing node waits
 * for its creation, and a persistent watch may be set before the node exists.
 */
export class WatchRegistration {
  constructor(
    readonly kind: WatchKind,
    readonly watcher: Watcher,
    readonly clientPath: string,
  ) {}

  register(manager: ZKWatchManager, rc: number): void {
    const registersOnNoNode = this.kind === "exists" || this.kind === "persistent" || this.kind === "persistentRecursive";
    if (!(rc === Code.OK || (registersOnNoNode && rc === Code.NONODE))) return;
    const m = this.watchesFor(manager, rc);
    let set = m.get(this.clientPath);
    if (!set) m.set(this.clientPath, (set = new Set()));
    set.add(this.watcher);
  }

  private watchesFor(manager: ZKWatchManager, rc: number): WatchMap {
    switch (this.kind) {
      case "exists":
        return rc === Code.OK ? manager.dataWatches : manager.existWatches;
      case "data":
        return manager.dataWatches;
      case "child":
        return manager.childWatches;
      case "persistent":
        return manager.persistentWatches;
      case "persistentRecursive":
        return manager.persistentRecursiveWatches;
    }
  }
}
// #endregion WatchRegistration

/** A removeWatches/checkWatches request's local half (Java's WatchDeregistration). */
export class WatchDeregistration {
  constructor(
    readonly clientPath: string,
    readonly watcher: Watcher | null,
    readonly watcherType: WatcherType,
    readonly local: boolean,
    private readonly manager: ZKWatchManager,
  ) {}

  unregister(rc: number): Map<EventType, Set<Watcher>> {
    return this.manager.removeWatcher(this.clientPath, this.watcher, this.watcherType, this.local, rc);
  }
}
