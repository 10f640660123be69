/**
 * PathUtils.validatePath — what makes a znode path valid.
 *
 * Reimplements `org.apache.zookeeper.common.PathUtils.validatePath`. Shared by both
 * sides of the protocol, so it lives with the codecs. Chapter 07 (Prep
 * rejects bad paths with BADARGUMENTS) and chapter 09 (the Java client checks the same
 * rules before sending).
 *
 * A path is absolute, has no empty segment, no "." or ".." segment, no trailing slash
 * (except "/" itself), and none of: NUL, control characters, U+007F–U+009F, surrogates
 * and the private use area (U+D800–U+F8FF), U+FFF0–U+FFFF.
 */

// #region validate-path
/** null when the path is valid, else the reason (Java's IllegalArgumentException text). */
export function validatePath(path: string | null, isSequential = false): string | null {
  if (path === null) return "Path cannot be null";
  if (isSequential) path = path + "1";
  if (path.length === 0) return "Path length must be > 0";
  if (path[0] !== "/") return "Path must start with / character";
  if (path.length === 1) return null;
  if (path[path.length - 1] === "/") return "Path must not end with / character";
  let reason: string | null = null;
  let lastc = "/";
  for (let i = 1; i < path.length; lastc = path[i]!, i++) {
    const c = path[i]!;
    const code = path.charCodeAt(i);
    if (code === 0) {
      reason = `null character not allowed @${i}`;
      break;
    } else if (c === "/" && lastc === "/") {
      reason = `empty node name specified @${i}`;
      break;
    } else if (c === "." && lastc === ".") {
      if (path[i - 2] === "/" && (i + 1 === path.length || path[i + 1] === "/")) {
        reason = `relative paths not allowed @${i}`;
        break;
      }
    } else if (c === ".") {
      if (path[i - 1] === "/" && (i + 1 === path.length || path[i + 1] === "/")) {
        reason = `relative paths not allowed @${i}`;
        break;
      }
    } else if (
      (code > 0x0000 && code <= 0x001f) ||
      (code >= 0x007f && code <= 0x009f) ||
      (code >= 0xd800 && code <= 0xf8ff) ||
      (code >= 0xfff0 && code <= 0xffff)
    ) {
      reason = `invalid character @${i}`;
      break;
    }
  }
  return reason === null ? null : `Invalid path string "${path}" caused by ${reason}`;
}
// #endregion validate-path
