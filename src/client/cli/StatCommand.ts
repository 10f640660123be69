/**
 * stat [-w] path — a znode's Stat, optionally leaving an exists watch.
 *
 * Reimplements `org.apache.zookeeper.cli.StatCommand`. Chapter 09 (client), zk-cli.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { IllegalArgumentException } from "../PathUtils.js";
import { CliCommand, parseArgs } from "./CliCommand.js";
import { CliWrapperException, MalformedPathException } from "./CliException.js";
import { parse, type CommandLine, type Options } from "./DefaultParser.js";
import { StatPrinter } from "./StatPrinter.js";

const options: Options = { options: [{ opt: "w", hasArg: false, description: "watch" }] };

export class StatCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("stat", "[-w] path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 2);
    if (this.cl.getArgs().length > 2) {
      const args = [...cmdArgs];
      args[2] = "-w";
      this.err.println("'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.");
      this.cl = parse(options, args);
    }
    return this;
  }

  async exec(): Promise<boolean> {
    const path = this.cl.getArgs()[1]!;
    const watch = this.cl.hasOption("w");
    let stat;
    try {
      stat = await this.zk.exists(path, watch);
    } catch (e) {
      if (e instanceof IllegalArgumentException) throw new MalformedPathException(e.message);
      throw new CliWrapperException(e);
    }
    if (stat === null) throw new CliWrapperException(new KeeperException(Code.NONODE, path));
    new StatPrinter(this.out).print(stat);
    return watch;
  }
}
