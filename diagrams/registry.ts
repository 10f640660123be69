/**
 * Every diagram generator of the project. To add diagrams, export `diagrams` (a list of
 * DiagramGenerator, see diagram.ts) from a module and add ONE line below importing it.
 */
import { DIAGRAM_NAME, type DiagramGenerator, type DiagramModule } from "./diagram.js";

const modules: ReadonlyArray<() => Promise<DiagramModule>> = [
  () => import("../chapters/01-foundations/diagrams.js"),
  () => import("../chapters/02-serialization-persistence/diagrams.js"),
  () => import("../chapters/04-data-loading/diagrams.js"),
  () => import("../chapters/03-startup/diagrams.js"),
  () => import("../chapters/09-client/diagrams.js"),
  () => import("../chapters/10-recipes/diagrams.js"),
];

/** All generators, checked: valid and unique names. */
export async function loadDiagrams(): Promise<DiagramGenerator[]> {
  const all = (await Promise.all(modules.map((load) => load()))).flatMap((m) => m.diagrams);
  const seen = new Set<string>();
  for (const g of all) {
    if (!DIAGRAM_NAME.test(g.name)) throw new Error(`diagram name "${g.name}" must be lower case, digits and dashes`);
    if (seen.has(g.name)) throw new Error(`two diagram generators are named "${g.name}"`);
    seen.add(g.name);
  }
  return all;
}
