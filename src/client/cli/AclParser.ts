/**
 * AclParser — "scheme:id:perms[,…]" into ACL entries, and back.
 *
 * Reimplements `org.apache.zookeeper.cli.AclParser`, plus the jute `Id.toString()` and
 * `ZKUtil.getPermString` that `getAcl` prints with. Chapter 09 (client), zk-cli. Not in the handout (U).
 */
import type { ACL, Id } from "../../jute/data.js";
import { Perms } from "../../jute/ZooDefs.js";
import type { Printer } from "./CliCommand.js";

const PERM_LETTERS: Record<string, number> = { r: Perms.READ, w: Perms.WRITE, c: Perms.CREATE, d: Perms.DELETE, a: Perms.ADMIN };

/** Parses an ACL list; malformed entries and unknown letters are reported on `err` and skipped. */
export function parseAcl(aclString: string, err: Printer): ACL[] {
  const acl: ACL[] = [];
  for (const a of aclString.split(",")) {
    const first = a.indexOf(":");
    const last = a.lastIndexOf(":");
    if (first === -1 || first === last) {
      err.println(`${a} does not have the form scheme:id:perm`);
      continue;
    }
    acl.push({ id: { scheme: a.substring(0, first), id: a.substring(first + 1, last) }, perms: permFromString(a.substring(last + 1), err) });
  }
  return acl;
}

function permFromString(s: string, err: Printer): number {
  let perm = 0;
  for (const c of s) {
    const bit = PERM_LETTERS[c];
    if (bit === undefined) err.println(`Unknown perm type: ${c}`);
    else perm |= bit;
  }
  return perm;
}

/** The letters zkCli prints for a permission mask, in Java's order: c d r w a. */
export function getPermString(perms: number): string {
  let p = "";
  if (perms & Perms.CREATE) p += "c";
  if (perms & Perms.DELETE) p += "d";
  if (perms & Perms.READ) p += "r";
  if (perms & Perms.WRITE) p += "w";
  if (perms & Perms.ADMIN) p += "a";
  return p;
}

/** jute's CSV escaping of a string field (ToStringOutputArchive). */
function csvString(s: string): string {
  return "'" + s.replace(/[\0\n\r,}%]/g, (c) => ({ "\0": "%00", "\n": "%0A", "\r": "%0D", ",": "%2C", "}": "%7D", "%": "%25" })[c]!);
}

/** jute's Id.toString(): "'world,'anyone" and a newline, which is why getAcl prints two lines per entry. */
export function idToString(id: Id): string {
  return `${csvString(id.scheme)},${csvString(id.id)}\n`;
}
