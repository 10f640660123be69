/**
 * getAllChildrenNumber path — how many nodes the subtree below a path holds.
 *
 * Reimplements `org.apache.zookeeper.cli.GetAllChildrenNumberCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand, parseArgs } from "./CliCommand.js";
import { MalformedCommandException } from "./CliException.js";
import type { CommandLine } from "./DefaultParser.js";

export class GetAllChildrenNumberCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("getAllChildrenNumber", "path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, { options: [] }, cmdArgs, 0);
    return this;
  }

  async exec(): Promise<boolean> {
    const args = this.cl.getArgs();
    if (args.length < 2) throw new MalformedCommandException(this.getUsageStr());
    await this.zkCall(async () => {
      this.out.println(String(await this.zk.getAllChildrenNumber(args[1]!)));
    });
    return false;
  }
}
