/**
 * getEphemerals [path] — this session's ephemeral nodes, optionally under a prefix.
 *
 * Reimplements `org.apache.zookeeper.cli.GetEphemeralsCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand, parseArgs } from "./CliCommand.js";
import type { CommandLine } from "./DefaultParser.js";

export class GetEphemeralsCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("getEphemerals", "path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, { options: [] }, cmdArgs, 0);
    return this;
  }

  async exec(): Promise<boolean> {
    const args = this.cl.getArgs();
    const ephemerals = await this.zkCall(() => (args.length < 2 ? this.zk.getEphemerals() : this.zk.getEphemerals(args[1]!)));
    this.out.println(`[${ephemerals.join(", ")}]`);
    return false;
  }
}
