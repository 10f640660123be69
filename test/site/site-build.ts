/**
 * Building and serving the site for tests: build once (typedoc, then vitepress build)
 * unless the existing build is newer than every input, and serve it with `vite preview`
 * on a free loopback port. The server is started from node_modules/.bin/vite directly
 * and stopped by its pid (toolchain P10: killing an `npx` wrapper leaves the server up).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, listFiles } from "../../scripts/lib/repo.js";
import { freePort } from "../support/net.js";

export const DIST = join(REPO_ROOT, "site/.vitepress/dist");
const BIN = join(REPO_ROOT, "node_modules/.bin");

/** Newest modification time among the files a build reads. */
function newestInput(): number {
  const files = [
    ...["chapters", "site", "src", "diagrams", "scripts"].flatMap((d) => listFiles(d, () => true)),
    "typedoc.json",
    "package.json",
  ];
  return Math.max(...files.map((f) => statSync(join(REPO_ROOT, f)).mtimeMs));
}

/** Builds the site unless site/.vitepress/dist is newer than every input. */
export function ensureSiteBuilt(): void {
  const index = join(DIST, "index.html");
  if (existsSync(index) && statSync(index).mtimeMs > newestInput()) return;
  const run = (bin: string, args: string[]) =>
    execFileSync(join(BIN, bin), args, { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"], timeout: 280_000 });
  run("typedoc", []);
  run("vitepress", ["build", "site"]);
}

export interface Preview {
  readonly url: string;
  stop(): Promise<void>;
}

/** Serves the build on 127.0.0.1 and resolves once it answers. */
export async function previewSite(): Promise<Preview> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(BIN, "vite"),
    ["preview", "--outDir", DIST, "--host", "127.0.0.1", "--port", String(port), "--strictPort"],
    { cwd: REPO_ROOT, stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited with ${child.exitCode}`);
    try {
      if ((await fetch(url + "/")).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`vite preview did not answer on ${url} within 20 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
