/**
 * Reading the project's markdown the way the site and the checks need: prose lines
 * (outside code fences), code-snippet imports (`<<< path#region`), links, and the
 * project's markers (`<!-- diagram: name -->`, `<!-- chapter: NN-name -->`,
 * `<!-- scenarios -->`). Used by test/site (checks) and scripts/lib/site-pages.ts.
 */
import { posix } from "node:path";

export interface Line {
  /** 1-based line number. */
  readonly n: number;
  readonly text: string;
}

/** The lines outside fenced code blocks (``` or ~~~, any length of three or more). */
export function proseLines(text: string): Line[] {
  return scanFences(text).prose;
}

/** The info string of every fenced code block (`ts`, `mermaid`, ...), in order. */
export function codeFences(text: string): string[] {
  return scanFences(text).fences;
}

function scanFences(text: string): { prose: Line[]; fences: string[] } {
  const prose: Line[] = [];
  const fences: string[] = [];
  let fence: string | null = null;
  text.split(/\r?\n/).forEach((line, i) => {
    const open = /^\s{0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence === null && open) {
      fence = open[1]!;
      fences.push(open[2]!.trim());
    } else if (fence !== null) {
      if (open && open[1]![0] === fence[0] && open[1]!.length >= fence.length && open[2]!.trim() === "") fence = null;
    } else {
      prose.push({ n: i + 1, text: line });
    }
  });
  return { prose, fences };
}

/** Removes inline code spans so that a link or marker shown as code is not taken for one. */
export function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, (m) => " ".repeat(m.length));
}

/**
 * VitePress 1.6's own parse of what follows `<<<` (its `rawPathRegexp`): the path, an
 * optional `#region`, optional `{lines lang attrs}` and `[title]`.
 */
const SNIPPET_PATH =
  /^(.+?(?:(?:\.([a-z0-9]+))?))(?:(#[\w-]+))?(?: ?(?:{(\d+(?:[,-]\d+)*)? ?(\S+)? ?(\S+)?}))? ?(?:\[(.+)\])?$/;

export interface Snippet {
  readonly line: number;
  /** The path as written: `@/../src/x.ts`, `./run.ts`. */
  readonly path: string;
  readonly region: string | null;
}

export function findSnippets(text: string): Snippet[] {
  const out: Snippet[] = [];
  for (const { n, text: line } of proseLines(text)) {
    const m = /^\s{0,3}<<<\s*(\S.*?)\s*$/.exec(line);
    if (!m) continue;
    const parsed = SNIPPET_PATH.exec(m[1]!);
    if (!parsed) continue;
    out.push({ line: n, path: parsed[1]!.trim(), region: parsed[3] ? parsed[3].slice(1) : null });
  }
  return out;
}

/** Where a snippet path points, relative to the repo root. `@` is VitePress's srcDir, site/. */
export function snippetTarget(markdownFile: string, path: string): string {
  if (path.startsWith("@")) return posix.normalize(posix.join("site", path.slice(1)));
  return posix.normalize(posix.join(posix.dirname(markdownFile), path));
}

export interface Link {
  readonly line: number;
  readonly url: string;
  readonly image: boolean;
}

const INLINE_LINK = /(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*([^()\s]+)(\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEF = /^\s{0,3}\[[^\]]+\]:\s*(\S+)/;

/**
 * A reference definition (`[label]: url`) can only start a paragraph; inside one, a
 * line like `[001 L7–467]: text` is ordinary text (a citation).
 */
function referenceDefinition(lines: readonly string[], index: number): RegExpExecArray | null {
  const startsParagraph = index === 0 || lines[index - 1]!.trim() === "";
  return startsParagraph ? REFERENCE_DEF.exec(withoutCodeSpans(lines[index]!)) : null;
}

/** Inline links and images, and reference definitions, outside code. */
export function findLinks(text: string): Link[] {
  const out: Link[] = [];
  const lines = text.split("\n");
  for (const { n, text: raw } of proseLines(text)) {
    const line = withoutCodeSpans(raw);
    for (const m of line.matchAll(INLINE_LINK)) out.push({ line: n, url: m[3]!, image: m[1] === "!" });
    const def = referenceDefinition(lines, n - 1);
    if (def) out.push({ line: n, url: def[1]!, image: false });
  }
  return out;
}

/** A link to somewhere in the repository: not a scheme, not `//host`, not `#here`, not a site route. */
export function isRelativeLink(url: string): boolean {
  return !/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(url);
}

/** A relative link resolved against the file containing it: repo-relative path and `#hash`. */
export function resolveLink(markdownFile: string, url: string): { path: string; hash: string } {
  const [path = "", hash = ""] = url.split(/(?=#)/, 2);
  return { path: posix.normalize(posix.join(posix.dirname(markdownFile), decodeURI(path))), hash };
}

/** What a link becomes: a new URL, or `{ text }` to replace the whole link by text. */
export type LinkMapping = string | { readonly text: string };

/** Rewrites every inline link, image and reference definition outside code. */
export function mapLinks(text: string, map: (url: string, image: boolean, label: string) => LinkMapping): string {
  const prose = new Set(proseLines(text).map((l) => l.n));
  const lines = text.split("\n");
  return lines
    .map((line, i) => {
      if (!prose.has(i + 1)) return line;
      const masked = withoutCodeSpans(line);
      const def = referenceDefinition(lines, i);
      if (def) {
        const mapped = map(def[1]!, false, "");
        return typeof mapped === "string" ? line.replace(def[1]!, mapped) : line;
      }
      let out = "";
      let last = 0;
      for (const m of masked.matchAll(INLINE_LINK)) {
        const start = m.index!;
        const original = line.slice(start, start + m[0].length);
        const labelStart = m[1]!.length + 1;
        const label = original.slice(labelStart, labelStart + m[2]!.length);
        const mapped = map(m[3]!, m[1] === "!", label);
        let replaced: string;
        if (typeof mapped === "string") {
          const at = original.indexOf(m[3]!, labelStart + m[2]!.length);
          replaced = original.slice(0, at) + mapped + original.slice(at + m[3]!.length);
        } else {
          replaced = mapped.text;
        }
        out += line.slice(last, start) + replaced;
        last = start + m[0].length;
      }
      return out + line.slice(last);
    })
    .join("\n");
}

export interface Marker {
  readonly line: number;
  readonly kind: "diagram" | "chapter" | "scenarios";
  /** The argument: diagram name, chapter folder; for scenarios, a chapter or "" for all. */
  readonly arg: string;
}

const MARKER = /^\s{0,3}<!--\s*(diagram|chapter|scenarios)\s*(?::\s*([\w-]*))?\s*-->\s*$/;

/** The project's markers, each alone on a line outside code. */
export function findMarkers(text: string): Marker[] {
  const out: Marker[] = [];
  for (const { n, text: line } of proseLines(text)) {
    const m = MARKER.exec(line);
    if (m) out.push({ line: n, kind: m[1] as Marker["kind"], arg: m[2] ?? "" });
  }
  return out;
}

/** Replaces each marker line by what `expand` returns for it (given the marker and its line). */
export function expandMarkers(text: string, expand: (marker: Marker, line: string) => string): string {
  const markers = new Map(findMarkers(text).map((m) => [m.line, m]));
  if (markers.size === 0) return text;
  return text
    .split("\n")
    .map((line, i) => {
      const marker = markers.get(i + 1);
      return marker ? expand(marker, line) : line;
    })
    .join("\n");
}
