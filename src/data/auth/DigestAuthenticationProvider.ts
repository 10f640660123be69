/**
 * DigestAuthenticationProvider — the "digest" scheme: user:password, stored as
 * user:base64(SHA-1("user:password")).
 *
 * Reimplements `org.apache.zookeeper.server.auth.DigestAuthenticationProvider`.
 * Chapter 07. A client sends `addauth digest alice:secret`; the server hashes it into
 * the id `alice:<hash>`, and an ACL `digest:alice:<hash>:rw` then matches by string
 * equality. When the hash equals the configured super digest
 * (`zookeeper.DigestAuthenticationProvider.superDigest`), the connection also gets the
 * id `super:`, which passes every ACL check.
 */
import { createHash } from "node:crypto";
import { Code } from "../../jute/KeeperException.js";
import type { AuthConnection, AuthenticationProvider } from "./AuthenticationProvider.js";

/** "alice:secret" → "alice:<base64 of SHA-1 of alice:secret>" */
export function generateDigest(idPassword: string): string {
  const user = idPassword.split(":", 1)[0]!;
  const hash = createHash("sha1").update(idPassword, "utf8").digest("base64");
  return `${user}:${hash}`;
}

export class DigestAuthenticationProvider implements AuthenticationProvider {
  readonly scheme = "digest";

  constructor(private readonly superDigest: string | null = null) {}

  handleAuthentication(cnxn: AuthConnection, authData: Buffer): number {
    const digest = generateDigest(authData.toString("utf8"));
    if (this.superDigest !== null && digest === this.superDigest) cnxn.addAuthInfo({ scheme: "super", id: "" });
    cnxn.addAuthInfo({ scheme: this.scheme, id: digest });
    return Code.OK;
  }

  matches(id: string, aclExpr: string): boolean {
    return id === aclExpr;
  }

  isAuthenticated(): boolean {
    return true;
  }

  isValid(id: string): boolean {
    // Java splits on ":" and wants exactly two parts (trailing empty parts dropped).
    return javaSplit(id, ":").length === 2;
  }

  getUserName(id: string): string {
    return id.split(":")[0]!;
  }
}

/** String.split(regex) as Java does it: trailing empty strings are removed. */
export function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 1 && parts[0] === "" && s.length === 0) return [""];
  return parts;
}
