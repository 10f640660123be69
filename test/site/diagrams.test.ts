/**
 * Generated diagrams stay true: every registered generator's fresh output equals its
 * checked-in diagrams/<name>.mmd, every .mmd there is registered, and every
 * `<!-- diagram: name -->` marker in chapters/ and site/ names one of them.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagramFile } from "../../diagrams/diagram.js";
import { loadDiagrams } from "../../diagrams/registry.js";
import { REPO_ROOT, markdownFiles } from "../../scripts/lib/repo.js";
import { findMarkers } from "../../scripts/lib/markdown.js";

const DIR = join(REPO_ROOT, "diagrams");

describe("diagrams", async () => {
  const generators = await loadDiagrams();

  for (const g of generators) {
    it(`diagrams/${g.name}.mmd matches a fresh run`, async () => {
      const path = join(DIR, `${g.name}.mmd`);
      expect(existsSync(path), `diagrams/${g.name}.mmd is missing: run \`npm run diagrams\``).toBe(true);
      const fresh = diagramFile(g, await g.generate());
      expect(readFileSync(path, "utf8") === fresh, `diagrams/${g.name}.mmd is stale: run \`npm run diagrams\``).toBe(true);
    });
  }

  it("a second run gives the same text (generators are deterministic)", async () => {
    for (const g of generators) expect(await g.generate()).toBe(await g.generate());
  });

  it("every .mmd in diagrams/ comes from a registered generator", () => {
    const registered = new Set(generators.map((g) => `${g.name}.mmd`));
    const orphans = readdirSync(DIR).filter((f) => f.endsWith(".mmd") && !registered.has(f));
    expect(orphans, "unregistered diagrams: register a generator in diagrams/registry.ts or delete the file").toEqual([]);
  });

  it("every diagram marker names a diagram", () => {
    const names = new Set(generators.map((g) => g.name));
    const problems = markdownFiles().flatMap((md) =>
      findMarkers(readFileSync(join(REPO_ROOT, md), "utf8"))
        .filter((m) => m.kind === "diagram" && !names.has(m.arg))
        .map((m) => `${md}:${m.line}: no diagram "${m.arg}"`),
    );
    expect(problems).toEqual([]);
  });
});
