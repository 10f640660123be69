/**
 * getEphemerals [path] — this session's ephemeral nodes, optionally under a prefix.
 *
 * Reimplements `org.apache.zookeeper.cli.GetEphemeralsCommand`. Chapter 09 (client), zk-cli.
 */
import { IllegalArgumentException } from "../PathUtils.js";
import { CliCommand, parseArgs } from "./CliCommand.js";
import { CliWrapperException, MalformedPathException } from "./CliException.js";
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
    let ephemerals: string[];
    try {
      ephemerals = args.length < 2 ? await this.zk.getEphemerals() : await this.zk.getEphemerals(args[1]!);
    } catch (e) {
      if (e instanceof IllegalArgumentException) throw new MalformedPathException(e.message);
      throw new CliWrapperException(e);
    }
    this.out.println(`[${ephemerals.join(", ")}]`);
    return false;
  }
}
