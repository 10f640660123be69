/**
 * Code regions: every `<<< path#region` in chapters/ and site/ names a file that exists
 * and a region in it (VitePress would silently import the whole file, toolchain P4),
 * and every `// #region x` under src/ is closed by `// #endregion x`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, listFiles, markdownFiles, sourceFiles } from "../../scripts/lib/repo.js";
import { findSnippets, snippetTarget } from "../../scripts/lib/markdown.js";
import { regionBody, regionProblems } from "../../scripts/lib/regions.js";

const read = (f: string) => readFileSync(join(REPO_ROOT, f), "utf8");

describe("code regions", () => {
  it("every snippet import names an existing file and region", () => {
    const problems: string[] = [];
    let checked = 0;
    for (const md of markdownFiles()) {
      for (const s of findSnippets(read(md))) {
        checked++;
        const target = snippetTarget(md, s.path);
        if (!existsSync(join(REPO_ROOT, target))) {
          problems.push(`${md}:${s.line}: ${s.path} → ${target} does not exist`);
        } else if (s.region !== null && regionBody(read(target), s.region) === null) {
          problems.push(`${md}:${s.line}: ${target} has no region "${s.region}" (VitePress would import the whole file)`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it("every #region under src/ (and in chapter code) is closed by its #endregion", () => {
    const files = [...sourceFiles(), ...listFiles("chapters", (n) => n.endsWith(".ts"))];
    const problems = files.flatMap((f) => regionProblems(read(f)).map((p) => `${f} ${p}`));
    expect(problems).toEqual([]);
  });

  it("reads regions as VitePress does", () => {
    const text = ["a", "// #region one", "b", "  // #region inner", "c", "  // #endregion inner", "// #endregion one", "d"].join("\n");
    expect(regionBody(text, "one")).toEqual(["b", "c"]);
    expect(regionBody(text, "inner")).toEqual(["c"]);
    expect(regionBody(text, "missing")).toBeNull();
    expect(regionProblems("// #region x\n// #endregion y\n")).toEqual([
      "line 2: #endregion y has no open #region y",
      "line 1: #region x is never closed with #endregion x",
    ]);
    expect(regionProblems("// #region a.b\n// #endregion a.b\n")).toEqual([
      'line 1: "// #region a.b" is not a region marker VitePress reads (names are letters, digits, _ and -)',
      'line 2: "// #endregion a.b" is not a region marker VitePress reads (names are letters, digits, _ and -)',
    ]);
  });
});
