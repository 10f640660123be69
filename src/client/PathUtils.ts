/**
 * PathUtils — what makes a string a znode path, checked on the client before a request
 * is ever queued.
 *
 * Reimplements `org.apache.zookeeper.common.PathUtils.validatePath`. Chapter 09 (client).
 * The handout never shows it (the client calls it at the top of every ZooKeeper method,
 * [001 L8811–8892] shows only the constructor), so the rules below are added knowledge (U).
 *
 * Differs from Java: Java throws `IllegalArgumentException`; here an Error subclass of that
 * name, so zk-cli can turn it into the same "MalformedPathException" message zkCli prints.
 */

/** The client-side argument error (Java's unchecked IllegalArgumentException). */
export class IllegalArgumentException extends Error {
  override name = "IllegalArgumentException";
}

/** True for the UTF-16 units ZooKeeper refuses inside a path: controls, surrogates, private use, specials. */
function isForbiddenChar(c: number): boolean {
  return (
    (c > 0x0000 && c <= 0x001f) ||
    (c >= 0x007f && c <= 0x009f) ||
    (c >= 0xd800 && c <= 0xf8ff) ||
    (c >= 0xfff0 && c <= 0xffff)
  );
}

// #region validatePath
/**
 * Throws IllegalArgumentException unless `path` is absolute, has no empty, "." or ".."
 * segment, no trailing slash and no forbidden character. A sequential create is checked
 * as if the server's counter were already appended, so "/a/" is a valid prefix there.
 */
export function validatePath(path: string, isSequential = false): void {
  const p = isSequential ? path + "1" : path;
  if (p === null || p === undefined) throw new IllegalArgumentException("Path cannot be null");
  if (p.length === 0) throw new IllegalArgumentException("Path length must be > 0");
  if (p[0] !== "/") throw new IllegalArgumentException("Path must start with / character");
  if (p.length === 1) return;
  if (p[p.length - 1] === "/") throw new IllegalArgumentException("Path must not end with / character");
  const reason = firstProblem(p);
  if (reason !== null) throw new IllegalArgumentException(`Invalid path string "${p}" caused by ${reason}`);
}
// #endregion validatePath

function firstProblem(p: string): string | null {
  let last = "/";
  for (let i = 1; i < p.length; last = p[i]!, i++) {
    const c = p[i]!;
    const code = p.charCodeAt(i);
    const segmentEnds = i + 1 === p.length || p[i + 1] === "/";
    if (code === 0) return `null character not allowed @${i}`;
    if (c === "/" && last === "/") return `empty node name specified @${i}`;
    if (c === "." && last === "." && p[i - 2] === "/" && segmentEnds) return `relative paths not allowed @${i}`;
    if (c === "." && last !== "." && p[i - 1] === "/" && segmentEnds) return `relative paths not allowed @${i}`;
    if (isForbiddenChar(code)) return `invalid character @${i}`;
  }
  return null;
}
