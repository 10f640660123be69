/**
 * `npm run scenarios`: prints every scenario T1–T92 with its chapter, the test file(s)
 * whose test names carry its number, and whether it is covered or pending.
 *
 *   npm run scenarios                    all
 *   npm run scenarios -- 05-election     one chapter (or `--pending` for the pending ones)
 */
import { scenarioStatus } from "./lib/scenarios.js";

const args = process.argv.slice(2);
const chapter = args.find((a) => !a.startsWith("--"));
const rows = scenarioStatus().filter(
  (r) => (chapter === undefined || r.chapter.startsWith(chapter)) && (!args.includes("--pending") || r.status === "pending"),
);

const width = (values: string[]) => Math.max(...values.map((v) => v.length));
const idW = width(rows.map((r) => r.id).concat("scenario"));
const chW = width(rows.map((r) => r.chapter).concat("chapter"));
const stW = "covered".length;
const line = (id: string, ch: string, st: string, rest: string) =>
  `${id.padEnd(idW)}  ${ch.padEnd(chW)}  ${st.padEnd(stW)}  ${rest}`;

console.log(line("scenario", "chapter", "status", "test file — title"));
for (const r of rows) {
  const tests = r.tests.length > 0 ? r.tests.join(", ") : "-";
  console.log(line(r.id, r.chapter, r.status, `${tests} — ${r.title}`));
}
const covered = rows.filter((r) => r.status === "covered").length;
console.log(`\n${covered} of ${rows.length} covered, ${rows.length - covered} pending`);
