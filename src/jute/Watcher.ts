/**
 * The watch vocabulary: event types, connection states and watcher types as the Java
 * client defines them (`org.apache.zookeeper.Watcher.Event`, `Watcher.WatcherType`).
 *
 * Chapter 09. The numeric values are what travels in WatcherEvent notifications.
 */

// #region watcher-enums
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Expired: -112,
  Closed: 7,
} as const;
export type KeeperState = (typeof KeeperState)[keyof typeof KeeperState];

/** Which watches removeWatches / checkWatches address. */
export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
} as const;
export type WatcherType = (typeof WatcherType)[keyof typeof WatcherType];
// #endregion watcher-enums

function nameOf(table: Record<string, number>, v: number): string {
  for (const [k, x] of Object.entries(table)) if (x === v) return k;
  return `Unknown(${v})`;
}

export const eventTypeName = (v: number): string => nameOf(EventType, v);
export const keeperStateName = (v: number): string => nameOf(KeeperState, v);
