/**
 * A DataTree as plain data (path → data, stat, acl), for comparing two trees or a tree
 * with what a client read from a server.
 */
import type { DataTree } from "../../../src/data/DataTree.js";
import type { ACL, Stat } from "../../../src/jute/data.js";

export interface NodeView {
  data: string | null; // hex, so that empty and null stay apart
  stat: Stat;
  acl: ACL[];
}

export function dumpTree(tree: DataTree, opts: { skipZookeeper?: boolean } = {}): Map<string, NodeView> {
  const out = new Map<string, NodeView>();
  const walk = (path: string): void => {
    if (opts.skipZookeeper && path.startsWith("/zookeeper")) return;
    const node = tree.getNode(path);
    if (node === undefined) throw new Error(`${path} is listed but missing`);
    out.set(path, { data: node.data === null ? null : node.data.toString("hex"), stat: tree.statOf(node), acl: tree.aclForNode(node) });
    for (const c of node.childNames().sort()) walk(path === "/" ? `/${c}` : `${path}/${c}`);
  };
  walk("/");
  return out;
}
