/**
 * DumpCommand — `dump`: sessions by expiry bucket, ephemeral nodes by session.
 *
 * Reimplements `org.apache.zookeeper.server.command.DumpCommand` with
 * `SessionTrackerImpl.dumpSessions`/`ExpiryQueue.dump` and `DataTree.dumpEphemerals`.
 * Chapter 03 (operations). A session's bucket is its deadline rounded up to a tick
 * (ExpiryQueue.ts), printed as a wall-clock date.
 *
 * Differs from Java:
 * - Java's NIO factory also dumps its connection-expiry queue under "Connections
 *   dump:" (idle connections without a session are closed after
 *   zookeeper.nio.sessionlessCnxnTimeout). Our factory finds those with a periodic
 *   sweep instead of a queue, so the section stays empty, as it does in Java with the
 *   Netty factory.
 * - Buckets left empty when their sessions moved on are not listed (Java prints them as
 *   "0 expire at ...").
 */
import { ZK_NOT_SERVING, type CommandContext } from "./CommandContext.js";
import { javaDateToString, longToHexString } from "./JavaFormat.js";
import { hashSetOrder, longHashOrder } from "../../util/JavaHash.js";

/** Time.elapsedTimeToDate: a deadline on the monotonic clock as a wall-clock time. */
export function elapsedToWallTime(ctx: CommandContext, elapsed: number): number {
  const clock = ctx.zks.clock;
  return Math.round(clock.wallTime() + elapsed - clock.now());
}

/** DataTree.ephemerals (a ConcurrentHashMap by session id) in Java's order. */
export function ephemeralsInJavaOrder(ctx: CommandContext): [bigint, string[]][] {
  const all = ctx.zks.zkDb.dataTree.allEphemerals();
  return longHashOrder(all.keys(), true).map((s) => [s, hashSetOrder(all.get(s)!)]);
}

// #region dump
export function dump(ctx: CommandContext): string {
  if (!ctx.zks.isRunning()) return ZK_NOT_SERVING + "\n";
  const expiry = ctx.zks.sessionTracker.getSessionExpiryMap();
  let sessions = 0;
  for (const ids of expiry.values()) sessions += ids.length;
  let out = "SessionTracker dump:\n";
  out += `Session Sets (${expiry.size})/(${sessions}):\n`;
  for (const [deadline, ids] of expiry) {
    out += `${ids.length} expire at ${javaDateToString(elapsedToWallTime(ctx, deadline))}:\n`;
    for (const id of ids) out += `\t0x${longToHexString(id)}\n`;
  }
  out += "ephemeral nodes dump:\n";
  const ephemerals = ephemeralsInJavaOrder(ctx);
  out += `Sessions with Ephemerals (${ephemerals.length}):\n`;
  for (const [session, paths] of ephemerals) {
    out += `0x${longToHexString(session)}:\n`;
    for (const p of paths) out += `\t${p}\n`;
  }
  return out + "Connections dump:\n";
}
// #endregion dump
