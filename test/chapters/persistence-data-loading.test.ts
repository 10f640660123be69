/**
 * The runnable examples of chapters 02 and 04 (`npm run chapter -- persistence`,
 * `npm run chapter -- data-loading`): each runs to the end against a real zk-server
 * process and says what the chapter claims; Ctrl-C stops one cleanly (server gone,
 * temp directory removed).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listening, runAndInterrupt, runChapter } from "../support/chapterRun.js";

const quick = { ZK_CHAPTER_DELAY_MS: "0" };

describe("chapter examples", () => {
  it("02 persistence: log.1 decoded entry by entry, a snapshot by sections, a torn tail cut", { timeout: 120_000 }, async () => {
    const { code, out } = await runChapter(["persistence"], quick);
    expect(code, out).toBe(0);
    expect(out).toContain("version-2/: snapshot.0 (");
    expect(out).toContain('FileHeader @0: magic 0x5a4b4c47 ("ZKLG"), version 2, dbid 0');
    expect(out).toContain("7 entries from @16 to @641; then zero padding to the end of the file (@65552)");
    expect(out).toContain("log.1 is named after its first txn (0:1) and already 65552 bytes long");
    expect(out).toMatch(/^ {3}00000000 {2}5a 4b 4c 47 00 00 00 02 {2}00 00 00 00 00 00 00 00 {2}\|ZKLG\.{12}\|$/m);
    expect(out.match(/Adler-32 of the txn bytes: matches/g)).toHaveLength(7);
    expect(out).toContain("zxid=0:7");
    expect(out).toContain("closeSession paths2Delete=[]");
    expect(out).toContain("FileTxnSnapLog: 7 txns loaded");
    expect(out).toMatch(/@0 +FileHeader +magic=0x5a4b534e \("ZKSN"\) version=2 dbid=-1/);
    expect(out).toMatch(/seal 2 +checksum=\w+ \(Adler-32 of bytes 0\.\.\d+: matches\)/);
    expect(out).toMatch(/Truncating torn tail of log\.8 at offset 199 after 2 txns: no end-of-record byte/);
    expect(out).toContain('getData /ch02/c → "after the snapshot"');
    expect(out).not.toMatch(/MISMATCH|Error/);
  });

  it("04 data-loading: corrupt newest snapshot skipped, replay, sessions restored, B expires, T16 and T30", { timeout: 120_000 }, async () => {
    const { code, out } = await runChapter(["data-loading"], quick);
    expect(code, out).toBe(0);
    expect(out).toMatch(/log\.7 +txns 0:7, 0:8/);
    expect(out).toMatch(/problem reading snap file snapshot\.7 at offset \d+: CRC corruption/);
    expect(out).toContain("FileSnap: Reading snapshot snapshot.5");
    expect(out).toContain("FileTxnSnapLog: 3 txns loaded");
    expect(out).toContain("replay from 0:6 read log.5 and log.7");
    expect(out).toContain("zk_digest_mismatches_count 0");
    expect(out).toContain('getData /app → "config v2", getChildren /app/workers → [w1, w2]');
    expect(out).toMatch(/NodeDeleted \/app\/leader \d+\.\d s after the restart/);
    expect(out).toContain("No snapshot found, but there are log entries. Something is broken!");
    expect(out).toMatch(/zk-server exits with code [1-9]\d* instead of serving/);
    expect(out).toContain("FileTxnSnapLog: 9 txns loaded");
    expect(out).toContain("refused: The current epoch, 2, is older than the last zxid, 12884901895");
    expect(out).toContain("refused: The accepted epoch, 3 is less than the current epoch, 4");
  });

  it("Ctrl-C stops an example between two steps: server killed, temp directory removed", { timeout: 60_000 }, async () => {
    const { code, out, interrupted } = await runAndInterrupt(["data-loading"], "== 2.", quick);
    expect(interrupted, `never reached "== 2." (exit code ${code}):\n${out}`).toBe(true);
    expect(code).toBe(0);
    expect(out).toContain("stopped (Ctrl-C)");
    expect(out).not.toContain("== 4.");
    const m = /serving on 127\.0\.0\.1:(\d+)[^\n]*, data in (\S+)/.exec(out)!;
    expect(await listening(Number(m[1]))).toBe(false);
    expect(existsSync(join(m[2]!, ".."))).toBe(false);
  });
});
