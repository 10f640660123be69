/**
 * `npm run chapter -- <name>`: runs a chapter's example, `chapters/NN-name/run.ts`.
 *
 * <name> is the folder (`01-foundations`), its number (`01`, `1`), its name
 * (`foundations`) or the last words of its name (`persistence` for
 * `02-serialization-persistence`). Without one, lists the chapters. A run.ts default-exports
 * `run(signal)`; Ctrl-C aborts the signal, the example stops at its next step, and the
 * process exits normally. A chapter without run.ts yet prints what it will run.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT, chapterDirs } from "./lib/repo.js";
import { loadScenarios } from "./lib/scenarios.js";

export type ChapterRun = (signal: AbortSignal) => Promise<void>;

const runFile = (dir: string) => join(REPO_ROOT, "chapters", dir, "run.ts");

function findChapter(name: string): string | undefined {
  const dirs = chapterDirs();
  const number = /^\d+$/.test(name) ? name.padStart(2, "0") : null;
  return (
    dirs.find((d) => d === name || (number !== null && d.startsWith(`${number}-`)) || d.slice(3) === name) ??
    dirs.find((d) => d.endsWith(`-${name}`))
  );
}

function title(dir: string): string {
  const readme = join(REPO_ROOT, "chapters", dir, "README.md");
  return (existsSync(readme) && /^#\s+(.+)$/m.exec(readFileSync(readme, "utf8"))?.[1]) || dir;
}

async function main(name: string | undefined): Promise<number> {
  if (name === undefined) {
    console.log("usage: npm run chapter -- <chapter>\n");
    for (const dir of chapterDirs()) console.log(`  ${dir.padEnd(30)} ${existsSync(runFile(dir)) ? "runnable" : "not yet runnable"}`);
    return 0;
  }
  const dir = findChapter(name);
  if (dir === undefined) {
    console.error(`no chapter "${name}"; chapters: ${chapterDirs().join(", ")}`);
    return 1;
  }
  if (!existsSync(runFile(dir))) {
    const scenarios = loadScenarios().filter((s) => s.chapter === dir);
    console.log(`${title(dir)}\n\nchapters/${dir}/run.ts does not exist yet: this chapter's code is pending.`);
    console.log("When it lands, this command will run the chapter's example and its scenarios:");
    for (const s of scenarios) console.log(`  ${s.id.padEnd(4)} ${s.title}`);
    return 0;
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  try {
    const { default: run } = (await import(pathToFileURL(runFile(dir)).href)) as { default: ChapterRun };
    await run(controller.signal);
    if (controller.signal.aborted) console.log("\nstopped (Ctrl-C)");
    return 0;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

process.exitCode = await main(process.argv[2]);
