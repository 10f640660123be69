/**
 * How chapter pages are assembled for the site (scripts/lib/site-pages.ts): marker
 * expansion, link/snippet rewriting, the markdown-it rule, and one page per chapter.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, chapterDirs } from "../../scripts/lib/repo.js";
import { chapterForSite, expandPage, siteMarkers, siteRoute } from "../../scripts/lib/site-pages.js";

describe("site pages", () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "site-pages-"));
    write("chapters/01-intro/README.md", "# 01 — Intro\n");
    write("chapters/02-next/README.md", "# 02 — Next\n");
    write("diagrams/flow.mmd", "%% generated\nsequenceDiagram\n  A->>B: hi\n");
    // A number above 92, so that this file's source does not count as a test of a real scenario.
    write("scripts/scenarios.json", JSON.stringify([{ id: "T901", chapter: "01-intro", title: "First scenario here", source: "001 L1" }]));
    write("test/intro/T901-first.test.ts", 'it("T901 works", () => {});\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("maps repository files to site routes", () => {
    const chapters = ["01-intro", "02-next"];
    expect(siteRoute("chapters/02-next/README.md", chapters)).toBe("/chapters/02-next");
    expect(siteRoute("chapters/02-next", chapters)).toBe("/chapters/02-next");
    expect(siteRoute("chapters/99-none/README.md", chapters)).toBeNull();
    expect(siteRoute("site/scenarios.md", chapters)).toBe("/scenarios");
    expect(siteRoute("site/index.md", chapters)).toBe("/");
    expect(siteRoute("src/sim/paxos.ts", chapters)).toBe("/api/sim/paxos");
    expect(siteRoute("src/trace/index.ts", chapters)).toBe("/api/trace");
    expect(siteRoute("test/x.test.ts", chapters)).toBeNull();
  });

  it("rewrites a chapter's relative links, images and snippet paths for its site page", () => {
    const readme = [
      "---",
      "title: ignored",
      "---",
      "See [next](../02-next/README.md#part), [code](../../src/sim/paxos.ts), [scenarios](../../site/scenarios.md),",
      "[the test](../../test/intro/T901-first.test.ts), [T901-first.test.ts](../../test/intro/T901-first.test.ts) and [web](https://example.org).",
      "![figure](./fig.png)",
      "<<< ./run.ts#main",
      "<<< @/../src/x.ts#y",
      "```md",
      "[not a link](../02-next/README.md)",
      "```",
      "Inline `[code](../02-next/README.md)` stays.",
    ].join("\n");
    const out = chapterForSite(readme, "01-intro", { root, page: "site/chapters/01-intro.md" }).split("\n");
    expect(out[0]).toBe(
      "See [next](/chapters/02-next#part), [code](/api/sim/paxos), [scenarios](/scenarios),",
    );
    expect(out[1]).toBe(
      "the test (`test/intro/T901-first.test.ts`), T901-first.test.ts and [web](https://example.org).",
    );
    expect(out[2]).toBe("![figure](../../chapters/01-intro/fig.png)");
    expect(out[3]).toBe("<<< @/../chapters/01-intro/run.ts#main");
    expect(out[4]).toBe("<<< @/../src/x.ts#y");
    expect(out[6]).toBe("[not a link](../02-next/README.md)");
    expect(out[8]).toBe("Inline `[code](../02-next/README.md)` stays.");
    const linked = chapterForSite("[t](../../test/a.ts)", "01-intro", { root, page: "site/chapters/01-intro.md", sourceUrl: "https://src/" });
    expect(linked).toBe("[t](https://src/test/a.ts)");
  });

  it("expands chapter, diagram and scenario markers, and reports the files it read", () => {
    write("chapters/01-intro/README.md", "# 01 — Intro\n\n<!-- diagram: flow -->\n\n<!-- scenarios: 01-intro -->\n");
    const includes: string[] = [];
    const out = expandPage("---\nx: 1\n---\n<!-- chapter: 01-intro -->\n", { root, page: "site/chapters/01-intro.md", includes });
    expect(out).toContain("```mermaid\n%% generated\nsequenceDiagram\n  A->>B: hi\n```");
    expect(out).toContain(
      '| T901 | First scenario here (001 L1) | <code title="test/intro/T901-first.test.ts">T901-first.test.ts</code> | covered |',
    );
    expect(includes).toEqual([join(root, "chapters/01-intro/README.md"), join(root, "diagrams/flow.mmd")]);
  });

  it("fails loudly on a marker naming nothing, instead of rendering an empty page", () => {
    expect(() => expandPage("<!-- diagram: none -->", { root, page: "site/x.md" })).toThrow(/diagrams\/none\.mmd does not exist/);
    expect(() => expandPage("<!-- chapter: 99-none -->", { root, page: "site/x.md" })).toThrow(/does not exist/);
    expect(() => expandPage("<!-- scenarios: 02-next -->", { root, page: "site/x.md" })).toThrow(/no scenarios/);
  });

  it("installs as a markdown-it rule that expands pages by their path", () => {
    let rule: ((state: { src: string; env: unknown }) => void) | undefined;
    siteMarkers({ root })({ core: { ruler: { before: (_n, _r, fn) => void (rule = fn) } } });
    const state = { src: "<!-- diagram: flow -->", env: { path: join(root, "site/page.md"), includes: [] as string[] } };
    rule!(state);
    expect(state.src.startsWith("```mermaid")).toBe(true);
    expect(state.env.includes).toEqual([join(root, "diagrams/flow.mmd")]);
    const noPath = { src: "<!-- diagram: flow -->", env: {} };
    rule!(noPath);
    expect(noPath.src).toBe("<!-- diagram: flow -->");
  });

  it("every chapter folder has its site page, and every site page its chapter", () => {
    for (const dir of chapterDirs()) {
      const page = join(REPO_ROOT, "site/chapters", `${dir}.md`);
      expect(existsSync(page), `site/chapters/${dir}.md is missing`).toBe(true);
      expect(readFileSync(page, "utf8")).toContain(`<!-- chapter: ${dir} -->`);
    }
  });
});
