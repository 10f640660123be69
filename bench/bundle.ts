/**
 * Compiles bench/worker.ts (and what it imports) into one plain .mjs file in a temp dir,
 * once per bench process. Workers then start as bare `node` (or bare worker threads)
 * without tsx's loader: faster to start, and nothing but our loop runs in them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atCleanup } from "./cleanup.js";

let bundled: Promise<string> | null = null;

export function workerBundle(): Promise<string> {
  bundled ??= (async () => {
    const esbuild = await import("esbuild");
    const dir = mkdtempSync(join(tmpdir(), "zk-bench-worker-"));
    atCleanup(() => {
      rmSync(dir, { recursive: true, force: true });
      bundled = null;
    });
    const outfile = join(dir, "worker.mjs");
    await esbuild.build({
      entryPoints: [join(import.meta.dirname, "worker.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      logLevel: "warning",
    });
    return outfile;
  })();
  return bundled;
}
