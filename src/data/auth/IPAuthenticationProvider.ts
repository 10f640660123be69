/**
 * IPAuthenticationProvider — the "ip" scheme: ACLs like `ip:10.0.0.0/8:r`.
 *
 * Reimplements `org.apache.zookeeper.server.auth.IPAuthenticationProvider`. Chapter 07.
 * Every connection carries the id `ip:<its address>` from the start; an ACL expression
 * is an IPv4 address with an optional prefix length. Like Java, IPv6 addresses never
 * match (Java's v6 parser is a TODO).
 */
import { Code } from "../../jute/KeeperException.js";
import type { AuthConnection, AuthenticationProvider } from "./AuthenticationProvider.js";

function v4Bytes(addr: string): number[] | null {
  const parts = addr.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[+-]?\d+$/.test(p)) return null;
    const v = Number.parseInt(p, 10);
    if (v < 0 || v > 255) return null;
    out.push(v);
  }
  return out;
}

function mask(b: number[], bits: number): void {
  let start = Math.floor(bits / 8);
  let startMask = ~((1 << (8 - (bits % 8))) - 1) & 0xff;
  while (start < b.length) {
    b[start] = b[start]! & startMask;
    startMask = 0;
    start++;
  }
}

function parseBits(s: string | undefined, max: number): number | null {
  if (s === undefined) return max;
  if (!/^[+-]?\d+$/.test(s)) return null;
  const bits = Number.parseInt(s, 10);
  return bits < 0 || bits > max ? null : bits;
}

export class IPAuthenticationProvider implements AuthenticationProvider {
  readonly scheme = "ip";

  handleAuthentication(cnxn: AuthConnection, _authData: Buffer): number {
    cnxn.addAuthInfo({ scheme: this.scheme, id: cnxn.remoteAddress });
    return Code.OK;
  }

  matches(id: string, aclExpr: string): boolean {
    const slash = aclExpr.indexOf("/");
    const addr = slash < 0 ? aclExpr : aclExpr.substring(0, slash);
    const acl = v4Bytes(addr);
    if (acl === null) return false;
    const bits = parseBits(slash < 0 ? undefined : aclExpr.substring(slash + 1), acl.length * 8);
    if (bits === null) return false;
    mask(acl, bits);
    const remote = v4Bytes(id);
    if (remote === null) return false;
    mask(remote, bits);
    return remote.every((b, i) => b === acl[i]);
  }

  isAuthenticated(): boolean {
    return false;
  }

  isValid(id: string): boolean {
    const slash = id.indexOf("/");
    const acl = v4Bytes(slash < 0 ? id : id.substring(0, slash));
    if (acl === null) return false;
    return parseBits(slash < 0 ? undefined : id.substring(slash + 1), acl.length * 8) !== null;
  }

  getUserName(id: string): string {
    return id;
  }
}
