/**
 * `npm run diagrams`: regenerates every registered diagram into diagrams/<name>.mmd.
 *
 *   npm run diagrams                 write all
 *   npm run diagrams -- zab-broadcast  write only the ones named
 *   npm run diagrams -- --check      write nothing; exit 1 if a file is stale or missing
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { diagramFile } from "../diagrams/diagram.js";
import { loadDiagrams } from "../diagrams/registry.js";

export const DIAGRAMS_DIR = fileURLToPath(new URL("../diagrams/", import.meta.url));

async function main(args: string[]): Promise<number> {
  const check = args.includes("--check");
  const names = args.filter((a) => !a.startsWith("--"));
  const all = await loadDiagrams();
  const unknown = names.filter((n) => !all.some((g) => g.name === n));
  if (unknown.length > 0) {
    console.error(`no diagram generator named ${unknown.join(", ")}; known: ${all.map((g) => g.name).join(", ")}`);
    return 1;
  }
  let stale = 0;
  for (const g of all.filter((x) => names.length === 0 || names.includes(x.name))) {
    const path = `${DIAGRAMS_DIR}${g.name}.mmd`;
    const fresh = diagramFile(g, await g.generate());
    const old = await readFile(path, "utf8").catch(() => null);
    if (old === fresh) {
      console.log(`unchanged  diagrams/${g.name}.mmd`);
    } else if (check) {
      stale++;
      console.log(`${old === null ? "missing" : "stale"}      diagrams/${g.name}.mmd`);
    } else {
      await writeFile(path, fresh);
      console.log(`wrote      diagrams/${g.name}.mmd`);
    }
  }
  if (stale > 0) console.error(`${stale} diagram(s) out of date: run \`npm run diagrams\``);
  return stale > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
