/**
 * How chapters, diagrams and the scenario table get into the VitePress site.
 *
 * The site's pages are small files in site/ holding markers, which a markdown-it rule
 * (`siteMarkers`, installed in site/.vitepress/config.mts) expands before VitePress
 * parses the page:
 *
 *   <!-- chapter: 05-election -->   the text of chapters/05-election/README.md, with its
 *                                   relative links, images and `<<<` paths rewritten for
 *                                   the page's place in the site (see `chapterForSite`)
 *   <!-- diagram: zab-broadcast --> a ```mermaid block holding diagrams/zab-broadcast.mmd
 *   <!-- scenarios -->              the scenario table, status read from test/ at build
 *   <!-- scenarios: 05-election --> the same, for one chapter
 *
 * Expanding before parsing keeps VitePress's own features working on the result: the
 * `<<< @/../src/x.ts#region` snippet imports, the mermaid plugin, the dead-link check and
 * local search (which renders the page files through the same markdown-it instance).
 * Files read are added to `env.includes`, so `vitepress dev` reloads a page when its
 * chapter README or a diagram changes.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { findSnippets, expandMarkers, isRelativeLink, mapLinks, resolveLink, snippetTarget, type LinkMapping } from "./markdown.js";
import { chapterDirs, toPosix } from "./repo.js";
import { scenarioStatus, scenarioTable, testFileCell } from "./scenarios.js";

export interface PageContext {
  /** The repository root (absolute). */
  readonly root: string;
  /** The page being rendered, relative to the root: `site/chapters/01-foundations.md`. */
  readonly page: string;
  /** Receives the absolute paths of files the page was built from (VitePress's `env.includes`). */
  readonly includes?: string[];
  /**
   * Where repository files that are not site pages can be read, e.g. a repository
   * browser's URL ending in `/`; from ZK_DOCS_SOURCE_URL. Without it such links become
   * the file's path in code style.
   */
  readonly sourceUrl?: string;
}

/** The site route of a repository file, if it has one. */
export function siteRoute(path: string, chapters: readonly string[]): string | null {
  const chapter = /^chapters\/([^/]+)(?:\/(?:README\.md)?)?$/.exec(path);
  if (chapter && chapters.includes(chapter[1]!)) return `/chapters/${chapter[1]}`;
  const page = /^site\/(.+)\.md$/.exec(path);
  if (page) return `/${page[1]!.replace(/(^|\/)index$/, "$1")}`;
  const source = /^src\/(.+)\.ts$/.exec(path);
  if (source) return `/api/${source[1]!.replace(/\/index$/, "")}`; // typedoc names src/x/index.ts "x"
  return null;
}

/**
 * A chapter README as a site page sees it. The README's relative links are written for
 * chapters/NN-name/ (so they work when browsing the repository); here they become site
 * routes: another chapter → /chapters/NN-name, a site page → its route, a file of src/ →
 * its API page, anything else → the source URL if one is configured, else its path as
 * code. Relative `<<<` imports become `@/../` imports and images point back to the file.
 */
export function chapterForSite(readme: string, chapter: string, ctx: PageContext): string {
  const from = `chapters/${chapter}/README.md`;
  const chapters = chapterDirs(ctx.root);
  const body = readme.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, ""); // the wrapper page owns the frontmatter
  const linked = mapLinks(body, (url, image, label): LinkMapping => {
    if (!isRelativeLink(url)) return url;
    const { path, hash } = resolveLink(from, url);
    if (image) return posix.relative(posix.dirname(ctx.page), path) + hash;
    const route = siteRoute(path, chapters);
    if (route !== null) return route + hash;
    if (ctx.sourceUrl) return ctx.sourceUrl + path;
    return { text: label.includes(posix.basename(path)) ? label : `${label} (\`${path}\`)` };
  });
  const snippets = new Map(findSnippets(linked).map((s) => [s.line, s]));
  return linked
    .split("\n")
    .map((line, i) => {
      const s = snippets.get(i + 1);
      if (s === undefined || s.path.startsWith("@")) return line;
      return line.replace(s.path, `@/../${snippetTarget(from, s.path)}`);
    })
    .join("\n");
}

function read(ctx: PageContext, path: string, what: string): string {
  const abs = join(ctx.root, path);
  if (!existsSync(abs)) throw new Error(`${ctx.page}: ${what} ${path} does not exist`);
  ctx.includes?.push(toPosix(abs));
  return readFileSync(abs, "utf8");
}

/** The page source with every marker expanded (chapters first, then what they contain). */
export function expandPage(src: string, ctx: PageContext): string {
  const withChapters = expandMarkers(src, (m, line) =>
    m.kind === "chapter" ? chapterForSite(read(ctx, `chapters/${m.arg}/README.md`, "chapter"), m.arg, ctx) : line,
  );
  return expandMarkers(withChapters, (m) => {
    switch (m.kind) {
      case "diagram": {
        const text = read(ctx, `diagrams/${m.arg}.mmd`, "diagram (run `npm run diagrams`)");
        return "```mermaid\n" + text.trimEnd() + "\n```";
      }
      case "scenarios": {
        const rows = scenarioStatus(ctx.root).filter((r) => m.arg === "" || r.chapter === m.arg);
        if (rows.length === 0) throw new Error(`${ctx.page}: no scenarios for chapter "${m.arg}"`);
        const linked = (f: string) => `[\`${posix.basename(f)}\`](${ctx.sourceUrl}${f})`;
        return scenarioTable(rows, ctx.sourceUrl ? linked : testFileCell);
      }
      case "chapter":
        throw new Error(`${ctx.page}: a chapter cannot include another chapter (${m.arg})`);
    }
  });
}

/** The subset of markdown-it this rule needs (VitePress passes its instance). */
interface MarkdownItLike {
  core: { ruler: { before(name: string, rule: string, fn: (state: { src: string; env: unknown }) => void): void } };
}

/** The markdown-it plugin for site/.vitepress/config.mts: expands markers in every page. */
export function siteMarkers(options: { root: string; sourceUrl?: string }): (md: MarkdownItLike) => void {
  return (md) => {
    md.core.ruler.before("normalize", "annotated-zookeeper-markers", (state) => {
      const env = (state.env ?? {}) as { path?: string; includes?: unknown };
      if (typeof env.path !== "string") return;
      const ctx: PageContext = {
        root: options.root,
        page: toPosix(relative(options.root, env.path)),
        includes: Array.isArray(env.includes) ? (env.includes as string[]) : undefined,
        sourceUrl: options.sourceUrl,
      };
      state.src = expandPage(state.src, ctx);
    });
  };
}
