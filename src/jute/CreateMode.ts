/**
 * CreateMode — the `flags` of a create request.
 *
 * Reimplements `org.apache.zookeeper.CreateMode`. Chapter 09 (client) and the server's
 * PrepRequestProcessor, which turns flags back into a mode and rejects unknown ones.
 */

// #region create-mode
export interface CreateModeInfo {
  readonly name: string;
  readonly flag: number;
  readonly ephemeral: boolean;
  readonly sequential: boolean;
  readonly container: boolean;
  readonly ttl: boolean;
}

function mode(name: string, flag: number, ephemeral: boolean, sequential: boolean, container: boolean, ttl: boolean): CreateModeInfo {
  return Object.freeze({ name, flag, ephemeral, sequential, container, ttl });
}

export const CreateMode = {
  PERSISTENT: mode("PERSISTENT", 0, false, false, false, false),
  PERSISTENT_SEQUENTIAL: mode("PERSISTENT_SEQUENTIAL", 2, false, true, false, false),
  EPHEMERAL: mode("EPHEMERAL", 1, true, false, false, false),
  EPHEMERAL_SEQUENTIAL: mode("EPHEMERAL_SEQUENTIAL", 3, true, true, false, false),
  CONTAINER: mode("CONTAINER", 4, false, false, true, false),
  PERSISTENT_WITH_TTL: mode("PERSISTENT_WITH_TTL", 5, false, false, false, true),
  PERSISTENT_SEQUENTIAL_WITH_TTL: mode("PERSISTENT_SEQUENTIAL_WITH_TTL", 6, false, true, false, true),
} as const;

const byFlag = new Map<number, CreateModeInfo>(Object.values(CreateMode).map((m) => [m.flag, m]));

/** The mode for a wire flag, or undefined when no mode has that flag. */
export function createModeFromFlag(flag: number): CreateModeInfo | undefined {
  return byFlag.get(flag);
}
// #endregion create-mode
