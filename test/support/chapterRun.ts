/**
 * Runs a chapter's example as a reader does (`npm run chapter -- <name>`, through
 * scripts/chapter.ts) and collects everything it prints, for the tests of the examples.
 * `onOutput` sees the output so far after every chunk, with the child, so a test can
 * send it SIGINT (Ctrl-C) at a chosen point.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { expect } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/repo.js";

export function runChapter(
  args: readonly string[],
  env: Record<string, string> = {},
  onOutput?: (all: string, child: ChildProcess) => void,
): Promise<{ code: number | null; out: string }> {
  const child = spawn(join(REPO_ROOT, "node_modules/.bin/tsx"), ["scripts/chapter.ts", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const take = (c: Buffer) => {
    out += c.toString();
    onOutput?.(out, child);
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

/** Whether something accepts connections on 127.0.0.1:port (a server an example should have stopped). */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

/** Runs a chapter's example and presses Ctrl-C (SIGINT) once its output contains `marker`. */
export async function runAndInterrupt(
  args: readonly string[],
  marker: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; interrupted: boolean }> {
  let interrupted = false;
  const { code, out } = await runChapter(args, env, (all, child) => {
    if (!interrupted && all.includes(marker)) {
      interrupted = true;
      child.kill("SIGINT");
    }
  });
  return { code, out, interrupted };
}

/** Checks that `out` contains the lines, in this order (other lines may come between them). */
export function expectInOrder(out: string, lines: ReadonlyArray<string | RegExp>): void {
  let at = 0;
  for (const line of lines) {
    const rest = out.slice(at);
    const m = typeof line === "string" ? { index: rest.indexOf(line), length: line.length } : ((r) => (r ? { index: r.index, length: r[0].length } : { index: -1, length: 0 }))(line.exec(rest));
    expect(m.index, `"${String(line)}" after offset ${at} in:\n${out}`).toBeGreaterThanOrEqual(0);
    at += m.index + m.length;
  }
}
