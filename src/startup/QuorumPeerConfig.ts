/**
 * QuorumPeerConfig — zoo.cfg: parsing, defaults, validation.
 *
 * Reimplements `org.apache.zookeeper.server.quorum.QuorumPeerConfig` (3.8) with the
 * `java.util.Properties` file syntax and `QuorumPeer.QuorumServer`'s `server.N` lines.
 * Chapter 03; the documents walk through `parse`/`parseProperties` [002 L145–364] and
 * `setupMyId` [001 L1392–1434] (T23, T24).
 *
 * Keys and defaults are ZooKeeper's. As in Java, a key this parser does not know becomes
 * the system property `zookeeper.<key>` (T23), which is how `4lw.commands.whitelist`,
 * `admin.serverPort`, `snapCount`, `forceSync`, `preAllocSize`, `extendedTypesEnabled`...
 * reach the code that reads them; here those "system properties" are a map on the config,
 * read with typed getters.
 *
 * Differs from Java: every error names the file, the line and the key
 * (`zoo.cfg:7: tickTime: "2s" is not an integer`), where Java throws a bare
 * NumberFormatException; and a property Java would silently ignore when malformed (a
 * non-numeric `snapCount`) is an error here too.
 */
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { getLogger } from "../util/Logger.js";

const LOG = getLogger("QuorumPeerConfig");

export class ConfigException extends Error {
  override name = "ConfigException";
}

/** One `key=value` of a properties file, with the line it starts on. */
export interface PropertyEntry {
  key: string;
  value: string;
  line: number;
}

// #region properties-syntax
/**
 * java.util.Properties.load, keeping line numbers: `key=value`, `key: value` or
 * `key value`; `#` and `!` comments; a trailing backslash continues the line; the
 * escapes \t \n \r \f \uXXXX and \<any char>. A later duplicate key wins.
 */
export function parsePropertiesText(text: string): PropertyEntry[] {
  const out = new Map<string, PropertyEntry>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = lines[i]!.replace(/^[ \t\f]+/, "");
    if (logical.length === 0 || logical[0] === "#" || logical[0] === "!") continue;
    // A line ending in an odd number of backslashes continues on the next one.
    while (/(^|[^\\])(\\\\)*\\$/.test(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, "");
    }
    let k = 0;
    let key = "";
    while (k < logical.length) {
      const c = logical[k]!;
      if (c === "\\") {
        key += unescapeAt(logical, k);
        k += escapeLength(logical, k);
        continue;
      }
      if (c === "=" || c === ":" || c === " " || c === "\t" || c === "\f") break;
      key += c;
      k++;
    }
    // Skip whitespace, then at most one separator, then whitespace.
    while (k < logical.length && /[ \t\f]/.test(logical[k]!)) k++;
    if (k < logical.length && (logical[k] === "=" || logical[k] === ":")) k++;
    while (k < logical.length && /[ \t\f]/.test(logical[k]!)) k++;
    let value = "";
    while (k < logical.length) {
      if (logical[k] === "\\") {
        value += unescapeAt(logical, k);
        k += escapeLength(logical, k);
      } else value += logical[k++];
    }
    out.delete(key);
    out.set(key, { key, value, line: startLine });
  }
  return [...out.values()];
}

function escapeLength(s: string, at: number): number {
  return s[at + 1] === "u" ? 6 : 2;
}

function unescapeAt(s: string, at: number): string {
  const c = s[at + 1];
  switch (c) {
    case "t":
      return "\t";
    case "n":
      return "\n";
    case "r":
      return "\r";
    case "f":
      return "\f";
    case "u": {
      const hexDigits = s.substring(at + 2, at + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hexDigits)) throw new ConfigException(`Malformed \\uxxxx encoding: \\u${hexDigits}`);
      return String.fromCharCode(Number.parseInt(hexDigits, 16));
    }
    case undefined:
      return "";
    default:
      return c;
  }
}
// #endregion properties-syntax

export type LearnerType = "participant" | "observer";

/** One `server.N=host:quorumPort:electionPort[:type][;[clientHost:]clientPort]` line. */
export interface QuorumServer {
  id: bigint;
  hostname: string;
  quorumPort: number;
  electionPort: number;
  type: LearnerType;
  clientHost: string | null;
  clientPort: number | null;
}

export interface ZooCfg {
  /** Absolute path of the file read, for messages. */
  configFile: string;
  dataDir: string;
  dataLogDir: string;
  clientPort: number;
  clientPortAddress: string | null;
  secureClientPort: number;
  tickTime: number;
  maxClientCnxns: number;
  minSessionTimeout: number;
  maxSessionTimeout: number;
  clientPortListenBacklog: number;
  initLimit: number;
  syncLimit: number;
  electionAlg: number;
  peerType: LearnerType;
  syncEnabled: boolean;
  snapRetainCount: number;
  purgeInterval: number;
  standaloneEnabled: boolean;
  reconfigEnabled: boolean;
  localSessionsEnabled: boolean;
  quorumListenOnAllIPs: boolean;
  metricsProviderClassName: string;
  metricsProviderConfiguration: Map<string, string>;
  servers: Map<bigint, QuorumServer>;
  /** From dataDir/myid; -1 when there is no myid file. */
  serverId: bigint;
  /** Keys this parser does not know, as system properties: `zookeeper.<key>` → value. */
  properties: Map<string, string>;
  /** Where each key was set: key → line, for later error messages. */
  lines: Map<string, number>;
}

export const MIN_SNAP_RETAIN_COUNT = 3;
export const UNSET_SERVERID = -1n;
export const DEFAULT_METRICS_PROVIDER = "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider";
export const PROMETHEUS_METRICS_PROVIDER = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";

/** Reads and validates a zoo.cfg (QuorumPeerConfig.parse). */
export function parseConfigFile(path: string): ZooCfg {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigException(`Error processing ${path}: ${(e as Error).message}`);
  }
  return parseConfig(text, file);
}

// #region parseProperties
export function parseConfig(text: string, configFile = "zoo.cfg"): ZooCfg {
  const entries = parsePropertiesText(text);
  // #region line-numbered-errors
  const where = (e: PropertyEntry) => `${configFile}:${e.line}: ${e.key}`;
  const int = (e: PropertyEntry): number => {
    const v = e.value.trim();
    if (!/^[+-]?\d+$/.test(v)) throw new ConfigException(`${where(e)}: "${v}" is not an integer`);
    const n = Number.parseInt(v, 10);
    if (n > 2147483647 || n < -2147483648) throw new ConfigException(`${where(e)}: "${v}" is out of range for an int`);
    return n;
  };
  const bool = (e: PropertyEntry): boolean => {
    const v = e.value.trim();
    if (v.toLowerCase() === "true") return true;
    if (v.toLowerCase() === "false") return false;
    throw new ConfigException(`${where(e)}: Invalid boolean value "${v}", expected true or false`);
  };
  // #endregion line-numbered-errors
  const cfg: ZooCfg = {
    configFile,
    dataDir: "",
    dataLogDir: "",
    clientPort: 0,
    clientPortAddress: null,
    secureClientPort: 0,
    tickTime: 3000,
    maxClientCnxns: 60,
    minSessionTimeout: -1,
    maxSessionTimeout: -1,
    clientPortListenBacklog: -1,
    initLimit: 0,
    syncLimit: 0,
    electionAlg: 3,
    peerType: "participant",
    syncEnabled: true,
    snapRetainCount: 3,
    purgeInterval: 0,
    standaloneEnabled: true,
    reconfigEnabled: false,
    localSessionsEnabled: false,
    quorumListenOnAllIPs: false,
    metricsProviderClassName: DEFAULT_METRICS_PROVIDER,
    metricsProviderConfiguration: new Map(),
    servers: new Map(),
    serverId: UNSET_SERVERID,
    properties: new Map(),
    lines: new Map(),
  };
  let tickTimeSet = false;
  let dataDirSet = false;
  let dataLogDirSet = false;
  const hasDynamicFile = entries.some((e) => e.key.trim() === "dynamicConfigFile");
  for (const e of entries) {
    const key = e.key.trim();
    const value = e.value.trim();
    cfg.lines.set(key, e.line);
    switch (key) {
      case "dataDir":
        cfg.dataDir = resolvePath(value, configFile);
        dataDirSet = value.length > 0;
        break;
      case "dataLogDir":
        cfg.dataLogDir = resolvePath(value, configFile);
        dataLogDirSet = value.length > 0;
        break;
      case "clientPort":
        cfg.clientPort = int(e);
        break;
      case "clientPortAddress":
        cfg.clientPortAddress = value;
        break;
      case "secureClientPort":
        cfg.secureClientPort = int(e);
        break;
      case "clientPortListenBacklog":
        cfg.clientPortListenBacklog = int(e);
        break;
      case "tickTime":
        cfg.tickTime = int(e);
        tickTimeSet = true;
        break;
      case "maxClientCnxns":
        cfg.maxClientCnxns = int(e);
        break;
      case "minSessionTimeout":
        cfg.minSessionTimeout = int(e);
        break;
      case "maxSessionTimeout":
        cfg.maxSessionTimeout = int(e);
        break;
      case "initLimit":
        cfg.initLimit = int(e);
        break;
      case "syncLimit":
        cfg.syncLimit = int(e);
        break;
      case "electionAlg":
        cfg.electionAlg = int(e);
        if (cfg.electionAlg !== 3) throw new ConfigException(`${where(e)}: Invalid electionAlg value. Only 3 is supported.`);
        break;
      case "peerType":
        if (value.toLowerCase() === "observer") cfg.peerType = "observer";
        else if (value.toLowerCase() === "participant") cfg.peerType = "participant";
        else throw new ConfigException(`${where(e)}: Unrecognised peertype: ${value}`);
        break;
      case "syncEnabled":
        cfg.syncEnabled = bool(e);
        break;
      case "autopurge.snapRetainCount":
        cfg.snapRetainCount = int(e);
        break;
      case "autopurge.purgeInterval":
        cfg.purgeInterval = int(e);
        break;
      case "standaloneEnabled":
        cfg.standaloneEnabled = bool(e);
        break;
      case "reconfigEnabled":
        cfg.reconfigEnabled = bool(e);
        break;
      case "localSessionsEnabled":
        cfg.localSessionsEnabled = bool(e);
        break;
      case "quorumListenOnAllIPs":
        cfg.quorumListenOnAllIPs = bool(e);
        break;
      case "metricsProvider.className":
        cfg.metricsProviderClassName = value;
        break;
      default:
        if (key.startsWith("metricsProvider.")) {
          cfg.metricsProviderConfiguration.set(key.substring("metricsProvider.".length), value);
        } else if (key.startsWith("server.")) {
          if (hasDynamicFile) throw new ConfigException(`${where(e)}: parameter: ${key} must be in a separate dynamic config file`);
          const server = parseServerLine(key, value, where(e));
          cfg.servers.set(server.id, server);
        } else if (key.startsWith("group") || key.startsWith("weight")) {
          throw new ConfigException(`${where(e)}: hierarchical quorums (group/weight) are not supported`);
        } else {
          cfg.properties.set(`zookeeper.${key}`, value);
        }
    }
  }

  // #region cross-checks
  if (cfg.snapRetainCount < MIN_SNAP_RETAIN_COUNT) {
    LOG.warn(`Invalid autopurge.snapRetainCount: ${cfg.snapRetainCount}. Defaulting to ${MIN_SNAP_RETAIN_COUNT}`);
    cfg.snapRetainCount = MIN_SNAP_RETAIN_COUNT;
  }
  if (!dataDirSet) throw new ConfigException(`${configFile}: dataDir is not set`);
  if (!dataLogDirSet) cfg.dataLogDir = cfg.dataDir;
  if (cfg.clientPort === 0) {
    LOG.info("clientPort is not set");
    if (cfg.clientPortAddress !== null) throw new ConfigException(`${configFile}:${cfg.lines.get("clientPortAddress")}: clientPortAddress is set but clientPort is not set`);
  }
  if (!tickTimeSet || cfg.tickTime === 0) throw new ConfigException(`${configFile}: tickTime is not set`);
  if (cfg.minSessionTimeout === -1) cfg.minSessionTimeout = cfg.tickTime * 2;
  if (cfg.maxSessionTimeout === -1) cfg.maxSessionTimeout = cfg.tickTime * 20;
  if (cfg.minSessionTimeout > cfg.maxSessionTimeout) {
    throw new ConfigException(`${configFile}:${cfg.lines.get("minSessionTimeout") ?? cfg.lines.get("maxSessionTimeout")}: minSessionTimeout must not be larger than maxSessionTimeout`);
  }
  if (cfg.metricsProviderClassName !== DEFAULT_METRICS_PROVIDER && cfg.metricsProviderClassName !== PROMETHEUS_METRICS_PROVIDER) {
    throw new ConfigException(`${configFile}:${cfg.lines.get("metricsProvider.className")}: metricsProvider.className: metrics provider class was not found: ${cfg.metricsProviderClassName}`);
  }
  // #endregion cross-checks
  setupQuorumPeerConfig(cfg);
  return cfg;
}
// #endregion parseProperties

function resolvePath(value: string, configFile: string): string {
  if (value.length === 0) return value;
  if (!isAbsolute(value)) LOG.warn(`${value} is relative. Prepend ./ to indicate that you're sure!`);
  void configFile;
  return resolve(value);
}

/** `server.N=host:port:port[:type][;[clientHost:]clientPort]` */
export function parseServerLine(key: string, value: string, where: string): QuorumServer {
  const idText = key.substring("server.".length);
  if (!/^\d+$/.test(idText)) throw new ConfigException(`${where}: "${idText}" is not a valid server id`);
  const id = BigInt(idText);
  const wrongFormat = `${where}: ${value} does not have the form server_config or server_config;client_config where server_config is the pipe separated list of host:port:port or host:port:port:type and client_config is port or host:port`;
  const [serverPart, clientPart, ...rest] = value.split(";");
  if (rest.length > 0 || serverPart === undefined) throw new ConfigException(wrongFormat);
  if (serverPart.includes("|")) throw new ConfigException(`${where}: Multiple address feature is disabled, but multiple addresses were specified for sid ${id}`);
  const parts = hostAndPort(serverPart);
  if (parts.length < 3 || parts.length > 4) throw new ConfigException(wrongFormat);
  const port = (p: string) => {
    if (!/^\d+$/.test(p)) throw new ConfigException(`${where}: Address unresolved: ${parts[0]}:${p}`);
    return Number.parseInt(p, 10);
  };
  // #region server-ports
  // server.N=host:quorumPort:electionPort — the first port is for followers talking to the
  // leader (sync and broadcast), the second for leader election (G2).
  const quorumPort = port(parts[1]!);
  const electionPort = port(parts[2]!);
  if (quorumPort === electionPort) {
    throw new ConfigException(`${where}: Client and election port must be different! Please update the configuration file on server.${id}`);
  }
  // #endregion server-ports
  let type: LearnerType = "participant";
  if (parts.length === 4) {
    const t = parts[3]!.toLowerCase();
    if (t === "observer") type = "observer";
    else if (t !== "participant") throw new ConfigException(`${where}: Unrecognised peertype: ${parts[3]}`);
  }
  let clientHost: string | null = null;
  let clientPort: number | null = null;
  if (clientPart !== undefined) {
    const cp = hostAndPort(clientPart);
    if (cp.length > 2) throw new ConfigException(wrongFormat);
    clientHost = cp.length === 2 ? cp[0]! : "0.0.0.0";
    clientPort = port(cp[cp.length - 1]!);
  }
  return { id, hostname: parts[0]!, quorumPort, electionPort, type, clientHost, clientPort };
}

/** Splits host:port:..., keeping a bracketed IPv6 host together (ConfigUtils.getHostAndPort). */
function hostAndPort(s: string): string[] {
  if (s.startsWith("[")) {
    const end = s.indexOf("]");
    if (end < 0) throw new ConfigException(`${s} starts with '[' but has no matching ']'`);
    const host = s.substring(1, end);
    const rest = s.substring(end + 1);
    if (rest.length === 0) return [host];
    if (!rest.startsWith(":")) throw new ConfigException(`${s} does not have : after ]`);
    return [host, ...rest.substring(1).split(":")];
  }
  return s.split(":");
}

// #region setupQuorumPeerConfig
/** setupQuorumPeerConfig: myid, the client port from the server line, validity. */
function setupQuorumPeerConfig(cfg: ZooCfg): void {
  const voting = [...cfg.servers.values()].filter((s) => s.type === "participant").length;
  const observers = cfg.servers.size - voting;
  if (voting === 0) {
    if (!cfg.standaloneEnabled) throw new ConfigException(`${cfg.configFile}: standaloneEnabled = false then number of participants should be >0`);
    if (observers > 0) throw new ConfigException(`${cfg.configFile}: Observers w/o participants is an invalid configuration`);
  } else if (voting === 1 && cfg.standaloneEnabled) {
    LOG.error("Invalid configuration, only one server specified (ignoring)");
    if (observers > 0) throw new ConfigException(`${cfg.configFile}: Observers w/o quorum is an invalid configuration`);
  } else if (voting <= 2) {
    LOG.warn("No server failure will be tolerated. You need at least 3 servers.");
  } else if (voting % 2 === 0) {
    LOG.warn("Non-optimal configuration, consider an odd number of servers.");
  }
  cfg.serverId = readMyId(cfg.dataDir);
  if (cfg.serverId !== UNSET_SERVERID) {
    const qs = cfg.servers.get(cfg.serverId);
    if (qs !== undefined && qs.clientPort !== null) {
      cfg.clientPort = qs.clientPort;
      cfg.clientPortAddress = qs.clientHost;
    }
    if (qs !== undefined) cfg.peerType = qs.type;
  }
  if (isDistributed(cfg)) {
    if (cfg.initLimit === 0) throw new ConfigException(`${cfg.configFile}: initLimit is not set`);
    if (cfg.syncLimit === 0) throw new ConfigException(`${cfg.configFile}: syncLimit is not set`);
    if (cfg.serverId === UNSET_SERVERID) throw new ConfigException(`${cfg.configFile}: myid file is missing`);
  }
}
// #endregion setupQuorumPeerConfig

// #region myid
/** dataDir/myid: the server id, or -1 when the file is absent (standalone needs none). */
export function readMyId(dataDir: string): bigint {
  const file = resolve(dataDir, "myid");
  try {
    if (!statSync(file).isFile()) return UNSET_SERVERID;
  } catch {
    return UNSET_SERVERID;
  }
  const first = readFileSync(file, "utf8").split(/\r?\n/)[0] ?? "";
  if (!/^[+-]?\d+$/.test(first)) throw new ConfigException(`serverid ${first} is not a number`);
  return BigInt(first);
}
// #endregion myid

// #region isDistributed
/** QuorumPeerConfig.isDistributed: more than one voter, or standalone mode switched off. */
export function isDistributed(cfg: ZooCfg): boolean {
  const voting = [...cfg.servers.values()].filter((s) => s.type === "participant").length;
  return cfg.servers.size > 0 && (!cfg.standaloneEnabled || voting > 1);
}
// #endregion isDistributed

/** Typed access to the `zookeeper.*` properties, with errors naming the zoo.cfg line. */
export class ConfigProperties {
  constructor(private readonly cfg: ZooCfg) {}

  private where(name: string): string {
    const key = name.replace(/^zookeeper\./, "");
    const line = this.cfg.lines.get(key);
    return line === undefined ? name : `${this.cfg.configFile}:${line}: ${key}`;
  }

  string(name: string, dflt: string): string;
  string(name: string, dflt: null): string | null;
  string(name: string, dflt: string | null): string | null {
    return this.cfg.properties.get(name) ?? dflt;
  }

  int(name: string, dflt: number): number {
    const v = this.cfg.properties.get(name);
    if (v === undefined) return dflt;
    if (!/^[+-]?\d+$/.test(v.trim())) throw new ConfigException(`${this.where(name)}: "${v}" is not an integer`);
    return Number.parseInt(v.trim(), 10);
  }

  bool(name: string, dflt: boolean): boolean {
    const v = this.cfg.properties.get(name);
    if (v === undefined) return dflt;
    // Java's Boolean.parseBoolean: "true" (any case) is true, anything else false.
    return v.trim().toLowerCase() === "true";
  }
}
