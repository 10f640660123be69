/**
 * Chapter 02's example: a real server (bin/zk-server.js, zoo.cfg from this folder) on a
 * temp data directory, written to by our client; then its files, byte by byte.
 * Run with `npm run chapter -- persistence`. Ctrl-C stops it between two steps; the
 * server is killed and the temp directory removed either way.
 *
 *   1. start: a new server writes snapshot.0 before it serves
 *   2. six writes and a session close: seven txns in log.1
 *   3. log.1 as a hex dump, then entry by entry (checksum, length, header, record, EOR)
 *   4. a clean restart: replay, and a snapshot of the result, section by section
 *   5. kill -9, a torn write planted after the last entry, restart: the tail is cut
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Op } from "../../src/client/Op.js";
import { ZooKeeper } from "../../src/client/ZooKeeper.js";
import { OPEN_ACL_UNSAFE } from "../../src/jute/ZooDefs.js";
import { formatZxid } from "../../src/trace/index.js";
import { describeEntry, hexDump, listVersion2, readLog, readSnapshotSections } from "../support/diskFormat.js";
import { pickPort, startServer, writeConfig, type ServerChild } from "../support/serverProcess.js";
import { connectClient, exampleHome, narrator, serverLines } from "../support/narration.js";

const TEMPLATE = join(import.meta.dirname, "zoo.cfg");

export default async function run(signal: AbortSignal): Promise<void> {
  const { say, step, show } = narrator(signal);
  const { home, dataDir, v2, dispose } = exampleHome("zk-chapter02-");
  let server: ServerChild | null = null;
  let zk: ZooKeeper | null = null;
  const files = () => listVersion2(v2).map((f) => `${f.name} (${f.size} bytes)`).join(", ");
  try {
    // 1 ------------------------------------------------------------------------------
    await step("1. Start a server on an empty data directory");
    const port = await pickPort();
    const config = writeConfig(TEMPLATE, home, dataDir, port);
    server = await startServer(config, port);
    await say(`zk-server ${config}: serving on 127.0.0.1:${server.port}, data in ${dataDir}`);
    await say(`version-2/: ${files()}`);
    await say("A new server restores nothing, writes snapshot.0 (the empty tree) and only then serves.");
    if (signal.aborted) return;

    // 2 ------------------------------------------------------------------------------
    await step("2. Write through our client");
    zk = await connectClient(`127.0.0.1:${server.port}`, 30000);
    await say(`session ${hexId(zk.getSessionId())} created: txn 0:1 (createSession)`);
    const writes: [string, () => Promise<unknown>][] = [
      ['create /ch02 "jute"', () => zk!.create("/ch02", "jute")],
      ['create /ch02/a "1"', () => zk!.create("/ch02/a", "1")],
      ['setData /ch02 "log"', () => zk!.setData("/ch02", "log")],
      ["delete /ch02/a", () => zk!.delete("/ch02/a")],
      ['multi [create /ch02/b "2", setData /ch02 "multi"]', () => zk!.multi([Op.create("/ch02/b", Buffer.from("2"), OPEN_ACL_UNSAFE), Op.setData("/ch02", Buffer.from("multi"))])],
    ];
    for (const [what, write] of writes) {
      await write();
      await say(`${what.padEnd(50)} ok`);
    }
    await zk.close();
    zk = null;
    await say(`${"close the session".padEnd(50)} ok`);
    await say("Each answer came after the server had written its txn to the log and fsynced it.");
    await say(`version-2/: ${files()}`);
    const logSize = listVersion2(v2).find((f) => f.name === "log.1")?.size ?? 0;
    await say(`log.1 is named after its first txn (0:1) and already ${logSize} bytes long: preallocated as Java counts, the 16-byte header plus one preAllocSize step of 64 KiB.`);
    if (signal.aborted) return;

    // 3 ------------------------------------------------------------------------------
    await step("3. log.1, byte by byte");
    const log = readLog(join(v2, "log.1"));
    await say(`FileHeader @0: magic 0x${log.header.magic.toString(16)} ("ZKLG"), version ${log.header.version}, dbid ${log.header.dbid}`);
    await say(`${log.entries.length} entries from @16 to @${log.stop.offset}; then ${log.stop.reason} to the end of the file (@${log.size})`);
    show(hexDump(readFileSync(join(v2, "log.1")), 0, Math.min(log.stop.offset + 16, log.size)));
    for (const e of log.entries) show(describeEntry(e));
    if (signal.aborted) return;

    // 4 ------------------------------------------------------------------------------
    await step("4. A clean restart: replay the log, then snapshot the result");
    await server.stop();
    server = await startServer(config, server.port);
    for (const l of serverLines(server, /Reading snapshot|txns loaded|Snapshot loaded|Snapshotting/)) await say(`server: ${l}`);
    await say(`version-2/: ${files()}`);
    const lastZxid = log.entries[log.entries.length - 1]!.entry.hdr.zxid;
    const snapName = `snapshot.${lastZxid.toString(16)}`;
    await say(`${snapName} is named after the last txn it holds (${formatZxid(lastZxid)}). Its sections:`);
    const snap = readSnapshotSections(join(v2, snapName));
    for (const s of snap.sections) show([`@${String(s.from).padEnd(4)} ${s.name.padEnd(22)} ${s.text}`]);
    show(["last 40 bytes (seal, digest, seal):", ...hexDump(snap.bytes, snap.bytes.length - 40)]);
    if (signal.aborted) return;

    // 5 ------------------------------------------------------------------------------
    await step("5. kill -9, a torn write, and the restart that cuts it off");
    zk = await connectClient(`127.0.0.1:${server.port}`, 30000);
    await zk.create("/ch02/c", "after the snapshot");
    await say('create /ch02/c: answered, so its txn is on disk');
    await server.kill9();
    await say(`kill -9 ${server.pid}: no shutdown, nothing flushed`);
    const newest = listVersion2(v2).filter((f) => f.name.startsWith("log.")).pop()!;
    const path = join(v2, newest.name);
    const before = readLog(path);
    // Half of an entry where the next one would start: what a crash in the middle of a
    // write leaves when the file system kept part of it.
    const last = before.entries[before.entries.length - 1]!;
    const torn = readFileSync(path).subarray(last.offset, last.offset + Math.floor((last.end - last.offset) / 2));
    const fd = openSync(path, "r+");
    writeSync(fd, torn, 0, torn.length, before.stop.offset);
    closeSync(fd);
    await say(`planted ${torn.length} bytes of a half-written entry at @${before.stop.offset} of ${newest.name} (it held ${before.entries.length} whole entries)`);
    server = await startServer(config, server.port);
    for (const l of serverLines(server, /torn tail|txns loaded/)) await say(`server: ${l}`);
    const after = readLog(path);
    await say(`${newest.name} now: ${after.entries.length} whole entries and nothing after them (${after.size} bytes); the next txn starts a new file`);
    await zk.sync("/");
    const { data } = await zk.getData("/ch02/c");
    await say(`getData /ch02/c → "${data?.toString()}": the client reconnected with its session, nothing acknowledged was lost`);
    await step("Done");
  } finally {
    await zk?.close().catch(() => undefined);
    await server?.kill9();
    dispose();
  }
}

function hexId(id: bigint): string {
  return "0x" + id.toString(16);
}
