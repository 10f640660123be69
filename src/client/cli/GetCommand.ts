/**
 * get [-s] [-w] path — a znode's data (as UTF-8), optionally its Stat and a watch.
 *
 * Reimplements `org.apache.zookeeper.cli.GetCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand, parseArgs, retainCompatibility } from "./CliCommand.js";
import type { CommandLine, Options } from "./DefaultParser.js";
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
    this.cl = retainCompatibility(this, options, cmdArgs, this.cl, this.err, "get [-s] [-w] path");
    return this;
  }

  async exec(): Promise<boolean> {
    const watch = this.cl.hasOption("w");
    const path = this.cl.getArgs()[1]!;
    const r = await this.zkCall(() => this.zk.getData(path, watch));
    this.out.println(r.data === null ? "null" : r.data.toString("utf8"));
    if (this.cl.hasOption("s")) new StatPrinter(this.out).print(r.stat);
    return watch;
  }
}
