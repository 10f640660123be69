/**
 * `npm run chapter` (scripts/chapter.ts) and chapter 01's run.ts: the narration runs
 * to the end, Ctrl-C stops it cleanly, and a chapter without run.ts says what it will run.
 */
import { describe, expect, it } from "vitest";
import { runAndInterrupt, runChapter } from "../support/chapterRun.js";

describe("npm run chapter", () => {
  it("narrates every case of chapter 01 and exits 0", async () => {
    const { code, out } = await runChapter(["01-foundations"], { ZK_CHAPTER_DELAY_MS: "0" });
    expect(code).toBe(0);
    expect(out.match(/^== /gm)).toHaveLength(8);
    expect(out).toContain("A3 -> A5  PROMISE n=2 accepted=(1, 10%)");
    expect(out).toContain("=> nothing chosen");
    expect(out).toContain("S4 -> S5  TRUNC zxid=1:1");
  });

  it("stops cleanly on Ctrl-C (SIGINT) between two lines", async () => {
    const { code, out, interrupted } = await runAndInterrupt(["1"], "PREPARE n=1", { ZK_CHAPTER_DELAY_MS: "100" });
    expect(interrupted).toBe(true);
    expect(code).toBe(0);
    expect(out).toContain("stopped (Ctrl-C)");
    expect(out).not.toContain("Zab broadcast");
    expect(out).not.toMatch(/Error|at .*\.ts:\d+/);
  });

  it("says what a chapter without run.ts will run", async () => {
    const { code, out } = await runChapter(["05"], {});
    expect(code).toBe(0);
    expect(out).toContain("chapters/05-election/run.ts does not exist yet");
    expect(out).toContain("T31");
  });
});
