/**
 * Records of the `org.apache.zookeeper.server.quorum` module of `zookeeper.jute`:
 * what peers of an ensemble send each other over the quorum port.
 *
 * Chapter 06 (sync) is where these are walked through. `QuorumPacket.type` takes the
 * packet types named in `Leader.java` (PROPOSAL, ACK, COMMIT, DIFF, TRUNC, SNAP, ...).
 */
import { Id } from "./data.js";
import { buffer, int, long, record, vector, type RecordType } from "./Record.js";

// #region quorum-records
/** What a follower or observer tells the leader about itself in FOLLOWERINFO/OBSERVERINFO. */
export const LearnerInfo = record("LearnerInfo", { serverid: long, protocolVersion: int, configVersion: long });
export type LearnerInfo = RecordType<typeof LearnerInfo>;

/** Every message between leader and learner after the election. */
export const QuorumPacket = record("QuorumPacket", {
  type: int,
  zxid: long,
  data: buffer,
  authinfo: vector(Id),
});
export type QuorumPacket = RecordType<typeof QuorumPacket>;

export const QuorumAuthPacket = record("QuorumAuthPacket", { magic: long, status: int, token: buffer });
export type QuorumAuthPacket = RecordType<typeof QuorumAuthPacket>;
// #endregion quorum-records
