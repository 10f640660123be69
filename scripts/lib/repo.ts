/**
 * Where things are in the repository, for the tooling (scripts/, the site, the checks
 * in test/site): the root, the chapter folders, and the markdown and source files the
 * checks read. Paths returned are relative to the root, with forward slashes.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/[\\/]$/, "");

/** Folders never scanned: installed packages, build output, generated API pages. */
const SKIP = new Set(["node_modules", ".git", "dist", "cache", ".tmp"]);
/**
 * Skipped by path, not by name: `data` is the data dir `npm start` writes at the root,
 * while src/data and test/data are code and must be scanned.
 */
const GENERATED = ["data", "site/api", "site/.vitepress/dist", "site/.vitepress/cache"];

export function toPosix(path: string): string {
  return path.split(sep).join("/");
}

/** Every file under `dir` (relative to the root) whose name passes `keep`, sorted. */
export function listFiles(dir: string, keep: (name: string) => boolean, root = REPO_ROOT): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    if (!existsSync(abs)) return;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const full = join(abs, entry.name);
      const rel = toPosix(relative(root, full));
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name) && !GENERATED.includes(rel)) walk(full);
      } else if (keep(entry.name)) {
        out.push(rel);
      }
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/** Hand-written markdown of chapters/ and site/ (not the generated API pages). */
export function markdownFiles(root = REPO_ROOT): string[] {
  return [...listFiles("chapters", (n) => n.endsWith(".md"), root), ...listFiles("site", (n) => n.endsWith(".md"), root)];
}

/** TypeScript sources under src/. */
export function sourceFiles(root = REPO_ROOT): string[] {
  return listFiles("src", (n) => n.endsWith(".ts"), root);
}

/** Chapter folders, `NN-name`, in order. */
export function chapterDirs(root = REPO_ROOT): string[] {
  const dir = join(root, "chapters");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^\d\d-[a-z0-9-]+$/.test(n) && statSync(join(dir, n)).isDirectory())
    .sort();
}
