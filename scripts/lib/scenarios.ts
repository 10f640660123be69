/**
 * The scenario table (T1–T92): titles and chapters from scripts/scenarios.json, and
 * each scenario's status found by scanning test/ for test names carrying its T-number.
 *
 * A scenario is covered when some `describe(...)`, `it(...)` or `test(...)` name
 * contains `T<n>` as a word (e.g. `it("T12 snapshot restore ...")`). Skipped and todo
 * tests do not count; `skipIf`/`runIf` tests do, since they run where their tools exist.
 * Names built at run time (template strings with `${}`) cannot be seen by this scan.
 */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { REPO_ROOT, listFiles } from "./repo.js";

export interface Scenario {
  readonly id: string;
  readonly chapter: string;
  readonly title: string;
  /** Where the documents describe it, e.g. "001 L112–127". */
  readonly source: string;
}

export interface ScenarioStatus extends Scenario {
  /** Test files (relative to the root) with a test named for this scenario. */
  readonly tests: readonly string[];
  readonly status: "covered" | "pending";
}

export function loadScenarios(root = REPO_ROOT): Scenario[] {
  return JSON.parse(readFileSync(join(root, "scripts/scenarios.json"), "utf8")) as Scenario[];
}

// `it("...")`, `describe.each(...)("...")` is not matched; `it.skipIf(cond)("...")` is.
const TEST_CALL =
  /\b(describe|it|test)((?:\.(?:only|concurrent|sequential|fails))*|\.(?:skipIf|runIf)\([^()]*(?:\([^()]*\)[^()]*)*\))\(\s*(["'`])((?:\\.|(?!\3).)*)\3/g;

/** The names of the tests and suites in one test file's text, skipped and todo ones left out. */
export function testNames(text: string): string[] {
  return [...text.matchAll(TEST_CALL)].map((m) => m[4]!).filter((name) => !name.includes("${"));
}

/** The T-numbers a test name carries: "T6/T7 crash" → [6, 7]. */
export function scenarioNumbers(name: string): number[] {
  return [...name.matchAll(/\bT(\d{1,3})\b/g)].map((m) => Number(m[1]));
}

/** T-number → the test files naming it. */
export function scanTests(root = REPO_ROOT): Map<number, string[]> {
  const found = new Map<number, string[]>();
  for (const file of listFiles("test", (n) => /\.test\.[cm]?[jt]s$/.test(n), root)) {
    const numbers = new Set(testNames(readFileSync(join(root, file), "utf8")).flatMap(scenarioNumbers));
    for (const n of numbers) found.set(n, [...(found.get(n) ?? []), file]);
  }
  return found;
}

export function scenarioStatus(root = REPO_ROOT): ScenarioStatus[] {
  const tests = scanTests(root);
  return loadScenarios(root).map((s) => {
    const files = tests.get(Number(s.id.slice(1))) ?? [];
    return { ...s, tests: files, status: files.length > 0 ? "covered" : "pending" };
  });
}

/** The default Test cell: the file's name, its path on hover. */
export const testFileCell = (file: string): string => `<code title="${file}">${basename(file)}</code>`;

/** A markdown table of scenarios; `testCell` renders a test file. */
export function scenarioTable(rows: readonly ScenarioStatus[], testCell: (file: string) => string = testFileCell): string {
  const escape = (s: string) => s.replace(/\|/g, "\\|");
  const lines = ["| Scenario | What it checks (where the documents describe it) | Test | Status |", "|---|---|---|---|"];
  for (const r of rows) {
    const tests = r.tests.length > 0 ? r.tests.map(testCell).join("<br>") : "—";
    lines.push(`| ${r.id} | ${escape(r.title)} (${r.source}) | ${tests} | ${r.status} |`);
  }
  return lines.join("\n");
}
