/**
 * node-zookeeper-client with promises, and a reader that walks a live server's tree
 * into the same shape `dumpTree` gives for a DataTree (Stat longs as bigints).
 */
import zookeeper from "node-zookeeper-client";
import type { ACL, Stat } from "../../../src/jute/data.js";
import type { NodeView } from "./tree.js";

export type Client = zookeeper.Client;

export function connectClient(connectString: string, sessionTimeout = 30000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = zookeeper.createClient(connectString, { sessionTimeout, retries: 0 });
    const t = setTimeout(() => {
      c.close();
      reject(new Error(`could not connect to ${connectString}`));
    }, 10000);
    c.once("connected", () => {
      clearTimeout(t);
      resolve(c);
    });
    c.connect();
  });
}

/** ACL lists the client library has at runtime but its type definitions lack. */
export const OPEN_ACL_UNSAFE = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id("world", "anyone"))];
export const CREATOR_ALL_ACL = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id("auth", ""))];

/** Calls a callback-style client method and resolves with its results. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function call(fn: (cb: (err: unknown, ...results: any[]) => void) => void): Promise<any[]> {
  return new Promise((resolve, reject) => fn((err, ...results) => (err ? reject(err) : resolve(results))));
}

const long = (b: Buffer): bigint => b.readBigInt64BE(0);

export function toStat(s: zookeeper.Stat): Stat {
  return {
    czxid: long(s.czxid),
    mzxid: long(s.mzxid),
    ctime: long(s.ctime),
    mtime: long(s.mtime),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: long(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
    pzxid: long(s.pzxid),
  };
}

/** The library's ACL objects carry `permission` (its typings say `perms`). */
function toAcl(a: zookeeper.ACL): ACL {
  const perms = (a as unknown as { permission: number }).permission;
  return { perms, id: { scheme: a.id.scheme, id: a.id.id } };
}

/** Every node of the server's tree, read with getChildren, getData and getACL. */
export async function readServerTree(c: Client): Promise<Map<string, NodeView>> {
  const out = new Map<string, NodeView>();
  const walk = async (path: string): Promise<void> => {
    const [data, stat] = await call((cb) => c.getData(path, cb));
    const [acls] = await call((cb) => c.getACL(path, cb));
    out.set(path, {
      data: Buffer.isBuffer(data) ? data.toString("hex") : null,
      stat: toStat(stat),
      acl: (acls as zookeeper.ACL[]).map(toAcl),
    });
    const [children] = await call((cb) => c.getChildren(path, cb));
    for (const child of (children as string[]).sort()) await walk(path === "/" ? `/${child}` : `${path}/${child}`);
  };
  await walk("/");
  return out;
}

/** Closes a client without waiting for a server that may be gone. */
export function closeClient(c: Client): void {
  try {
    c.close();
  } catch {
    // already closed
  }
}
