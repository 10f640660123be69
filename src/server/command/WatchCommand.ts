/**
 * WatchCommand — `wchs` (summary), `wchc` (paths by session) and `wchp` (sessions by
 * path).
 *
 * Reimplements `org.apache.zookeeper.server.command.WatchCommand` with
 * `WatchManager.toString` and `WatchManager.dumpWatches`. Chapter 03 (operations).
 *
 * As in Java, only the data watches are shown (those set by getData and exists), not
 * the child watches of getChildren; `zk_watch_count` in `mntr` counts both, so it can be
 * larger than `wchs`'s total. Paths come in the order Java's HashMap/HashSet yields them.
 */
import { ZK_NOT_SERVING, type CommandContext } from "./CommandContext.js";
import { longToHexString } from "./JavaFormat.js";
import { hashSetOrder } from "../../util/JavaHash.js";

// #region watches
export function wchs(ctx: CommandContext): string {
  if (!ctx.zks.isRunning()) return ZK_NOT_SERVING + "\n";
  const s = ctx.zks.zkDb.dataTree.dataWatches.summary();
  return `${s.connections} connections watching ${s.paths} paths\nTotal watches:${s.total}\n`;
}

export function wchc(ctx: CommandContext): string {
  if (!ctx.zks.isRunning()) return ZK_NOT_SERVING + "\n";
  let out = "";
  for (const [session, paths] of ctx.zks.zkDb.dataTree.dataWatches.bySession()) {
    out += `0x${longToHexString(session)}\n`;
    for (const p of hashSetOrder(paths)) out += `\t${p}\n`;
  }
  return out + "\n";
}

export function wchp(ctx: CommandContext): string {
  if (!ctx.zks.isRunning()) return ZK_NOT_SERVING + "\n";
  const byPath = ctx.zks.zkDb.dataTree.dataWatches.byPath();
  let out = "";
  for (const p of hashSetOrder(byPath.keys())) {
    out += `${p}\n`;
    for (const session of byPath.get(p)!) out += `\t0x${longToHexString(session)}\n`;
  }
  return out + "\n";
}
// #endregion watches
