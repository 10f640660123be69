/**
 * AuthenticationHelper — `zookeeper.enforce.auth.enabled` (3.8): a connection may send
 * nothing but auth packets until it holds an id of one of the configured schemes.
 *
 * Reimplements `org.apache.zookeeper.server.AuthenticationHelper` (3.8). Chapter 03.
 * No seed covers it (added knowledge, U).
 *
 * Every connection starts with an `ip` id (ServerCnxn), so listing `ip` among the
 * schemes lets everyone in; `digest` makes each client send `addauth digest user:pwd`
 * first. A request from a connection that is not authenticated yet gets the error
 * SESSIONCLOSEDREQUIRESASLAUTH (-124), and its connection is closed; the session stays
 * until it expires. `zookeeper.sessionRequireClientSASLAuth=true` means the same with
 * the scheme `sasl`, which this server has no provider for, so it refuses to start, as
 * Java does without a SASL provider configured.
 */
import type { Id } from "../jute/data.js";
import { getLogger } from "../util/Logger.js";

const LOG = getLogger("AuthenticationHelper");

/**
 * `zookeeper.authProvider.<n>` names a Java class for Java's ProviderRegistry to load. We
 * cannot load one, so each is reported once at start; a client using its scheme gets
 * AUTHFAILED, as it would from a Java server that failed to load the class.
 */
export function warnUnloadableAuthProviders(properties: ReadonlyMap<string, string>): void {
  for (const [key, className] of properties) {
    if (!key.startsWith("zookeeper.authProvider.")) continue;
    LOG.warn(`${key}=${className} names a Java authentication provider; this server has only ip and digest, so it is ignored`);
  }
}

/** The configuration is unusable: Java throws IllegalArgumentException ("Invalid arguments"). */
export class InvalidArgumentsError extends Error {
  override name = "InvalidArgumentsError";
}

export interface EnforceAuthConfig {
  /** `zookeeper.enforce.auth.enabled`. */
  enforceAuthEnabled: boolean;
  /** `zookeeper.enforce.auth.schemes`, split at commas. */
  enforceAuthSchemes: string[];
  /** `zookeeper.sessionRequireClientSASLAuth`: enforce, with the scheme sasl. */
  sessionRequireClientSASLAuth: boolean;
}

export class AuthenticationHelper {
  readonly enabled: boolean;
  readonly schemes: readonly string[];

  /** Validates the settings against the providers there are (`hasProvider(scheme)`). */
  constructor(cfg: EnforceAuthConfig, hasProvider: (scheme: string) => boolean) {
    this.enabled = cfg.sessionRequireClientSASLAuth || cfg.enforceAuthEnabled;
    this.schemes = cfg.sessionRequireClientSASLAuth ? ["sasl"] : cfg.enforceAuthSchemes;
    LOG.info(`zookeeper.enforce.auth.enabled = ${this.enabled}`);
    LOG.info(`zookeeper.enforce.auth.schemes = [${this.schemes.join(", ")}]`);
    if (!this.enabled) return;
    if (this.schemes.length === 0) {
      throw new InvalidArgumentsError("zookeeper.enforce.auth.enabled is true zookeeper.enforce.auth.schemes must be  configured.");
    }
    for (const scheme of this.schemes) {
      if (!hasProvider(scheme)) throw new InvalidArgumentsError(`Authentication scheme ${scheme} is not available.`);
    }
  }

  /** Whether a connection with these ids may send requests other than auth. */
  isAuthenticated(authInfo: readonly Id[]): boolean {
    return !this.enabled || authInfo.some((id) => this.schemes.includes(id.scheme));
  }

  /** Java's log line for a connection turned away. */
  logRefused(authInfo: readonly Id[]): void {
    LOG.error(
      `Client authentication scheme(s) [${authInfo.map((id) => id.scheme).join(", ")}] does not match with any of the expected authentication scheme [${this.schemes.join(", ")}], closing session.`,
    );
  }
}
