/**
 * OSMXBean — open and maximum file descriptors of this process.
 *
 * Reimplements `org.apache.zookeeper.server.util.OSMXBean` (which asks the JVM's
 * UnixOperatingSystemMXBean). Chapter 03 (operations): `zk_open_file_descriptor_count`
 * and `zk_max_file_descriptor_count`, the pair an operator watches to see a server
 * running out of sockets.
 *
 * Differs from Java: read from /proc (Linux); elsewhere both are -1, which is what Java
 * reports when it cannot tell.
 */
import { readFileSync, readdirSync } from "node:fs";

/** Entries of /proc/self/fd, less the one readdir itself holds open (as the JDK counts). */
export function getOpenFileDescriptorCount(): number {
  try {
    return readdirSync("/proc/self/fd").length - 1;
  } catch {
    return -1;
  }
}

/** The soft limit on open files (RLIMIT_NOFILE), from /proc/self/limits. */
export function getMaxFileDescriptorCount(): number {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.substring("Max open files".length).trim().split(/\s+/)[0];
    if (soft === undefined) return -1;
    return soft === "unlimited" ? Number.MAX_SAFE_INTEGER : Number.parseInt(soft, 10);
  } catch {
    return -1;
  }
}
