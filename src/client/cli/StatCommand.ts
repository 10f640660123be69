/**
 * stat [-w] path — a znode's Stat, optionally leaving an exists watch.
 *
 * Reimplements `org.apache.zookeeper.cli.StatCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { CliCommand, parseArgs, retainCompatibility } from "./CliCommand.js";
import { CliWrapperException } from "./CliException.js";
import type { CommandLine, Options } from "./DefaultParser.js";
import { StatPrinter } from "./StatPrinter.js";

const options: Options = { options: [{ opt: "w", hasArg: false, description: "watch" }] };

export class StatCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("stat", "[-w] path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 2);
    this.cl = retainCompatibility(this, options, cmdArgs, this.cl, this.err, "stat [-w] path");
    return this;
  }

  async exec(): Promise<boolean> {
    const path = this.cl.getArgs()[1]!;
    const watch = this.cl.hasOption("w");
    const stat = await this.zkCall(() => this.zk.exists(path, watch));
    if (stat === null) throw new CliWrapperException(new KeeperException(Code.NONODE, path));
    new StatPrinter(this.out).print(stat);
    return watch;
  }
}
