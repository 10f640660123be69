/**
 * ZKPaths — path arithmetic every recipe needs, and the "protected" node names.
 *
 * Reimplements Curator's `org.apache.curator.utils.ZKPaths` (with mkdirs and deleteChildren) and
 * `org.apache.curator.framework.imps.ProtectedUtils`. Chapter 10 (recipes). The seed
 * only uses paths ("/nodeA", "/lock", "/latch") [003 L19–21, L96–112, L209–224]; the
 * helpers are added knowledge (U), from Curator 5.
 *
 * Grammar of a protected name (what `create().withProtection()` writes):
 *
 *     protected-name = "_c_" uuid "-" name [ sequence ]
 *     uuid           = 36 characters, 8-4-4-4-12 lowercase hex digits and dashes
 *     sequence       = 10 decimal digits appended by the server for *_SEQUENTIAL modes
 *
 * e.g. `_c_1e8c6b8e-2f0e-4a43-9a0c-8e3f3b5f1a2b-lock-0000000003`. The uuid lets a client
 * that lost its connection during a create find the node it may have created.
 *
 * Connection loss / expiry: pure functions, nothing to say.
 *
 * Differs from Curator: paths are checked with our client's validatePath; `compareStrings`
 * stands in for Java's String.compareTo (the same UTF-16 order); mkdirs and deleteChildren
 * take our ZooKeeper handle and are awaited.
 *
 * Connection loss / expiry of mkdirs and deleteChildren: they take a raw handle and
 * throw on the first failure; the framework calls them inside its retry loop, and both
 * are safe to repeat (NODEEXISTS / NONODE are expected on a second pass).
 */
import { CreateMode } from "../../jute/CreateMode.js";
import type { ACL } from "../../jute/data.js";
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { OPEN_ACL_UNSAFE } from "../../jute/ZooDefs.js";
import { validatePath } from "../../client/PathUtils.js";
import type { ZooKeeper } from "../../client/ZooKeeper.js";

export const PATH_SEPARATOR = "/";

/** The prefix of a protected node name ("_c_"). */
export const PROTECTED_PREFIX = "_c_";
/** "_c_" + 36-character uuid + "-". */
const PROTECTED_PREFIX_WITH_UUID_LENGTH = PROTECTED_PREFIX.length + 36 + 1;

/** Joins a parent and children into one path, with exactly one "/" between parts. */
export function makePath(parent: string | null, ...children: Array<string | null | undefined>): string {
  let path = "";
  const append = (part: string) => {
    if (part.length === 0 || part === PATH_SEPARATOR) return;
    const trimmed = part.replace(/^\/+/, "").replace(/\/+$/, "");
    if (trimmed.length === 0) return;
    path += PATH_SEPARATOR + trimmed;
  };
  if (parent !== null) append(parent);
  for (const c of children) if (c !== null && c !== undefined) append(c);
  return path.length === 0 ? PATH_SEPARATOR : path;
}

/** The last name of a path ("/a/b" → "b", "/" → ""). */
export function getNodeFromPath(path: string): string {
  const i = path.lastIndexOf(PATH_SEPARATOR);
  if (i < 0) return path;
  return i + 1 >= path.length ? "" : path.substring(i + 1);
}

/** Splits "/a/b" into { path: "/a", node: "b" } ("/b" → { path: "/", node: "b" }). */
export function getPathAndNode(path: string): { path: string; node: string } {
  const i = path.lastIndexOf(PATH_SEPARATOR);
  if (i < 0) return { path, node: "" };
  if (i + 1 >= path.length) return { path: PATH_SEPARATOR, node: "" };
  const node = path.substring(i + 1);
  const parent = i > 0 ? path.substring(0, i) : PATH_SEPARATOR;
  return { path: parent, node };
}

/** Every ancestor of a path, shortest first, without the root and without the path itself. */
export function ancestors(path: string): string[] {
  const result: string[] = [];
  let i = path.indexOf(PATH_SEPARATOR, 1);
  while (i > 0) {
    result.push(path.substring(0, i));
    i = path.indexOf(PATH_SEPARATOR, i + 1);
  }
  return result;
}

/** The namespace's path in front of a client path ("base", "/a" → "/base/a"). */
export function fixForNamespace(namespace: string | null, path: string): string {
  if (namespace === null || namespace.length === 0) return path;
  return makePath(PATH_SEPARATOR + namespace, path);
}

/** Removes the namespace from a server path ("/base/a" → "/a"); other paths are returned as they are. */
export function unfixForNamespace(namespace: string | null, path: string): string {
  if (namespace === null || namespace.length === 0) return path;
  const prefix = PATH_SEPARATOR + namespace;
  if (path === prefix) return PATH_SEPARATOR;
  if (path.startsWith(prefix + PATH_SEPARATOR)) return path.substring(prefix.length);
  return path;
}

// #region protected-names
/** "_c_" + uuid + "-": what a protected create puts in front of the node's name. */
export function getProtectedPrefix(protectedId: string): string {
  return PROTECTED_PREFIX + protectedId + "-";
}

/** Whether a node name looks like "_c_<uuid>-…". */
export function isProtectedZNode(name: string): boolean {
  if (name.length <= PROTECTED_PREFIX_WITH_UUID_LENGTH || !name.startsWith(PROTECTED_PREFIX)) return false;
  if (name.charAt(PROTECTED_PREFIX_WITH_UUID_LENGTH - 1) !== "-") return false;
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name.substring(PROTECTED_PREFIX.length, PROTECTED_PREFIX_WITH_UUID_LENGTH - 1));
}

/** The name without its protection prefix ("_c_<uuid>-lock-0000000001" → "lock-0000000001"). */
export function normalize(name: string): string {
  return isProtectedZNode(name) ? name.substring(PROTECTED_PREFIX_WITH_UUID_LENGTH) : name;
}

/** The protected path for `path`: the prefix goes in front of the last name. */
export function toProtectedPath(path: string, protectedId: string): string {
  const { path: parent, node } = getPathAndNode(path);
  return makePath(parent, getProtectedPrefix(protectedId) + node);
}
// #endregion protected-names

/**
 * Sorts children by what follows `lockName` in each name (the sequence number), as
 * `StandardLockInternalsDriver.standardFixForSorting` does, so that protected and plain
 * names of one lock sort by their sequence alone.
 */
export function standardFixForSorting(name: string, lockName: string): string {
  const index = name.lastIndexOf(lockName);
  if (index < 0) return name;
  const from = index + lockName.length;
  return from <= name.length ? name.substring(from) : "";
}

/** Java's String.compareTo order (UTF-16 code units), which JS `<` on strings also is. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// #region mkdirs
/**
 * ZKPaths.mkdirs: creates every missing node on the way to `path` (and `path` itself when
 * `makeLastNode`), as containers when `asContainers`. "Exists" is asked first, so an
 * existing tree costs reads only; a concurrent create (NODEEXISTS) is fine.
 */
export async function mkdirs(zk: ZooKeeper, path: string, makeLastNode: boolean, acl: ACL[] = OPEN_ACL_UNSAFE, asContainers = false): Promise<void> {
  validatePath(path);
  let pos = 1;
  for (;;) {
    pos = path.indexOf("/", pos + 1);
    if (pos < 0) {
      if (!makeLastNode) return;
      pos = path.length;
    }
    const sub = path.substring(0, pos);
    if ((await zk.exists(sub)) === null) {
      try {
        await zk.create(sub, Buffer.alloc(0), acl, asContainers ? CreateMode.CONTAINER : CreateMode.PERSISTENT);
      } catch (e) {
        if (!(e instanceof KeeperException && e.code === Code.NODEEXISTS)) throw e;
      }
    }
    if (pos >= path.length) return;
  }
}
// #endregion mkdirs

/** ZKPaths.deleteChildren: deletes the subtree below `path` (and `path` when deleteSelf), leaves first. */
export async function deleteChildren(zk: ZooKeeper, path: string, deleteSelf: boolean): Promise<void> {
  let children: string[];
  try {
    children = await zk.getChildren(path);
  } catch (e) {
    if (e instanceof KeeperException && e.code === Code.NONODE) return;
    throw e;
  }
  for (const child of children) await deleteChildren(zk, makePath(path, child), true);
  if (!deleteSelf) return;
  try {
    await zk.delete(path);
  } catch (e) {
    if (e instanceof KeeperException && e.code === Code.NONODE) return;
    if (e instanceof KeeperException && e.code === Code.NOTEMPTY) return deleteChildren(zk, path, true);
    throw e;
  }
}
