/**
 * ZKClientConfig — the client's settings, by the property names Java uses.
 *
 * Reimplements `org.apache.zookeeper.client.ZKClientConfig` (the parts this client
 * honours). Chapter 09 (client); the constructor's `clientConfig` default [001 L8811–8892] and the socket property [001 L9054–9108].
 *
 * Differs from Java: Java falls back to JVM system properties (`-Dzookeeper.…`); a Node
 * process has none, so only what is set on the object counts. `load()` reads a Java
 * properties file (zk-cli's `-client-configuration`). SASL and TLS keys are accepted
 * but have no effect: this client speaks plain TCP only.
 */
import { readFileSync } from "node:fs";

export class ZKClientConfig {
  /** Which ClientCnxnSocket implementation to use, by class name (T78). */
  static readonly ZOOKEEPER_CLIENT_CNXN_SOCKET = "zookeeper.clientCnxnSocket";
  /** Milliseconds a request may wait for its reply; 0 (the default) waits forever. */
  static readonly ZOOKEEPER_REQUEST_TIMEOUT = "zookeeper.request.timeout";
  /** "true": do not re-register one-shot watches after a reconnect. */
  static readonly DISABLE_AUTO_WATCH_RESET = "zookeeper.disableAutoWatchReset";
  /** The largest frame accepted from the server. */
  static readonly JUTE_MAXBUFFER = "jute.maxbuffer";
  static readonly CLIENT_MAX_PACKET_LENGTH_DEFAULT = 0xfffff;

  private readonly props = new Map<string, string>();

  constructor(props: Record<string, string | number | boolean> = {}) {
    for (const [k, v] of Object.entries(props)) this.props.set(k, String(v));
  }

  /** Parses `key=value` / `key: value` lines, skipping blanks and # or ! comments. */
  static load(file: string): ZKClientConfig {
    const cfg = new ZKClientConfig();
    for (const raw of readFileSync(file, "utf8").split(/\r?\n/)) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
      const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
      if (m) cfg.setProperty(m[1]!, m[2]!);
    }
    return cfg;
  }

  getProperty(key: string, dflt?: string): string | undefined {
    return this.props.get(key) ?? dflt;
  }

  setProperty(key: string, value: string): void {
    this.props.set(key, value);
  }

  getBoolean(key: string, dflt = false): boolean {
    const v = this.props.get(key);
    return v === undefined ? dflt : v.trim().toLowerCase() === "true";
  }

  /** A numeric property; throws naming the key when it is not a number (as Java's parse does). */
  getNumber(key: string, dflt: number): number {
    const v = this.props.get(key);
    if (v === undefined) return dflt;
    const n = Number(v.trim());
    if (!Number.isInteger(n)) throw new Error(`Configured value ${v} for property ${key} can not be parsed to a number`);
    return n;
  }
}
