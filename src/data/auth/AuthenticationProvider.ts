/**
 * AuthenticationProvider — an auth scheme: how a client proves an identity (the auth
 * packet) and how an identity matches an ACL entry of that scheme.
 *
 * Reimplements `org.apache.zookeeper.server.auth.AuthenticationProvider` and
 * `ProviderRegistry`. Chapter 07 (PrepRequestProcessor and FinalRequestProcessor check
 * ACLs through these).
 *
 * Differs from Java: providers are registered per server from its configuration
 * instead of from system properties, and custom providers (Java class names in
 * `zookeeper.authProvider.*`) are not loadable; "digest" and "ip" are built in, and
 * "super" is granted by the digest provider when a client authenticates with the
 * super digest.
 */
import type { Id } from "../../jute/data.js";

/** What a provider may learn about the connection being authenticated. */
export interface AuthConnection {
  /** The peer's address as Java's InetAddress.getHostAddress prints it. */
  readonly remoteAddress: string;
  addAuthInfo(id: Id): void;
}

export interface AuthenticationProvider {
  readonly scheme: string;
  /** Handles an auth packet; returns a KeeperException code (0 = OK). */
  handleAuthentication(cnxn: AuthConnection, authData: Buffer): number;
  /** Does an authenticated id match an ACL expression of this scheme? */
  matches(id: string, aclExpr: string): boolean;
  /** Whether ids of this scheme stand for an authenticated user (used to expand "auth" ACLs). */
  isAuthenticated(): boolean;
  /** Is this a well-formed id for an ACL of this scheme? */
  isValid(id: string): boolean;
  /** The user part of an id, for whoAmI. */
  getUserName(id: string): string;
}

export class ProviderRegistry {
  private readonly providers = new Map<string, AuthenticationProvider>();

  constructor(providers: AuthenticationProvider[]) {
    for (const p of providers) this.providers.set(p.scheme, p);
  }

  get(scheme: string): AuthenticationProvider | undefined {
    return this.providers.get(scheme);
  }

  list(): string {
    return [...this.providers.keys()].join(" ") + " ";
  }
}
