/**
 * Environment — what `envi` and the admin server's `environment` report about the
 * process: the ZooKeeper version, the host, the runtime, the OS and the user.
 *
 * Reimplements `org.apache.zookeeper.Environment.list`. Chapter 03 (operations). The
 * keys are Java's, in Java's order, so scripts that grep `envi` keep working; the
 * values are this process's:
 *
 * | key                  | Java                          | here                                   |
 * |----------------------|-------------------------------|----------------------------------------|
 * | host.name            | canonical name of local host  | the same: hostname → address → name    |
 * | java.version         | JVM version                   | Node.js version (`process.versions.node`) |
 * | java.vendor          | JVM vendor                    | runtime name (`process.release.name`)  |
 * | java.home            | JVM install directory         | Node install prefix (above bin/node)   |
 * | java.class.path      | class path                    | NODE_PATH, or `<NA>` when unset        |
 * | java.library.path    | native library path           | `<NA>`: Node has no such setting       |
 * | java.io.tmpdir       | temp directory                | `os.tmpdir()`                          |
 * | java.compiler        | JIT name, usually unset       | `<NA>`                                 |
 * | os.name/arch/version | as Java names them            | Java's names (x64 → amd64, Darwin → Mac OS X) |
 * | user.name/home/dir   | user, home, working directory | the same                               |
 * | os.memory.free/max/total | JVM heap, MB              | V8 heap, MB: total − used, limit, total |
 */
import { lookup, lookupService } from "node:dns/promises";
import { arch, homedir, hostname, release, tmpdir, type, userInfo } from "node:os";
import { dirname } from "node:path";
import { getHeapStatistics } from "node:v8";
import { VERSION } from "./CommandContext.js";

const NA = "<NA>";

/** InetAddress.getLocalHost().getCanonicalHostName(), or the address when it has no name. */
async function canonicalHostName(): Promise<string> {
  let address: string;
  try {
    address = (await lookup(hostname())).address;
  } catch {
    return NA; // Java: UnknownHostException from getLocalHost
  }
  try {
    return (await lookupService(address, 0)).hostname;
  } catch {
    return address;
  }
}

function javaOsName(): string {
  const t = type();
  if (t === "Darwin") return "Mac OS X";
  if (t === "Windows_NT") return "Windows";
  return t;
}

function javaOsArch(): string {
  const a = arch();
  return ({ x64: "amd64", arm64: "aarch64", ia32: "x86" } as Record<string, string>)[a] ?? a;
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return NA; // no passwd entry for this uid (some containers)
  }
}

// #region environment-list
export async function environmentList(): Promise<[string, string][]> {
  const mb = 1024 * 1024;
  const heap = process.memoryUsage();
  return [
    ["zookeeper.version", VERSION],
    ["host.name", await canonicalHostName()],
    ["java.version", process.versions.node],
    ["java.vendor", process.release.name],
    ["java.home", dirname(dirname(process.execPath))],
    ["java.class.path", process.env.NODE_PATH ?? NA],
    ["java.library.path", NA],
    ["java.io.tmpdir", tmpdir()],
    ["java.compiler", NA],
    ["os.name", javaOsName()],
    ["os.arch", javaOsArch()],
    ["os.version", release()],
    ["user.name", userName()],
    ["user.home", homedir()],
    ["user.dir", process.cwd()],
    ["os.memory.free", `${Math.floor((heap.heapTotal - heap.heapUsed) / mb)}MB`],
    ["os.memory.max", `${Math.floor(getHeapStatistics().heap_size_limit / mb)}MB`],
    ["os.memory.total", `${Math.floor(heap.heapTotal / mb)}MB`],
  ];
}
// #endregion environment-list
