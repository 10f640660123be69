/**
 * ConnectStringParser — turns "h1:2181,h2:2182/app" into a host list and a chroot.
 *
 * Reimplements `org.apache.zookeeper.client.ConnectStringParser` (and the bracketed-IPv6
 * helper `NetUtils.getIPV6HostAndPort` it calls). Chapter 09 (client); walked through in
 * [001 L8898–8967]. Scenario T72.
 *
 * Differs from Java: addresses are plain `{ host, port }` values rather than unresolved
 * InetSocketAddresses; name resolution happens when node:net connects, as Java's
 * StaticHostProvider resolves lazily in `next()`.
 */
import { IllegalArgumentException, validatePath } from "./PathUtils.js";

/** Port used for a host written without one. */
export const DEFAULT_PORT = 2181;

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** "host:port", with IPv6 literals bracketed, as logs and the zk-cli prompt print it. */
export function formatAddress(a: ServerAddress): string {
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

export class ConnectStringParser {
  /** The chroot every path is prefixed with, or null for none (a bare "/" counts as none). */
  readonly chrootPath: string | null;
  readonly serverAddresses: ServerAddress[] = [];

  // #region parse
  constructor(connectString: string) {
    // Everything from the first "/" on is the chroot, so a chroot cannot contain ":" or ",".
    const off = connectString.indexOf("/");
    if (off >= 0) {
      const chroot = connectString.substring(off);
      if (chroot.length === 1) {
        this.chrootPath = null;
      } else {
        validatePath(chroot);
        this.chrootPath = chroot;
      }
      connectString = connectString.substring(0, off);
    } else {
      this.chrootPath = null;
    }
    // Java's StringUtils.split trims each piece and drops empty ones, so "a,,b" has two hosts.
    for (const piece of connectString.split(",")) {
      const entry = piece.trim();
      if (entry.length > 0) this.serverAddresses.push(parseHostPort(entry));
    }
  }
  // #endregion parse
}

/**
 * One host entry. The port follows the LAST colon (so "h:" keeps the default port, the
 * trailing colon being ignored); a "[v6]:port" literal is unbracketed first.
 */
function parseHostPort(entry: string): ServerAddress {
  const v6 = ipv6HostAndPort(entry);
  if (v6 !== null) return { host: v6.host, port: v6.port ?? DEFAULT_PORT };
  const colon = entry.lastIndexOf(":");
  if (colon < 0) return { host: entry, port: DEFAULT_PORT };
  const port = colon < entry.length - 1 ? parsePort(entry.substring(colon + 1)) : DEFAULT_PORT;
  return { host: entry.substring(0, colon), port };
}

function ipv6HostAndPort(entry: string): { host: string; port?: number } | null {
  if (!entry.startsWith("[")) return null;
  const close = entry.lastIndexOf("]");
  if (close < 0) throw new IllegalArgumentException(`${entry} starts with '[' but has no matching ']'`);
  const host = entry.substring(1, close);
  if (host.length === 0) throw new IllegalArgumentException(`${host} is empty.`);
  if (entry.length === close + 1) return { host };
  if (entry[close + 1] !== ":") throw new IllegalArgumentException(`${entry} does not have : after ]`);
  if (close + 2 === entry.length) throw new IllegalArgumentException(`${entry} doesn't have a port after colon.`);
  return { host, port: parsePort(entry.substring(close + 2)) };
}

/** Integer.parseInt: an optional sign and decimal digits only, within 32 bits. */
function parsePort(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new IllegalArgumentException(`For input string: "${s}"`);
  const n = Number(s);
  if (n > 0x7fffffff || n < -0x80000000) throw new IllegalArgumentException(`For input string: "${s}"`);
  return n;
}
