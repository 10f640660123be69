/**
 * Links: every relative link and image in chapters/ and site/ resolves to a file or
 * folder of the repository, every site route used in site/ exists, and, after the
 * chapter pages are assembled for the site, every link on them leads to a page.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, chapterDirs, markdownFiles } from "../../scripts/lib/repo.js";
import { findLinks, isRelativeLink, resolveLink } from "../../scripts/lib/markdown.js";
import { expandPage } from "../../scripts/lib/site-pages.js";

const read = (f: string) => readFileSync(join(REPO_ROOT, f), "utf8");
const exists = (f: string) => existsSync(join(REPO_ROOT, f));

/** Whether a site route (`/chapters/05-election#x`, `/api/sim/paxos`) names a page. */
function routeExists(route: string): boolean {
  const path = route.replace(/[?#].*$/, "").replace(/\.(html|md)$/, "").replace(/^\//, "");
  if (path === "" || path === "api" || path === "api/") return true; // home, typedoc's index
  const api = /^api\/(.+?)\/?$/.exec(path);
  if (api) return exists(`src/${api[1]}.ts`) || exists(`src/${api[1]}/index.ts`);
  const page = path.replace(/\/$/, "/index");
  return exists(`site/${page}.md`) || exists(`site/${page}/index.md`);
}

describe("links", () => {
  it("every relative link in chapters/ and site/ markdown resolves", () => {
    const problems: string[] = [];
    for (const md of markdownFiles()) {
      for (const link of findLinks(read(md))) {
        if (!isRelativeLink(link.url)) continue;
        const { path } = resolveLink(md, link.url);
        if (!exists(path)) problems.push(`${md}:${link.line}: ${link.url} → ${path} does not exist`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every site route used in site/ names a page", () => {
    const problems: string[] = [];
    for (const md of markdownFiles().filter((f) => f.startsWith("site/"))) {
      for (const link of findLinks(read(md))) {
        if (link.url.startsWith("/") && !link.url.startsWith("//") && !routeExists(link.url)) {
          problems.push(`${md}:${link.line}: ${link.url}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("on the assembled chapter pages every link leads to a page, and no relative link is left", () => {
    const problems: string[] = [];
    for (const dir of chapterDirs()) {
      const page = `site/chapters/${dir}.md`;
      const src = expandPage(read(page), { root: REPO_ROOT, page });
      for (const link of findLinks(src)) {
        if (link.image || /^[a-z]+:/i.test(link.url) || link.url.startsWith("#")) continue;
        if (!link.url.startsWith("/")) problems.push(`${page}: relative link ${link.url} left after assembly`);
        else if (!routeExists(link.url)) problems.push(`${page}: ${link.url} is not a page`);
      }
    }
    expect(problems).toEqual([]);
  });
});
