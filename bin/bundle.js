// Runs a TypeScript entry point of this package fast: bundles it once with esbuild into
// dist/<name>.mjs (again whenever a file under src/ is newer than the bundle) and imports
// the bundle. tsx could run the sources directly, but compiling ~100 files on every start
// costs about a second, and `zk-server` must answer `ruok` well within one.
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh(out) {
  try {
    return statSync(out).mtimeMs >= newestMtime(join(root, "src"));
  } catch {
    return false;
  }
}

/** Imports src/<entry> through a bundle in dist/, rebuilding it when sources changed. */
export async function importBundled(entry, name) {
  const out = join(root, "dist", `${name}.mjs`);
  if (!bundleIsFresh(out)) {
    const esbuild = await import("esbuild");
    const result = await esbuild.build({
      entryPoints: [join(root, entry)],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      sourcemap: "inline",
      write: false,
      logLevel: "warning",
    });
    mkdirSync(dirname(out), { recursive: true });
    // Write then rename: concurrent starts never import a half-written bundle.
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, result.outputFiles[0].contents);
    renameSync(tmp, out);
  }
  return import(pathToFileURL(out).href);
}
