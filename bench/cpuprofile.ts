/**
 * Reads a V8 .cpuprofile (what `node --cpu-prof` writes) of our server and says where
 * the time went: self time per function (the samples where it was on top of the stack)
 * and total time (samples where it was anywhere on the stack, counted once per sample).
 *
 * Our server runs from an esbuild bundle (dist/zk-server.mjs), so profile locations are
 * bundle lines; esbuild marks where each source file starts with a `// src/….ts`
 * comment, which is enough to name the file a function came from.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

export interface FunctionTime {
  name: string;
  /** Source file (src/…), node internal module, or "" for V8's pseudo-frames. */
  file: string;
  selfPct: number;
  totalPct: number;
}

export interface ProfileSummary {
  samples: number;
  /** Share of samples in (idle): the event loop waiting (for fsync, for the network). */
  idlePct: number;
  /** Share of samples in (garbage collector). */
  gcPct: number;
  functions: FunctionTime[];
  /** Self time summed per source file (node internals grouped as "node:*"). */
  files: Array<{ file: string; selfPct: number }>;
}

/** Maps bundle line numbers (0-based) to the src/ file esbuild placed there. */
function bundleFileIndex(bundleText: string): (line: number) => string {
  const starts: Array<[number, string]> = [];
  bundleText.split("\n").forEach((l, i) => {
    const m = /^\/\/ ((?:src|node_modules)\/\S+\.[cm]?[jt]s)$/.exec(l);
    if (m) starts.push([i, m[1]!]);
  });
  return (line) => {
    let file = "";
    for (const [start, f] of starts) {
      if (start > line) break;
      file = f;
    }
    return file;
  };
}

function fileOf(frame: CallFrame, bundles: Map<string, (line: number) => string>): string {
  if (!frame.url) return "";
  if (!frame.url.startsWith("file://")) return frame.url;
  let index = bundles.get(frame.url);
  if (!index) {
    try {
      index = bundleFileIndex(readFileSync(fileURLToPath(frame.url), "utf8"));
    } catch {
      index = () => frame.url;
    }
    bundles.set(frame.url, index);
  }
  return index(frame.lineNumber) || frame.url.replace(/^.*\//, "");
}

export function summarizeProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bundles = new Map<string, (line: number) => string>();
  const keyOf = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"}\t${fileOf(n.callFrame, bundles)}`;

  // Samples per node, then self per function and total per function along each stack.
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, count] of hits) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = keyOf(byId.get(cur)!);
      if (cur === id) self.set(key, (self.get(key) ?? 0) + count);
      if (!seen.has(key)) {
        seen.add(key);
        total.set(key, (total.get(key) ?? 0) + count);
      }
    }
  }
  const n = profile.samples.length;
  const pct = (x: number) => Math.round((x / n) * 1000) / 10;
  const special = (name: string) => pct(self.get(`${name}\t`) ?? 0);
  const functions = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, s]) => {
      const [name, file] = key.split("\t") as [string, string];
      return { name, file, selfPct: pct(s), totalPct: pct(total.get(key) ?? s) };
    });
  const perFile = new Map<string, number>();
  for (const [key, count] of self) {
    let file = key.split("\t")[1]!;
    if (file.startsWith("node:")) file = "node:*";
    if (file === "") file = key.split("\t")[0]!; // (idle), (garbage collector), (program)
    perFile.set(file, (perFile.get(file) ?? 0) + count);
  }
  const files = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([file, c]) => ({ file, selfPct: pct(c) }));
  return { samples: n, idlePct: special("(idle)"), gcPct: special("(garbage collector)"), functions, files };
}

/** The summary as a markdown table. */
export function profileTable(s: ProfileSummary): string {
  const lines = [
    `${s.samples.toLocaleString("en-US")} samples; idle ${s.idlePct} %, GC ${s.gcPct} %`,
    "",
    "| self % | total % | function | file |",
    "|--:|--:|---|---|",
  ];
  for (const f of s.functions) lines.push(`| ${f.selfPct} | ${f.totalPct} | \`${f.name}\` | ${f.file} |`);
  lines.push("", "| self % | file |", "|--:|---|");
  for (const f of s.files) lines.push(`| ${f.selfPct} | ${f.file} |`);
  return lines.join("\n");
}
