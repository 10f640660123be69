/**
 * addauth scheme auth — adds credentials to the session (e.g. `addauth digest user:pw`).
 *
 * Reimplements `org.apache.zookeeper.cli.AddAuthCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand, parseArgs } from "./CliCommand.js";
import type { CommandLine } from "./DefaultParser.js";

export class AddAuthCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("addauth", "scheme auth");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, { options: [] }, cmdArgs, 2);
    return this;
  }

  async exec(): Promise<boolean> {
    const args = this.cl.getArgs();
    this.zk.addAuthInfo(args[1]!, args.length >= 3 ? Buffer.from(args[2]!, "utf8") : null);
    return false;
  }
}
