/**
 * Chapter 02's README shows a hex dump of a real log file and a table of what each
 * byte means. This keeps the dump honest: it must parse, with the server's own frame
 * reader, as a ZKLG header and two whole entries whose checksums match, and the
 * offsets the table names must be where those fields are.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileHeader } from "../../src/jute/txn.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { deserializeTxn } from "../../src/persistence/TxnLogEntry.js";
import { readTxnFrame } from "../../src/persistence/Util.js";
import { REPO_ROOT } from "../../scripts/lib/repo.js";

const README = readFileSync(join(REPO_ROOT, "chapters/02-serialization-persistence/README.md"), "utf8");

/** The bytes of the README's dump that starts with the ZKLG header. */
function dumpBytes(): Buffer {
  const block = README.split("```").find((b) => b.includes("|ZKLG"))!;
  const bytes: number[] = [];
  for (const line of block.split("\n")) {
    const m = /^([0-9a-f]{4,8}) {2}(.{23}) {2}(.{23}) {2}\|/.exec(line);
    if (m === null) continue;
    expect(parseInt(m[1]!, 16)).toBe(bytes.length);
    for (const h of `${m[2]} ${m[3]}`.trim().split(/\s+/)) if (h !== "") bytes.push(parseInt(h, 16));
  }
  return Buffer.from(bytes);
}

describe("chapter 02's hex dump", () => {
  it("is a log header and two whole entries, checksums matching", () => {
    const bytes = dumpBytes();
    expect(bytes.length).toBe(183);
    expect(FileHeader.decode(bytes.subarray(0, 16))).toEqual({ magic: 0x5a4b4c47, version: 2, dbid: 0n });
    const first = readTxnFrame(bytes, 16);
    expect(first.kind).toBe("entry");
    if (first.kind !== "entry") return;
    expect(first.end).toBe(77);
    const second = readTxnFrame(bytes, first.end);
    expect(second.kind).toBe("entry");
    if (second.kind !== "entry") return;
    expect(second.end).toBe(183);
    const a = deserializeTxn(first.txnBytes);
    const b = deserializeTxn(second.txnBytes);
    expect([a.hdr.zxid, a.hdr.type, a.body.type === OpCode.createSession && a.body.txn.timeOut]).toEqual([1n, OpCode.createSession, 30000]);
    expect(b.hdr.zxid).toBe(2n);
    expect(b.body.type === OpCode.create2 && [b.body.txn.path, b.body.txn.data?.toString(), b.body.txn.parentCVersion]).toEqual(["/ch02", "jute", 1]);
    expect(a.digest?.version).toBe(2);
  });

  it("the table's offsets point at the fields they name", () => {
    const bytes = dumpBytes();
    const rows = new Map([...README.matchAll(/^\| \**(\d+)\** \| `([0-9a-f ]+)/gm)].map((m) => [Number(m[1]), m[2]!.trim()]));
    expect(rows.size).toBeGreaterThan(10);
    for (const [offset, shown] of rows) {
      const want = shown.split(" ").map((h) => parseInt(h, 16));
      expect([...bytes.subarray(offset, offset + want.length)], `offset ${offset}`).toEqual(want);
    }
  });
});
