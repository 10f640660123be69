/**
 * Reading a data directory's files the way chapters 02 and 04 show them: hex dumps, a
 * txn log entry by entry with the offset of every field, a snapshot section by section.
 *
 * The parsing is the server's own (src/persistence, src/jute); this module only adds the
 * offsets and the words, so what an example prints is what the server reads.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { BinaryInputArchive } from "../../src/jute/BinaryInputArchive.js";
import { DataNodeRecord, type ACL } from "../../src/jute/data.js";
import { FileHeader } from "../../src/jute/txn.js";
import { op2String, OpCode } from "../../src/jute/ZooDefs.js";
import { adler32 } from "../../src/persistence/Adler32.js";
import { FILE_HEADER_BYTES } from "../../src/persistence/FileTxnIterator.js";
import { readTxnBody, deserializeTxn, type TxnBody, type TxnLogEntry } from "../../src/persistence/TxnLogEntry.js";
import { getZxidFromName, LOG_FILE_PREFIX, readTxnFrame, SNAPSHOT_FILE_PREFIX } from "../../src/persistence/Util.js";
import { formatSessionId, formatZxid } from "../../src/trace/index.js";

/** `xxd`-style lines: offset, 16 bytes in two groups of 8, the printable characters. */
export function hexDump(bytes: Uint8Array, from = 0, to = bytes.length): string[] {
  const out: string[] = [];
  for (let at = from - (from % 16); at < to; at += 16) {
    const cells: string[] = [];
    let text = "";
    for (let i = at; i < at + 16; i++) {
      const inside = i >= from && i < to && i < bytes.length;
      cells.push(inside ? bytes[i]!.toString(16).padStart(2, "0") : "  ");
      text += inside ? (bytes[i]! >= 0x20 && bytes[i]! < 0x7f ? String.fromCharCode(bytes[i]!) : ".") : " ";
    }
    out.push(`${at.toString(16).padStart(8, "0")}  ${cells.slice(0, 8).join(" ")}  ${cells.slice(8).join(" ")}  |${text}|`);
  }
  return out;
}

const data = (b: Buffer | null) => (b === null ? "null" : JSON.stringify(b.toString("utf8")));
const acl = (list: readonly ACL[]) => list.map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`).join(",");

/** One txn's record in a line: `create /app data="v1" acl=world:anyone:31 ephemeral=false parentCVersion=1`. */
export function describeBody(body: TxnBody): string {
  switch (body.type) {
    case OpCode.create:
    case OpCode.create2:
      return `path=${body.txn.path} data=${data(body.txn.data)} acl=${acl(body.txn.acl)} ephemeral=${body.txn.ephemeral} parentCVersion=${body.txn.parentCVersion}`;
    case OpCode.createTTL:
      return `path=${body.txn.path} data=${data(body.txn.data)} ttl=${body.txn.ttl}`;
    case OpCode.createContainer:
      return `path=${body.txn.path} data=${data(body.txn.data)}`;
    case OpCode.delete:
    case OpCode.deleteContainer:
      return `path=${body.txn.path}`;
    case OpCode.setData:
    case OpCode.reconfig:
      return `path=${body.txn.path} data=${data(body.txn.data)} version=${body.txn.version}`;
    case OpCode.setACL:
      return `path=${body.txn.path} acl=${acl(body.txn.acl)} version=${body.txn.version}`;
    case OpCode.check:
      return `path=${body.txn.path} version=${body.txn.version}`;
    case OpCode.createSession:
      return `timeOut=${body.txn.timeOut}`;
    case OpCode.closeSession:
      return body.txn === null ? "(no record: pre-3.6 form)" : `paths2Delete=[${body.txn.paths2Delete.join(",")}]`;
    case OpCode.error:
      return `err=${body.txn.err}`;
    case OpCode.multi:
      return body.txn.txns
        .map((t) => `${op2String(t.type)}(${describeBody(readTxnBody(new BinaryInputArchive(t.data ?? Buffer.alloc(0)), t.type))})`)
        .join(" + ");
  }
}

export interface LogEntryView {
  offset: number;
  end: number;
  checksum: bigint;
  /** Adler-32 of the txn bytes, computed here: equal to `checksum` for a whole entry. */
  computed: number;
  length: number;
  entry: TxnLogEntry;
}

export interface LogView {
  header: FileHeader;
  entries: LogEntryView[];
  /** Offset where the entries stop, and why (zero padding is the normal end). */
  stop: { offset: number; reason: string };
  size: number;
}

/** Reads a whole log file with the server's frame parser. */
export function readLog(path: string): LogView {
  const bytes = readFileSync(path);
  const header = FileHeader.decode(bytes.subarray(0, FILE_HEADER_BYTES));
  const entries: LogEntryView[] = [];
  let at = FILE_HEADER_BYTES;
  for (;;) {
    const frame = readTxnFrame(bytes, at);
    if (frame.kind !== "entry") {
      const reason =
        at >= bytes.length ? "end of file" : frame.kind === "padding" ? "zero padding" : frame.kind === "short" ? "end of file inside an entry" : frame.reason;
      return { header, entries, stop: { offset: at, reason }, size: bytes.length };
    }
    entries.push({
      offset: at,
      end: frame.end,
      checksum: bytes.readBigUInt64BE(at),
      computed: adler32(frame.txnBytes),
      length: bytes.readInt32BE(at + 8),
      entry: deserializeTxn(frame.txnBytes),
    });
    at = frame.end;
  }
}

/** One entry as three lines: framing, header, record and digest. */
export function describeEntry(e: LogEntryView): string[] {
  const h = e.entry.hdr;
  const ok = e.checksum === BigInt(e.computed) ? "matches" : "MISMATCH";
  return [
    `@${e.offset}: checksum ${e.checksum.toString(16).padStart(16, "0")} (Adler-32 of the txn bytes: ${ok}), length ${e.length}, EOR 0x42 at @${e.end - 1}`,
    `  TxnHeader clientId=${formatSessionId(h.clientId)} cxid=${h.cxid} zxid=${formatZxid(h.zxid)} time=${new Date(Number(h.time)).toISOString()} type=${h.type} (${op2String(h.type)})`,
    `  ${op2String(h.type)} ${describeBody(e.entry.body)}${e.entry.digest === null ? "" : `  TxnDigest version=${e.entry.digest.version} treeDigest=${e.entry.digest.treeDigest}`}`,
  ];
}

export interface SnapshotSection {
  name: string;
  from: number;
  to: number;
  text: string;
}

/** A snapshot's sections with their offsets (plain snapshots: the chapter's examples write no .gz). */
export function readSnapshotSections(path: string): { bytes: Buffer; sections: SnapshotSection[] } {
  const bytes = readFileSync(path);
  const ia = new BinaryInputArchive(bytes);
  const sections: SnapshotSection[] = [];
  const section = (name: string, read: () => string) => {
    const from = ia.offset;
    const text = read();
    sections.push({ name, from, to: ia.offset, text });
  };
  section("FileHeader", () => {
    const h = FileHeader.read(ia);
    return `magic=0x${h.magic.toString(16)} ("${Buffer.from(h.magic.toString(16), "hex").toString("latin1")}") version=${h.version} dbid=${h.dbid}`;
  });
  section("sessions", () => {
    const n = ia.readInt();
    const list: string[] = [];
    for (let i = 0; i < n; i++) list.push(`${formatSessionId(ia.readLong())}:${ia.readInt()}ms`);
    return `count=${n}${list.length > 0 ? " " + list.join(" ") : ""}`;
  });
  section("ACL cache", () => {
    const n = ia.readInt();
    const list: string[] = [];
    for (let i = 0; i < n; i++) {
      const index = ia.readLong();
      const count = ia.readInt();
      const acls: string[] = [];
      for (let j = 0; j < count; j++) acls.push(`${ia.readInt()}:${ia.readString()}:${ia.readString()}`);
      list.push(`${index}→[${acls.join(",")}]`);
    }
    return `count=${n} ${list.join(" ")}`;
  });
  for (let path = ia.readString(); path !== "/"; path = ia.readString()) {
    const from = ia.offset - 4 - Buffer.byteLength(path ?? "");
    const node = DataNodeRecord.read(ia);
    sections.push({
      name: path === "" ? '"" (the root)' : path!,
      from,
      to: ia.offset,
      text: `data=${data(node.data)} acl=${node.acl} czxid=${formatZxid(node.stat.czxid)} mzxid=${formatZxid(node.stat.mzxid)} version=${node.stat.version} cversion=${node.stat.cversion} ephemeralOwner=${formatSessionId(node.stat.ephemeralOwner)} pzxid=${formatZxid(node.stat.pzxid)}`,
    });
  }
  sections.push({ name: '"/" (end of tree)', from: ia.offset - 5, to: ia.offset, text: "" });
  const seal = (name: string) =>
    section(name, () => {
      const before = ia.offset;
      const stored = ia.readLong();
      ia.readString();
      const computed = adler32(bytes.subarray(0, before));
      return `checksum=${stored.toString(16)} (Adler-32 of bytes 0..${before - 1}: ${BigInt(computed) === stored ? "matches" : "MISMATCH"}) then "/"`;
    });
  seal("seal");
  if (ia.remaining > 0) {
    section("ZxidDigest", () => `zxid=${formatZxid(ia.readLong())} digestVersion=${ia.readInt()} digest=${ia.readLong()}`);
    seal("seal 2");
  }
  return { bytes, sections };
}

/**
 * `name (size)` of every file in a version-2 directory, ordered by the zxid in the name.
 * The server may be running: a file gone between the listing and its stat (a temp
 * snapshot just renamed) is left out.
 */
export function listVersion2(dir: string): { name: string; size: number; zxid: bigint }[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const stat = statSync(join(dir, name), { throwIfNoEntry: false });
      if (stat === undefined) return [];
      const zxid = name.startsWith(LOG_FILE_PREFIX + ".") ? getZxidFromName(name, LOG_FILE_PREFIX) : getZxidFromName(name, SNAPSHOT_FILE_PREFIX);
      return [{ name, size: stat.size, zxid }];
    })
    .sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : a.name.localeCompare(b.name)));
}
