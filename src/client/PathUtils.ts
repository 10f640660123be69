/**
 * PathUtils — the client's path check: the shared rules of src/jute/PathUtils.ts, raised
 * the way the Java client raises them, before a request is ever queued.
 *
 * Reimplements the throwing `org.apache.zookeeper.common.PathUtils.validatePath` that
 * every ZooKeeper method calls first. Chapter 09 (client). Not in the handout (U).
 *
 * Differs from Java: Java throws `IllegalArgumentException`; here an Error subclass of that
 * name, so zk-cli can turn it into the same "MalformedPathException" message zkCli prints.
 */
import { validatePath as whyInvalid } from "../jute/PathUtils.js";

/** The client-side argument error (Java's unchecked IllegalArgumentException). */
export class IllegalArgumentException extends Error {
  override name = "IllegalArgumentException";
}

/**
 * Throws IllegalArgumentException unless `path` is a valid znode path. A sequential create
 * is checked with the server's counter already appended, so "/a/" is a valid prefix there.
 */
export function validatePath(path: string, isSequential = false): void {
  const reason = whyInvalid(path, isSequential);
  if (reason !== null) throw new IllegalArgumentException(reason);
}
