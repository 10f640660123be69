/**
 * FourLetterCommands — the four-letter words: `echo ruok | nc host 2181` → `imok`.
 *
 * Reimplements `org.apache.zookeeper.server.command.FourLetterCommands` and the command
 * classes beside it. Chapter 03 (operations). A word is recognised only as the very first
 * four bytes of a connection (where a length would otherwise be); the server writes the
 * answer and closes. Words not in `4lw.commands.whitelist` answer
 * "<word> is not executed because it is not in the whitelist." — `srvr` is always allowed
 * (zkServer.sh status uses it).
 */
import type { ServerCnxn } from "../ServerCnxn.js";
import type { ZooKeeperServer } from "../ZooKeeperServer.js";

export const ZK_NOT_SERVING = "This ZooKeeper instance is not currently serving requests";
export const VERSION = "3.8.0-annotated-ts, built on 2026-11-23 00:00 UTC";

/** What the commands need from the connection factory. */
export interface CnxnFactoryView {
  getConnections(): Iterable<ServerCnxn>;
  resetAllConnectionStats(): void;
  readonly numAliveConnections: number;
}

const KNOWN = ["conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk", "srst", "srvr", "stat", "wchc", "wchp", "wchs", "mntr", "isro", "hash"];

export type CommandFn = (ctx: { zks: ZooKeeperServer; factory: CnxnFactoryView }) => string | Promise<string>;

export class FourLetterCommands {
  private readonly enabled: Set<string>;
  /** Commands beyond the built-in basics, registered by the operations module. */
  static readonly extra = new Map<string, CommandFn>();

  constructor(
    private readonly zks: ZooKeeperServer,
    private readonly factory: CnxnFactoryView,
    whitelist: string,
  ) {
    this.enabled = new Set();
    for (const w of whitelist.split(",")) {
      const cmd = w.trim();
      if (cmd === "*") {
        for (const k of KNOWN) this.enabled.add(k);
        break;
      }
      if (cmd.length > 0) this.enabled.add(cmd);
    }
    this.enabled.add("srvr");
  }

  static isKnown(word: string): boolean {
    return KNOWN.includes(word);
  }

  isEnabled(word: string): boolean {
    return this.enabled.has(word);
  }

  async run(word: string): Promise<string> {
    if (!this.isEnabled(word)) return `${word} is not executed because it is not in the whitelist.\n`;
    const fn = FourLetterCommands.extra.get(word) ?? BASICS[word];
    if (fn === undefined) return `${word} is not executed because it is not implemented.\n`;
    return fn({ zks: this.zks, factory: this.factory });
  }
}

/** The basics every test needs; the rest live in the operations module. */
const BASICS: Record<string, CommandFn> = {
  ruok: () => "imok",
  isro: ({ zks }) => (zks.isRunning() ? "rw" : "null"),
  srvr: (ctx) => statText(ctx, false),
  stat: (ctx) => statText(ctx, true),
};

function statText({ zks, factory }: { zks: ZooKeeperServer; factory: CnxnFactoryView }, withClients: boolean): string {
  if (!zks.isRunning()) return ZK_NOT_SERVING + "\n";
  let out = `Zookeeper version: ${VERSION}\n`;
  if (withClients) {
    out += "Clients:\n";
    for (const c of factory.getConnections()) out += c.dumpConnectionInfo(true) + "\n";
    out += "\n";
  }
  const s = zks.serverStats;
  out += `Latency min/avg/max: ${s.minLatencyOrZero}/${javaDouble(s.avgLatency)}/${s.maxLatency}\n`;
  out += `Received: ${s.packetsReceived}\n`;
  out += `Sent: ${s.packetsSent}\n`;
  out += `Connections: ${factory.numAliveConnections}\n`;
  out += `Outstanding: ${zks.inProcessCount}\n`;
  out += `Zxid: 0x${zks.zkDb.lastProcessedZxid.toString(16)}\n`;
  out += "Mode: standalone\n";
  out += `Node count: ${zks.zkDb.dataTree.nodeCount}\n`;
  return out;
}

/** A double as Java's Double.toString prints it (for the common cases): 0.0, 1.5, 0.3333333333333333. */
export function javaDouble(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}
