/**
 * ls [-s] [-w] [-R] path — children of a node (sorted), its Stat, or its whole subtree.
 *
 * Reimplements `org.apache.zookeeper.cli.LsCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 * The old form `ls path watch` still works, with a deprecation warning, as in zkCli.
 */
import type { Stat } from "../../jute/data.js";
import { visitSubTreeDFS } from "../ZKUtil.js";
import { CliCommand, retainCompatibility } from "./CliCommand.js";
import { MalformedCommandException } from "./CliException.js";
import { parse, type CommandLine, type Options } from "./DefaultParser.js";
import { StatPrinter } from "./StatPrinter.js";

const options: Options = {
  options: [
    { opt: "?", hasArg: false, description: "help" },
    { opt: "s", hasArg: false, description: "stat" },
    { opt: "w", hasArg: false, description: "watch" },
    { opt: "R", hasArg: false, description: "recurse" },
  ],
};

export class LsCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("ls", "[-s] [-w] [-R] path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parse(options, cmdArgs);
    if (this.cl.hasOption("?")) this.out.println("usage: ls [options] path\n -?   help\n -R   recurse\n -s   stat\n -w   watch");
    this.cl = retainCompatibility(this, options, cmdArgs, this.cl, this.err, "ls [-w] path");
    return this;
  }

  async exec(): Promise<boolean> {
    const args = this.cl.getArgs();
    if (args.length < 2) throw new MalformedCommandException(this.getUsageStr());
    const path = args[1]!;
    const watch = this.cl.hasOption("w");
    await this.zkCall(async () => {
      if (this.cl.hasOption("R")) {
        await visitSubTreeDFS(this.zk, path, watch, (p) => this.out.println(p));
      } else if (this.cl.hasOption("s")) {
        const { children, stat } = await this.zk.getChildren2(path, watch);
        this.printChildren(children, stat);
      } else {
        this.printChildren(await this.zk.getChildren(path, watch), null);
      }
    });
    return watch;
  }

  private printChildren(children: string[], stat: Stat | null): void {
    this.out.print(`[${[...children].sort().join(", ")}]\n`);
    if (stat !== null) new StatPrinter(this.out).print(stat);
  }
}
