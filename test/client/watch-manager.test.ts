/**
 * ZKWatchManager's delivery rules (Java's ZKWatchManager.materialize and removeWatcher):
 * which watchers an event reaches, which one-shot watches it consumes, and what
 * connection-state events do.
 */
import { describe, expect, it } from "vitest";
import { Code } from "../../src/jute/KeeperException.js";
import { EventType, KeeperState, WatcherType } from "../../src/jute/Watcher.js";
import type { Watcher } from "../../src/client/WatchedEvent.js";
import { pathAndParents, WatchRegistration, ZKWatchManager, type WatchKind } from "../../src/client/ZKWatchManager.js";

const named = (name: string): Watcher => Object.assign(() => undefined, { displayName: name });
const names = (s: Set<Watcher>) => [...s].map((w) => (w as unknown as { displayName: string }).displayName);

function manager(): { wm: ZKWatchManager; dflt: Watcher; add: (kind: WatchKind, path: string, w: Watcher, rc?: number) => void } {
  const dflt = named("default");
  const wm = new ZKWatchManager(false, dflt);
  return { wm, dflt, add: (kind, path, w, rc = Code.OK) => new WatchRegistration(kind, w, path).register(wm, rc) };
}

describe("ZKWatchManager", () => {
  it("NodeDataChanged reaches data and exists watches on the path, and consumes them", () => {
    const { wm, add } = manager();
    add("data", "/a", named("data"));
    add("exists", "/a", named("exists-present"));
    add("child", "/a", named("child"));
    expect(names(wm.materialize(KeeperState.SyncConnected, EventType.NodeDataChanged, "/a"))).toEqual(["data", "exists-present"]);
    expect(wm.materialize(KeeperState.SyncConnected, EventType.NodeDataChanged, "/a").size).toBe(0);
    expect(wm.getChildWatchList()).toEqual(["/a"]);
  });

  it("NodeCreated reaches an exists watch set while the node was missing", () => {
    const { wm, add } = manager();
    add("exists", "/a", named("exists-missing"), Code.NONODE);
    add("data", "/a", named("data-missing"), Code.NONODE); // getData on a missing node sets nothing
    expect(wm.getExistWatchList()).toEqual(["/a"]);
    expect(names(wm.materialize(KeeperState.SyncConnected, EventType.NodeCreated, "/a"))).toEqual(["exists-missing"]);
  });

  it("NodeDeleted reaches data and child watches; NodeChildrenChanged only child watches", () => {
    const { wm, add } = manager();
    add("data", "/a", named("data"));
    add("child", "/a", named("child"));
    expect(names(wm.materialize(KeeperState.SyncConnected, EventType.NodeChildrenChanged, "/a"))).toEqual(["child"]);
    add("child", "/a", named("child2"));
    expect(names(wm.materialize(KeeperState.SyncConnected, EventType.NodeDeleted, "/a"))).toEqual(["data", "child2"]);
  });

  it("persistent watches fire on their node and are never consumed; recursive ones fire for descendants", () => {
    const { wm, add } = manager();
    add("persistent", "/a", named("p"));
    add("persistentRecursive", "/", named("r"), Code.NONODE);
    expect(names(wm.materialize(KeeperState.SyncConnected, EventType.NodeDataChanged, "/a"))).toEqual(["p", "r"]);
    expect(names(wm.materialize(KeeperState.SyncConnected, EventType.NodeCreated, "/a/b/c"))).toEqual(["r"]);
    expect(names(wm.materialize(KeeperState.SyncConnected, EventType.NodeDataChanged, "/a"))).toEqual(["p", "r"]);
  });

  it("one watcher set several ways is called once per event", () => {
    const { wm, add } = manager();
    const w = named("same");
    add("data", "/a", w);
    add("persistent", "/a", w);
    expect(names(wm.materialize(KeeperState.SyncConnected, EventType.NodeDataChanged, "/a"))).toEqual(["same"]);
  });

  it("connection events reach the default watcher and every watcher, consuming nothing", () => {
    const { wm, add } = manager();
    add("data", "/a", named("data"));
    add("child", "/b", named("child"));
    add("persistent", "/c", named("p"));
    expect(names(wm.materialize(KeeperState.Disconnected, EventType.None, null))).toEqual(["default", "data", "child", "p"]);
    expect(wm.getDataWatchList()).toEqual(["/a"]);
  });

  it("with disableAutoWatchReset a non-SyncConnected state clears one-shot watches but not persistent ones", () => {
    const wm = new ZKWatchManager(true, null);
    new WatchRegistration("data", named("d"), "/a").register(wm, Code.OK);
    new WatchRegistration("persistent", named("p"), "/a").register(wm, Code.OK);
    wm.materialize(KeeperState.Disconnected, EventType.None, null);
    expect(wm.getDataWatchList()).toEqual([]);
    expect(wm.getPersistentWatchList()).toEqual(["/a"]);
  });

  it("removeWatcher: by type, NOWATCHER when nothing matches, the server's code unless local", () => {
    const { wm, add } = manager();
    const d = named("d");
    add("data", "/a", d);
    add("child", "/a", named("c"));
    expect(() => wm.removeWatcher("/b", null, WatcherType.Any, false, Code.OK)).toThrow(expect.objectContaining({ code: Code.NOWATCHER }));
    expect(() => wm.removeWatcher("/a", d, WatcherType.Data, false, Code.CONNECTIONLOSS)).toThrow(expect.objectContaining({ code: Code.CONNECTIONLOSS }));
    const removed = wm.removeWatcher("/a", d, WatcherType.Data, true, Code.CONNECTIONLOSS);
    expect(names(removed.get(EventType.DataWatchRemoved)!)).toEqual(["d"]);
    expect(wm.getDataWatchList()).toEqual([]);
    const rest = wm.removeWatcher("/a", null, WatcherType.Any, false, Code.OK);
    expect(names(rest.get(EventType.ChildWatchRemoved)!)).toEqual(["c"]);
  });

  it("a path's parents, nearest first", () => {
    expect(pathAndParents("/a/b/c")).toEqual(["/a/b/c", "/a/b", "/a", "/"]);
    expect(pathAndParents("/")).toEqual(["/"]);
  });
});
