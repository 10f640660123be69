/**
 * addWatch [-m mode] path — a persistent (recursive by default) watch, reported through
 * the shell's watcher.
 *
 * Reimplements `org.apache.zookeeper.cli.AddWatchCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { KeeperException } from "../../jute/KeeperException.js";
import { AddWatchMode } from "../ZooKeeper.js";
import { CliCommand, parseArgs } from "./CliCommand.js";
import { CliParseException, CliWrapperException } from "./CliException.js";
import type { CommandLine, Options } from "./DefaultParser.js";

const options: Options = { options: [{ opt: "m", hasArg: true, description: "" }] };
const MODES = ["PERSISTENT", "PERSISTENT_RECURSIVE"] as const;

export class AddWatchCommand extends CliCommand {
  private cl!: CommandLine;
  private mode: AddWatchMode = AddWatchMode.PERSISTENT_RECURSIVE;

  constructor() {
    super("addWatch", `[-m mode] path # optional mode is one of [${MODES.join(", ")}] - default is PERSISTENT_RECURSIVE`);
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 0);
    if (this.cl.getArgs().length !== 2) throw new CliParseException(this.getUsageStr());
    if (this.cl.hasOption("m")) {
      const name = (this.cl.getOptionValue("m") ?? "").toUpperCase();
      if (!(MODES as readonly string[]).includes(name)) throw new CliParseException(this.getUsageStr());
      this.mode = AddWatchMode[name as (typeof MODES)[number]];
    }
    return this;
  }

  async exec(): Promise<boolean> {
    try {
      await this.zk.addWatch(this.cl.getArgs()[1]!, this.mode);
    } catch (e) {
      // Only KeeperExceptions are handled; a bad path escapes and ends the shell, as in zkCli.
      if (e instanceof KeeperException) throw new CliWrapperException(e);
      throw e;
    }
    return false;
  }
}
