/**
 * The scenario table: scripts/scenarios.json lists T1–T92 once each, in chapters that
 * exist; a chapter README that calls a scenario "covered" has a test named for it; and
 * the scan that `npm run scenarios` relies on reads test names correctly.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, chapterDirs, listFiles } from "../../scripts/lib/repo.js";
import { proseLines } from "../../scripts/lib/markdown.js";
import { loadScenarios, scanTests, scenarioNumbers, testNames } from "../../scripts/lib/scenarios.js";

describe("scenario table", () => {
  it("lists every scenario, from the first to the 92nd, exactly once, each in an existing chapter, with a title and a source", () => {
    const scenarios = loadScenarios();
    expect(scenarios.map((s) => s.id)).toEqual(Array.from({ length: 92 }, (_, i) => `T${i + 1}`));
    const chapters = new Set(chapterDirs());
    for (const s of scenarios) {
      expect(chapters.has(s.chapter), `${s.id}: chapter ${s.chapter}`).toBe(true);
      expect(s.title.length).toBeGreaterThan(10);
      expect(s.source).toMatch(/^00[0-4] L\d/);
    }
  });

  it("every scenario a chapter README calls covered has a test carrying its number", () => {
    const tests = scanTests();
    const problems: string[] = [];
    let claims = 0;
    for (const readme of listFiles("chapters", (n) => n === "README.md")) {
      for (const { n, text } of proseLines(readFileSync(join(REPO_ROOT, readme), "utf8"))) {
        if (!/\bcovered\b/i.test(text)) continue;
        for (const t of scenarioNumbers(text)) {
          claims++;
          if (!tests.has(t)) problems.push(`${readme}:${n}: T${t} is called covered but no test name carries T${t}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(claims).toBeGreaterThanOrEqual(8);
  });

  it("reads test names the way the table needs", () => {
    // Numbers above 92 keep this file's own source from counting as a test of real scenarios.
    const source = [
      'describe("T911 jute round trip", () => {',
      '  it("T911 nulls are -1", () => {});',
      "  it.skip('T912 not yet', () => {});",
      "  it.todo(\"T913 later\");",
      '  it.skipIf(!hasJava)("T914 with Java", () => {});',
      "  test(`T915 template`, () => {});",
      "  it(`T${n} dynamic`, () => {});",
      '  it.each([1])("T916 each", () => {});',
    ].join("\n");
    expect(testNames(source)).toEqual(["T911 jute round trip", "T911 nulls are -1", "T914 with Java", "T915 template"]);
    expect(scenarioNumbers("T906/T907 crash, not TRUNC or T 908")).toEqual([906, 907]);
  });
});
