/**
 * `// #region name` … `// #endregion name` markers, read the way VitePress 1.6 reads
 * them for `<<< file#name` (its `findRegion`, TypeScript/JavaScript form): a region
 * starts at the first matching `#region` line and ends at the next `#endregion` of the
 * same name; VitePress includes the whole file when the name is not found (P4), which is
 * why test/site checks every import against this.
 */
const MARKER = /^\/\/ ?#?((?:end)?region) ([\w*-]+)$/;

export interface RegionMarker {
  readonly line: number;
  readonly kind: "region" | "endregion";
  readonly name: string;
}

export function regionMarkers(text: string): RegionMarker[] {
  const out: RegionMarker[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const m = MARKER.exec(line.trim());
    if (m) out.push({ line: i + 1, kind: m[1] === "region" ? "region" : "endregion", name: m[2]! });
  });
  return out;
}

/** The lines of region `name` (markers excluded), or null when VitePress would not find it. */
export function regionBody(text: string, name: string): string[] | null {
  const lines = text.split(/\r?\n/);
  const markers = regionMarkers(text);
  const start = markers.find((m) => m.kind === "region" && m.name === name);
  if (start === undefined) return null;
  const end = markers.find((m) => m.kind === "endregion" && m.name === name && m.line > start.line);
  if (end === undefined) return null;
  return lines.slice(start.line, end.line - 1).filter((l) => !MARKER.test(l.trim()));
}

/** A line meant as a marker: `// #region` or `// #endregion` and anything after it. */
const MARKER_LIKE = /^\/\/ ?#(?:end)?region\b/;

/** Problems with a file's markers: unclosed, unopened, repeated, or unreadable region names. */
export function regionProblems(text: string): string[] {
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    // VitePress skips such a line as a marker and would import the whole file (e.g. "#region a.b").
    if (MARKER_LIKE.test(t) && !MARKER.test(t)) problems.push(`line ${i + 1}: "${t}" is not a region marker VitePress reads (names are letters, digits, _ and -)`);
  });
  const open = new Map<string, number>();
  const seen = new Set<string>();
  for (const m of regionMarkers(text)) {
    if (m.kind === "region") {
      if (seen.has(m.name)) problems.push(`line ${m.line}: region "${m.name}" is opened a second time (VitePress takes the first)`);
      seen.add(m.name);
      open.set(m.name, m.line);
    } else if (!open.delete(m.name)) {
      problems.push(`line ${m.line}: #endregion ${m.name} has no open #region ${m.name}`);
    }
  }
  for (const [name, line] of open) problems.push(`line ${line}: #region ${name} is never closed with #endregion ${name}`);
  return problems;
}
