/**
 * FourLetterCommands — the four-letter words: `echo ruok | nc host 2181` → `imok`.
 *
 * Reimplements `org.apache.zookeeper.server.command.FourLetterCommands` (the known words
 * and the whitelist) and `CommandExecutor` (which word runs what), with the one-line
 * commands of that package (`RuokCommand`, `IsroCommand`, `TraceMaskCommand`,
 * `SetTraceMaskCommand`, `StatResetCommand`, `CnxnStatResetCommand`, `DirsCommand`,
 * `ConfCommand`, `EnvCommand`, `DigestCommand`, `NopCommand`); the longer ones have
 * their own files. Chapter 03 (operations).
 *
 * A word is recognised only as the first four bytes of a connection, where a frame
 * length would otherwise be (ServerCnxn.ts); the server writes the answer and closes.
 * `stmk` is followed by eight more bytes, the new trace mask as a big-endian long.
 *
 * Differs from Java: the whitelist is per server, parsed from the configuration when the
 * factory starts (Java reads the system property once per JVM); `readonlymode.enabled`
 * does not add `isro` since there is no read-only server here.
 */
import { getLogger } from "../../util/Logger.js";
import type { ServerCnxn } from "../ServerCnxn.js";
import type { ZooKeeperServer } from "../ZooKeeperServer.js";
import { dumpConf, getDataDirSize, getLogDirSize, ZK_NOT_SERVING, type CnxnFactoryView, type CommandContext, type CommandEnvironment } from "./CommandContext.js";
import { dump } from "./DumpCommand.js";
import { environmentList } from "./Environment.js";
import { longToHexString } from "./JavaFormat.js";
import { mntr } from "./MonitorCommand.js";
import { stat } from "./StatCommand.js";
import { wchc, wchp, wchs } from "./WatchCommand.js";
import { getTextTraceLevel, setTextTraceLevel } from "./ZooTrace.js";

export { VERSION, ZK_NOT_SERVING, type CnxnFactoryView, type CommandEnvironment } from "./CommandContext.js";

const LOG = getLogger("FourLetterCommands");

/**
 * Every word Java knows, by its four bytes. "telnet close" is the bytes a telnet client
 * sends when it quits (IAC IP IAC DO): known, so that it is not read as a huge length.
 */
const cmd2String = new Map<string, string>([
  ["conf", "conf"],
  ["cons", "cons"],
  ["crst", "crst"],
  ["dirs", "dirs"],
  ["dump", "dump"],
  ["envi", "envi"],
  ["gtmk", "gtmk"],
  ["ruok", "ruok"],
  ["stmk", "stmk"],
  ["srst", "srst"],
  ["srvr", "srvr"],
  ["stat", "stat"],
  ["wchc", "wchc"],
  ["wchp", "wchp"],
  ["wchs", "wchs"],
  ["mntr", "mntr"],
  ["isro", "isro"],
  ["\xff\xf4\xff\xfd", "telnet close"],
  ["hash", "hash"],
]);

type CommandFn = (ctx: CommandContext, cnxn: ServerCnxn | null) => string | null | Promise<string | null>;

/** Runs `fn` only while the server serves, as most Java commands check first. */
const serving =
  (fn: (ctx: CommandContext) => string): CommandFn =>
  (ctx) =>
    ctx.zks.isRunning() ? fn(ctx) : ZK_NOT_SERVING + "\n";

// #region command-executor
/** CommandExecutor.getCommand: the word's output (`null`: close without answering). */
const COMMANDS: Record<string, CommandFn> = {
  ruok: () => "imok",
  gtmk: () => String(getTextTraceLevel()),
  stmk: setTraceMask,
  envi: async () => "Environment:\n" + (await environmentList()).map(([k, v]) => `${k}=${v}\n`).join(""),
  conf: serving(dumpConf),
  srst: serving((ctx) => {
    ctx.zks.serverStats.reset();
    return "Server stats reset.\n";
  }),
  crst: serving((ctx) => {
    ctx.factory.resetAllConnectionStats();
    return "Connection stats reset.\n";
  }),
  dirs: serving((ctx) => `datadir_size: ${getDataDirSize(ctx)}\nlogdir_size: ${getLogDirSize(ctx)}\n`),
  dump: dump,
  stat: (ctx) => stat(ctx, true),
  srvr: (ctx) => stat(ctx, false),
  cons: serving(
    (ctx) =>
      [...ctx.factory.getConnections()].map((c) => c.dumpConnectionInfo(false) + "\n").join("") + "\n",
  ),
  wchs: wchs,
  wchc: wchc,
  wchp: wchp,
  mntr: mntr,
  isro: (ctx) => (ctx.zks.isRunning() ? "rw" : "null"),
  hash: (ctx) => {
    if (!ctx.zks.isRunning()) return ZK_NOT_SERVING; // DigestCommand uses print, not println
    return ctx.zks.zkDb.dataTree.getDigestLog().map((d) => `${longToHexString(d.zxid)}: ${d.digest}\n`).join("");
  },
};
// #endregion command-executor

/** `stmk` + 8 bytes: the new mask, echoed back in decimal (NIOServerCnxn.checkFourLetterWord). */
async function setTraceMask(_ctx: CommandContext, cnxn: ServerCnxn | null): Promise<string | null> {
  const arg = cnxn === null ? null : await cnxn.readFourLetterWordArgument(8);
  if (arg === null) return null; // Java fails the read and closes the connection
  const mask = arg.readBigInt64BE(0);
  setTextTraceLevel(mask);
  return String(mask);
}

export class FourLetterCommands {
  private readonly enabled = new Set<string>();
  private readonly ctx: CommandContext;

  constructor(zks: ZooKeeperServer, factory: CnxnFactoryView, whitelist: string, env: CommandEnvironment = {}) {
    this.ctx = { zks, factory, env };
    this.parseWhitelist(whitelist);
  }

  // #region whitelist
  /**
   * `4lw.commands.whitelist`: comma-separated words, or `*` for all of them. `srvr` is
   * always on, because zkServer.sh's `status` depends on it (ZOOKEEPER-2693).
   */
  private parseWhitelist(whitelist: string): void {
    for (const w of whitelist.split(",")) {
      const cmd = w.trim();
      if (cmd === "*") {
        for (const name of cmd2String.values()) this.enabled.add(name);
        break;
      }
      if (cmd.length > 0) this.enabled.add(cmd);
    }
    this.enabled.add("srvr");
  }

  isEnabled(command: string): boolean {
    return this.enabled.has(command);
  }
  // #endregion whitelist

  /** Are these four bytes a command word (rather than the length of a frame)? */
  static isKnown(word: string): boolean {
    return cmd2String.has(word);
  }

  static getCommandString(word: string): string | undefined {
    return cmd2String.get(word);
  }

  /** The answer to send back, or null to close without one. */
  async run(word: string, cnxn: ServerCnxn | null = null): Promise<string | null> {
    const cmd = cmd2String.get(word);
    if (cmd === undefined) return null;
    if (!this.isEnabled(cmd)) {
      LOG.debug(`Command ${cmd} is not executed because it is not in the whitelist.`);
      return `${cmd} is not executed because it is not in the whitelist.\n`;
    }
    const fn = COMMANDS[cmd];
    // "telnet close" when whitelisted: Java finds no command for it and drops the connection.
    if (fn === undefined) return null;
    return fn(this.ctx, cnxn);
  }
}
