/**
 * WatchedEvent and Watcher — what a watch delivers, and who it is delivered to.
 *
 * Reimplements `org.apache.zookeeper.WatchedEvent` and `org.apache.zookeeper.Watcher`
 * (the enums themselves live in src/jute/Watcher.ts, since the server sends their numbers).
 * Chapter 09 (client); the watcher passed to the constructor [001 L8811–8892] receives them. Otherwise not in the handout (U).
 *
 * Differs from Java: a Watcher may be a plain function as well as an object with
 * `process(event)`; either way its identity is what ZKWatchManager deduplicates on, as
 * Java's HashSet<Watcher> does with object identity.
 */
import { EventType, KeeperState, eventTypeName, keeperStateName } from "../jute/Watcher.js";

export class WatchedEvent {
  constructor(
    readonly type: EventType,
    readonly state: KeeperState,
    /** The client path (chroot removed), or null for connection-state events. */
    readonly path: string | null,
  ) {}

  /** Exactly the text zkCli prints after "WATCHER::". */
  toString(): string {
    return `WatchedEvent state:${keeperStateName(this.state)} type:${eventTypeName(this.type)} path:${this.path}`;
  }
}

export type WatcherFn = (event: WatchedEvent) => void;
export interface WatcherObject {
  process(event: WatchedEvent): void;
}
export type Watcher = WatcherFn | WatcherObject;

/** Calls a watcher of either shape. */
export function deliver(watcher: Watcher, event: WatchedEvent): void {
  if (typeof watcher === "function") watcher(event);
  else watcher.process(event);
}

export { EventType, KeeperState };
