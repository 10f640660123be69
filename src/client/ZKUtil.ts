/**
 * ZKUtil — tree walks on top of the client: list a subtree, delete it, visit it.
 *
 * Reimplements `org.apache.zookeeper.ZKUtil` (deleteRecursive, listSubTreeBFS,
 * visitSubTreeDFS). Chapter 09 (client); zk-cli's `deleteall`, `ls -R` and `setAcl -R`
 * use them. Not in the handout (U).
 *
 * Differs from Java: Java's batched delete keeps up to 10 multi calls in flight with a
 * semaphore; here the same window is a set of pending promises.
 */
import { Code, KeeperException } from "../jute/KeeperException.js";
import { Op } from "./Op.js";
import { validatePath } from "./PathUtils.js";
import type { ZooKeeper } from "./ZooKeeper.js";

/** Multi calls deleteRecursive keeps in flight at once. */
const RATE_LIMIT = 10;

/** Every node under `pathRoot`, the root first, breadth first. */
export async function listSubTreeBFS(zk: ZooKeeper, pathRoot: string): Promise<string[]> {
  const queue = [pathRoot];
  const tree = [pathRoot];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const child of await zk.getChildren(node)) {
      const childPath = (node === "/" ? "" : node) + "/" + child;
      queue.push(childPath);
      tree.push(childPath);
    }
  }
  return tree;
}

// #region deleteRecursive
/**
 * Deletes a subtree, deepest nodes first, `batchSize` deletes per multi. Returns false
 * when some batch failed (e.g. a node was added meanwhile); stops sending after that.
 */
export async function deleteRecursive(zk: ZooKeeper, pathRoot: string, batchSize = 1000): Promise<boolean> {
  validatePath(pathRoot);
  const tree = await listSubTreeBFS(zk, pathRoot);
  let success = true;
  const inFlight = new Set<Promise<void>>();
  let ops: Op[] = [];
  for (let i = tree.length - 1; i >= 0; --i) {
    ops.push(Op.delete(tree[i]!, -1));
    if (ops.length !== batchSize && i !== 0) continue;
    if (!success) break;
    if (inFlight.size >= RATE_LIMIT) await Promise.race(inFlight);
    const p: Promise<void> = zk.multi(ops).then(
      () => undefined,
      () => {
        success = false;
      },
    );
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    ops = [];
  }
  await Promise.all(inFlight);
  return success;
}
// #endregion deleteRecursive

/**
 * Visits `path` and its subtree depth first, children in sorted order, calling `visit`
 * for each node (a node's children are all visited before any grandchild). Nodes that
 * vanish during the walk are skipped; a missing `path` itself throws NONODE.
 */
export async function visitSubTreeDFS(zk: ZooKeeper, path: string, watch: boolean, visit: (path: string) => Promise<void> | void): Promise<void> {
  validatePath(path);
  await zk.getData(path, watch);
  await visit(path);
  await visitHelper(zk, path, watch, visit);
}

/** The children of `path`, or null if it does not exist (any more). */
export async function childrenOrNull(zk: ZooKeeper, path: string, watch = false): Promise<string[] | null> {
  try {
    return await zk.getChildren(path, watch);
  } catch (e) {
    if (e instanceof KeeperException && e.code === Code.NONODE) return null;
    throw e;
  }
}

async function visitHelper(zk: ZooKeeper, path: string, watch: boolean, visit: (path: string) => Promise<void> | void): Promise<void> {
  const children = (await childrenOrNull(zk, path, watch))?.sort();
  if (children === undefined) return;
  const childPath = (c: string) => (path.length === 1 ? path : path + "/") + c;
  for (const c of children) await visit(childPath(c));
  for (const c of children) await visitHelper(zk, childPath(c), watch, visit);
}
