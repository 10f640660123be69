/**
 * The rows `npm run bench` runs, and how `--rows` picks among them.
 *
 * 8 sessions × 16 outstanding requests (128 in flight, well under both servers'
 * globalOutstandingLimit of 1000) measure throughput; 1 session × 1 request measures
 * the latency of a lone client, where a write costs a whole fsync.
 */
import type { Workload } from "./workload.js";

export interface Row extends Workload {
  id: string;
}

function row(w: Workload): Row {
  const size = w.valueSize >= 1024 ? `${w.valueSize / 1024}KB` : `${w.valueSize}B`;
  const op = w.op === "mixed" ? `mixed${Math.round(w.readRatio * 100)}` : w.op;
  return { id: `${op}-${size}-${w.sessions}x${w.pipeline}`, ...w };
}

export const ROWS: Row[] = [
  row({ op: "create", valueSize: 100, sessions: 8, pipeline: 16, readRatio: 0 }),
  row({ op: "getData", valueSize: 100, sessions: 8, pipeline: 16, readRatio: 1 }),
  row({ op: "setData", valueSize: 100, sessions: 8, pipeline: 16, readRatio: 0 }),
  row({ op: "mixed", valueSize: 1024, sessions: 8, pipeline: 16, readRatio: 0.9 }),
  row({ op: "getData", valueSize: 100, sessions: 1, pipeline: 1, readRatio: 1 }),
  row({ op: "setData", valueSize: 100, sessions: 1, pipeline: 1, readRatio: 0 }),
];

/** The rows of `--quick`: the four operations at the throughput setting. */
export const QUICK_ROWS = ROWS.slice(0, 4);

/** The footprint row is not a load row; `--rows footprint` or `--footprint` selects it. */
export const FOOTPRINT = "footprint";

/**
 * Rows whose id starts with one of the comma-separated prefixes (case-insensitive):
 * `getData` picks both getData rows, `mixed` the mixed one, `setData-100B-1x1` one row.
 */
export function pickRows(spec: string, from: Row[] = ROWS): Row[] {
  const prefixes = spec.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s && s !== FOOTPRINT);
  const picked = from.filter((r) => prefixes.some((p) => r.id.toLowerCase().startsWith(p)));
  const unknown = prefixes.filter((p) => !from.some((r) => r.id.toLowerCase().startsWith(p)));
  if (unknown.length > 0) throw new Error(`--rows: no row matches ${unknown.join(", ")}; rows are ${from.map((r) => r.id).join(", ")}, ${FOOTPRINT}`);
  return picked;
}
