/**
 * Comparing two clients' transcripts (the same program, one run against Apache ZooKeeper,
 * one against ours). Lines are compared as arrays so a failure shows the differing lines
 * in vitest's diff, and the message names the first one.
 */
import { expect } from "vitest";

export function lines(text: string): string[] {
  return text.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n");
}

/** First index where two line lists differ, or -1. */
export function firstDifference(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Asserts our transcript equals Apache's; the message quotes the first difference. */
export function expectSameTranscript(ours: string, apache: string, what: string): void {
  const o = lines(ours);
  const a = lines(apache);
  const i = firstDifference(o, a);
  const where = i < 0 ? "" : `line ${i + 1}:\n  apache: ${a[i] ?? "<end>"}\n  ours:   ${o[i] ?? "<end>"}`;
  expect(o, `${what} differs from Apache ZooKeeper 3.8 at ${where}`).toEqual(a);
}

/** A client program ran to its last line: exit 0, nothing on stderr, "done" printed last. */
export function expectRanToEnd(run: { stdout: string; stderr: string; code: number | null }): void {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/\ndone\n$/);
}

/** What only a crash inside our server prints in its log. */
export const INTERNAL_ERROR = /Unexpected exception|TypeError|RangeError|AssertionError/;
