/**
 * Participant — one contender of a leader election, as read back from its node.
 *
 * Reimplements Curator's `leader.Participant` and the static helpers
 * `LeaderSelector.getParticipants` / `getLeader` / `participantForPath`, which LeaderLatch
 * uses too. Chapter 10; the seed prints `leaderLatch.getId()` of the leader
 * [003 L209–224]; reading the ids from the nodes is added knowledge (U).
 *
 * Node layout: reads the contenders' nodes of a latch or selector; their data is the
 * participant's id, UTF-8 (empty when none was set).
 *
 * Connection loss / expiry: plain reads through the retry loop; a node that vanished
 * between listing and reading is skipped.
 *
 * Differs from Curator: a plain object instead of a class with equals/hashCode.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import type { CuratorFramework } from "../framework/CuratorFramework.js";

export interface Participant {
  readonly id: string;
  readonly isLeader: boolean;
}

/** The "nobody" participant Curator returns when there is no leader. */
export const NO_PARTICIPANT: Participant = Object.freeze({ id: "", isLeader: false });

async function participantForPath(client: CuratorFramework, path: string, markAsLeader: boolean): Promise<Participant | null> {
  try {
    const bytes = await client.getData().forPath(path);
    return { id: bytes.toString("utf8"), isLeader: markAsLeader };
  } catch (e) {
    if (e instanceof KeeperException && e.code === Code.NONODE) return null;
    throw e;
  }
}

/** Every participant in node order; the first that still exists is the leader. */
export async function getParticipants(client: CuratorFramework, participantNodes: readonly string[]): Promise<Participant[]> {
  const result: Participant[] = [];
  let isLeader = true;
  for (const path of participantNodes) {
    const p = await participantForPath(client, path, isLeader);
    if (p === null) continue;
    result.push(p);
    isLeader = false;
  }
  return result;
}

/** The first participant whose node still exists, or NO_PARTICIPANT. */
export async function getLeader(client: CuratorFramework, participantNodes: readonly string[]): Promise<Participant> {
  for (const path of participantNodes) {
    const p = await participantForPath(client, path, true);
    if (p !== null) return p;
  }
  return NO_PARTICIPANT;
}
