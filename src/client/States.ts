/**
 * States — the life cycle of a ZooKeeper handle.
 *
 * Reimplements the enum `org.apache.zookeeper.ZooKeeper.States`. Chapter 09 (client); the send loop's `state.isAlive()` and `state.isConnected()` [001 L9239–9437].
 * ClientCnxn's send loop moves between these; the zk-cli prompt prints the name.
 * `ASSOCIATING` and `NOT_CONNECTED` exist in Java too; as there, nothing enters
 * ASSOCIATING, and NOT_CONNECTED is only the value before the send loop starts.
 */

// #region states
export const States = {
  CONNECTING: "CONNECTING",
  ASSOCIATING: "ASSOCIATING",
  CONNECTED: "CONNECTED",
  CONNECTEDREADONLY: "CONNECTEDREADONLY",
  CLOSED: "CLOSED",
  AUTH_FAILED: "AUTH_FAILED",
  NOT_CONNECTED: "NOT_CONNECTED",
} as const;
export type States = (typeof States)[keyof typeof States];

/** Alive: the handle may still (re)connect. CLOSED and AUTH_FAILED are final. */
export function isAlive(s: States): boolean {
  return s !== States.CLOSED && s !== States.AUTH_FAILED;
}

/** Connected: a session is established on the current socket. */
export function isConnected(s: States): boolean {
  return s === States.CONNECTED || s === States.CONNECTEDREADONLY;
}
// #endregion states
