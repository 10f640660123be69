/**
 * get [-s] [-w] path — a znode's data (as UTF-8), optionally its Stat and a watch.
 *
 * Reimplements `org.apache.zookeeper.cli.GetCommand`. Chapter 09 (client), zk-cli.
 */
import { IllegalArgumentException } from "../PathUtils.js";
import { CliCommand, parseArgs } from "./CliCommand.js";
import { CliWrapperException, MalformedPathException } from "./CliException.js";
import { parse, type CommandLine, type Options } from "./DefaultParser.js";
import { StatPrinter } from "./StatPrinter.js";

const options: Options = {
  options: [
    { opt: "s", hasArg: false, description: "stats" },
    { opt: "w", hasArg: false, description: "watch" },
  ],
};

export class GetCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("get", "[-s] [-w] path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 2);
    if (this.cl.getArgs().length > 2) {
      const args = [...cmdArgs];
      args[2] = "-w";
      this.err.println("'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.");
      this.cl = parse(options, args);
    }
    return this;
  }

  async exec(): Promise<boolean> {
    const watch = this.cl.hasOption("w");
    const path = this.cl.getArgs()[1]!;
    let r;
    try {
      r = await this.zk.getData(path, watch);
    } catch (e) {
      if (e instanceof IllegalArgumentException) throw new MalformedPathException(e.message);
      throw new CliWrapperException(e);
    }
    this.out.println(r.data === null ? "null" : r.data.toString("utf8"));
    if (this.cl.hasOption("s")) new StatPrinter(this.out).print(r.stat);
    return watch;
  }
}
