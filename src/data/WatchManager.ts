/**
 * WatchManager — which connections watch which paths, and firing them.
 *
 * Reimplements `org.apache.zookeeper.server.watch.WatchManager` with
 * `WatcherModeManager`, `WatcherMode` and `PathParentIterator` (3.6+: persistent and
 * persistent-recursive watches). Chapter 07 (FinalRequestProcessor fires watches as it
 * applies txns) and chapter 09 (the client's side of the same events).
 *
 * A DataTree has two of these: one for data watches (getData/exists) and one for
 * child watches (getChildren). A watch is (watcher, path, mode):
 *
 * - STANDARD fires once, for an event on exactly its path, and is then removed.
 * - PERSISTENT fires for every event on exactly its path and stays.
 * - PERSISTENT_RECURSIVE fires for every event on its path or any descendant, except
 *   NodeChildrenChanged (a recursive watcher learns of children through their own
 *   NodeCreated/NodeDeleted events).
 *
 * The mode is kept per (watcher, path), not per watch: a later STANDARD watch on a path
 * where the same connection has a PERSISTENT one turns it back into a one-shot watch.
 * That is how ZooKeeper 3.6–3.8 behave, and clients depend on identical behaviour, so
 * it is kept.
 *
 * Every notification carries the ACL of the node it is about, and a connection without
 * READ permission on that node never hears of it (CVE-2024-23944: before the fix a
 * persistent recursive watch on an open parent revealed the paths of protected
 * children). Fixed upstream in 3.8.4 and in Debian's 3.8.0 package; we follow the fix.
 *
 * Differs from Java: watchers of one event are notified in the order they registered
 * (Java iterates a HashSet). Per connection this makes no difference: one event
 * reaches a connection at most once.
 */
import type { ACL } from "../jute/data.js";
import { EventType, KeeperState } from "../jute/Watcher.js";

export interface WatchedEvent {
  type: EventType;
  state: KeeperState;
  path: string;
}

/** Something that receives watch events: a client connection. */
export interface Watcher {
  /**
   * Delivers an event. `znodeAcl` is the ACL of the node the event is about (null for
   * events that need no check); the connection drops the event unless it may READ it.
   */
  process(event: WatchedEvent, znodeAcl?: ACL[] | null): void;
  /** The session the watcher belongs to, for the wchc/wchp dumps. */
  readonly sessionId: bigint;
  /** A closed connection takes no new watches. */
  isStale(): boolean;
}

export type WatcherMode = "STANDARD" | "PERSISTENT" | "PERSISTENT_RECURSIVE";

export function watcherModeFromZooDef(mode: number): WatcherMode {
  if (mode === 0) return "PERSISTENT";
  if (mode === 1) return "PERSISTENT_RECURSIVE";
  throw new RangeError(`Unsupported mode: ${mode}`);
}

/**
 * "/a/b" → "/a/b", "/a", "/" (or only "/a/b" when `all` is false), with whether each is
 * a parent. Like Java's PathParentIterator it computes the next path as it hands out the
 * current one, so a path without any "/" fails (Java's substring(0, -1)), which a
 * checkWatches on such a path reports as MARSHALLINGERROR.
 */
function* pathAndParents(path: string, all: boolean): Generator<[path: string, atParent: boolean]> {
  let p = path;
  let level = -1;
  const maxLevel = all ? Number.MAX_SAFE_INTEGER : 0;
  while (p.length > 0 && level < maxLevel) {
    const local = p;
    level++;
    if (p === "/") p = "";
    else {
      const i = p.lastIndexOf("/");
      if (i < 0) throw new RangeError(`begin 0, end -1, length ${p.length}`);
      p = i === 0 ? "/" : p.substring(0, i);
    }
    yield [local, level > 0];
  }
}

export class WatchManager {
  private readonly watchTable = new Map<string, Set<Watcher>>();
  private readonly watch2Paths = new Map<Watcher, Set<string>>();
  /** Non-standard modes only; absence means STANDARD. */
  private readonly modes = new Map<Watcher, Map<string, WatcherMode>>();
  private recursiveQty = 0;

  /** Number of (path, watcher) pairs. */
  get size(): number {
    let n = 0;
    for (const set of this.watchTable.values()) n += set.size;
    return n;
  }

  private getMode(w: Watcher, path: string): WatcherMode {
    return this.modes.get(w)?.get(path) ?? "STANDARD";
  }

  private setMode(w: Watcher, path: string, mode: WatcherMode): void {
    let byPath = this.modes.get(w);
    const old = byPath?.get(path) ?? "STANDARD";
    if (mode === "STANDARD") {
      byPath?.delete(path);
      if (byPath?.size === 0) this.modes.delete(w);
    } else {
      if (byPath === undefined) this.modes.set(w, (byPath = new Map()));
      byPath.set(path, mode);
    }
    const wasRecursive = old === "PERSISTENT_RECURSIVE";
    const isRecursive = mode === "PERSISTENT_RECURSIVE";
    if (wasRecursive !== isRecursive) this.recursiveQty += isRecursive ? 1 : -1;
  }

  // #region add-watch
  addWatch(path: string, watcher: Watcher, mode: WatcherMode = "STANDARD"): boolean {
    if (watcher.isStale()) return false;
    let set = this.watchTable.get(path);
    if (set === undefined) this.watchTable.set(path, (set = new Set()));
    set.add(watcher);
    let paths = this.watch2Paths.get(watcher);
    if (paths === undefined) this.watch2Paths.set(watcher, (paths = new Set()));
    this.setMode(watcher, path, mode);
    const before = paths.size;
    paths.add(path);
    return paths.size !== before;
  }
  // #endregion add-watch

  /** Forgets every watch of a watcher (its connection closed). */
  removeWatcher(watcher: Watcher): void {
    const paths = this.watch2Paths.get(watcher);
    if (paths === undefined) return;
    this.watch2Paths.delete(watcher);
    for (const p of paths) {
      const set = this.watchTable.get(p);
      if (set !== undefined) {
        set.delete(watcher);
        if (set.size === 0) this.watchTable.delete(p);
      }
      this.setMode(watcher, p, "STANDARD");
    }
  }

  // #region trigger-watch
  /**
   * Fires the watches an event on `path` triggers and returns who was notified, so
   * the caller can suppress a second notification from the other manager.
   */
  triggerWatch(path: string, type: EventType, acl: ACL[] | null, suppress?: Set<Watcher> | null): Set<Watcher> | null {
    if (this.watchTable.size === 0) return null; // most writes: nobody watches anything
    const event: WatchedEvent = { type, state: KeeperState.SyncConnected, path };
    const watchers = new Set<Watcher>();
    for (const [localPath, atParent] of pathAndParents(path, this.recursiveQty > 0)) {
      const set = this.watchTable.get(localPath);
      if (set === undefined) continue;
      for (const w of set) {
        const mode = this.getMode(w, localPath);
        if (mode === "PERSISTENT_RECURSIVE") {
          if (type !== EventType.NodeChildrenChanged) watchers.add(w);
        } else if (!atParent) {
          watchers.add(w);
          if (mode === "STANDARD") {
            set.delete(w);
            this.watch2Paths.get(w)?.delete(localPath);
          }
        }
      }
      if (set.size === 0) this.watchTable.delete(localPath);
    }
    if (watchers.size === 0) return null;
    for (const w of watchers) {
      if (suppress?.has(w)) continue;
      w.process(event, acl);
    }
    return watchers;
  }
  // #endregion trigger-watch

  containsWatcher(path: string, watcher: Watcher): boolean {
    const mode = this.getMode(watcher, path);
    for (const [localPath, atParent] of pathAndParents(path, this.recursiveQty > 0)) {
      if (!atParent && this.watchTable.get(localPath) !== undefined) return true;
      if (mode === "PERSISTENT_RECURSIVE") return true;
    }
    return false;
  }

  /** Removes one watch; false when the watcher had no watch on that path. */
  removeWatch(path: string, watcher: Watcher): boolean {
    const paths = this.watch2Paths.get(watcher);
    if (paths === undefined || !paths.delete(path)) return false;
    const set = this.watchTable.get(path);
    if (set === undefined || !set.delete(watcher)) return false;
    if (set.size === 0) this.watchTable.delete(path);
    this.setMode(watcher, path, "STANDARD");
    return true;
  }

  /** Java's WatchManager.toString, the body of the `wchs` command. */
  summary(): { connections: number; paths: number; total: number } {
    let total = 0;
    for (const p of this.watch2Paths.values()) total += p.size;
    return { connections: this.watch2Paths.size, paths: this.watchTable.size, total };
  }

  /** session id → watched paths (wchc). */
  bySession(): Map<bigint, string[]> {
    const out = new Map<bigint, string[]>();
    for (const [w, paths] of this.watch2Paths) out.set(w.sessionId, [...paths]);
    return out;
  }

  /** path → watching session ids (wchp). */
  byPath(): Map<string, bigint[]> {
    const out = new Map<string, bigint[]>();
    for (const [p, set] of this.watchTable) out.set(p, [...set].map((w) => w.sessionId));
    return out;
  }

  get recursiveWatchQty(): number {
    return this.recursiveQty;
  }
}
