/**
 * set [-s] [-v version] path data — replaces a znode's data.
 *
 * Reimplements `org.apache.zookeeper.cli.SetCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand, parseArgs, parseIntJava } from "./CliCommand.js";
import type { CommandLine, Options } from "./DefaultParser.js";
import { StatPrinter } from "./StatPrinter.js";

const options: Options = {
  options: [
    { opt: "s", hasArg: false, description: "stats" },
    { opt: "v", hasArg: true, description: "version" },
  ],
};

export class SetCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("set", "[-s] [-v version] path data");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 3);
    return this;
  }

  async exec(): Promise<boolean> {
    const [, path, data] = this.cl.getArgs() as [string, string, string];
    const version = this.cl.hasOption("v") ? parseIntJava(this.cl.getOptionValue("v")) : -1;
    await this.zkCall(async () => {
      const stat = await this.zk.setData(path, Buffer.from(data, "utf8"), version);
      if (this.cl.hasOption("s")) new StatPrinter(this.out).print(stat);
    });
    return false;
  }
}
