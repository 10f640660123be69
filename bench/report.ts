/**
 * Turns the runs of a matrix into per-row comparisons (median of the repetitions, per
 * server, and the ratio ours / apache) and the markdown tables printed at the end.
 */
import type { FootprintResult } from "./footprint.js";
import type { RunResult } from "./loadgen.js";
import type { Row } from "./matrix.js";

export interface Summary {
  runs: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  serverCpu: number | null;
  genCpu: number | null;
  otherCpu: number | null;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function medianOrNull(xs: Array<number | null>): number | null {
  return xs.some((x) => x === null) ? null : median(xs as number[]);
}

export type Pick = "median" | "best";

/**
 * "median": the median of each number separately; "best": the run with the most ops/s,
 * whole (on a shared machine, noise only ever slows a run down). Errors are summed over
 * all runs either way: any error matters.
 */
export function summarize(all: RunResult[], pick: Pick = "median"): Summary {
  const best = all.reduce((a, r) => (r.opsPerSec > a.opsPerSec ? r : a));
  const runs = pick === "best" ? [best] : all;
  return {
    runs: all.length,
    opsPerSec: Math.round(median(runs.map((r) => r.opsPerSec))),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    errors: all.reduce((a, r) => a + r.errors, 0),
    serverCpu: medianOrNull(runs.map((r) => r.serverCpu)),
    genCpu: medianOrNull(runs.map((r) => r.genCpu)),
    otherCpu: medianOrNull(runs.map((r) => r.otherCpu)),
  };
}

const int = (n: number) => n.toLocaleString("en-US");
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const cores = (n: number | null) => (n === null ? "?" : n.toFixed(2));
/**
 * Server CPU time per operation: unlike ops/s, it hardly moves when other processes
 * take CPU from the server, so it compares the servers' efficiency on a busy machine.
 */
const cpuPerOp = (s: Summary) => (s.serverCpu === null || s.opsPerSec === 0 ? "?" : Math.round((s.serverCpu * 1e6) / s.opsPerSec).toString());
export const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "—");

/** One line per row as soon as it is done. */
export function rowLine(row: Row, byServer: Map<string, Summary>): string {
  const parts = [...byServer].map(([server, s]) => `${server} ${int(s.opsPerSec)} ops/s (p50 ${ms(s.p50Ms)} ms, p99 ${ms(s.p99Ms)} ms${s.errors ? `, ${s.errors} errors` : ""})`);
  const ours = byServer.get("ours");
  const apache = byServer.get("apache");
  if (ours && apache) parts.push(`ours/apache ${ratio(ours.opsPerSec, apache.opsPerSec)}`);
  return `# ${row.id}: ${parts.join(" | ")}`;
}

/** The load rows as a markdown table. */
export function loadTable(rows: Array<{ row: Row; byServer: Map<string, Summary> }>): string {
  const lines = [
    "| row | ours ops/s | apache ops/s | ours/apache | ours p50 / p99 ms | apache p50 / p99 ms | server CPU ours / apache | server CPU µs/op ours / apache | generator CPU | other CPU |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  const cell = (s: Summary | undefined, f: (s: Summary) => string) => (s ? f(s) : "—");
  for (const { row, byServer } of rows) {
    const o = byServer.get("ours");
    const a = byServer.get("apache");
    const all = [...byServer.values()];
    const cells = [
        row.id,
        cell(o, (s) => int(s.opsPerSec) + (s.errors ? ` (${s.errors} err)` : "")),
        cell(a, (s) => int(s.opsPerSec) + (s.errors ? ` (${s.errors} err)` : "")),
        o && a ? ratio(o.opsPerSec, a.opsPerSec) : "—",
        cell(o, (s) => `${ms(s.p50Ms)} / ${ms(s.p99Ms)}`),
        cell(a, (s) => `${ms(s.p50Ms)} / ${ms(s.p99Ms)}`),
        `${cell(o, (s) => cores(s.serverCpu))} / ${cell(a, (s) => cores(s.serverCpu))}`,
        `${cell(o, cpuPerOp)} / ${cell(a, cpuPerOp)}`,
        cores(Math.max(...all.map((s) => s.genCpu ?? 0))),
        cores(Math.max(...all.map((s) => s.otherCpu ?? 0))),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** The footprint row(s) as a markdown table, with the ratio when both servers ran. */
export function footprintTable(results: FootprintResult[]): string {
  const mbCell = (n: number | null) => (n === null ? "?" : `${int(n)} MB`);
  const lines = [
    "| server | znodes | load creates/s | RSS idle | RSS loaded | data dir | shutdown s | restart until served s | RSS after restart |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const r of results) {
    lines.push(
      `| ${r.server} | ${int(r.znodes)} × ${r.valueSize} B | ${int(r.loadOpsPerSec)} | ${mbCell(r.rssIdleMB)} | ${mbCell(r.rssMB)} | ${mbCell(r.dataDirMB)} | ${r.shutdownSeconds.toFixed(2)} | ${r.restartSeconds.toFixed(2)} | ${mbCell(r.rssAfterRestartMB)} |`,
    );
  }
  const o = results.find((r) => r.server === "ours");
  const a = results.find((r) => r.server === "apache");
  if (o && a) {
    const rr = (x: number | null, y: number | null) => (x === null || y === null ? "?" : ratio(x, y));
    lines.push(
      `| ours/apache | | ${ratio(o.loadOpsPerSec, a.loadOpsPerSec)} | ${rr(o.rssIdleMB, a.rssIdleMB)} | ${rr(o.rssMB, a.rssMB)} | ${ratio(o.dataDirMB, a.dataDirMB)} | ${ratio(o.shutdownSeconds, a.shutdownSeconds)} | ${ratio(o.restartSeconds, a.restartSeconds)} | ${rr(o.rssAfterRestartMB, a.rssAfterRestartMB)} |`,
    );
  }
  return lines.join("\n");
}
