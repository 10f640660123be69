/**
 * getAcl [-s] path — a znode's ACL, one entry per two lines (jute's Id.toString ends in a
 * newline), and optionally its Stat.
 *
 * Reimplements `org.apache.zookeeper.cli.GetAclCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { getPermString, idToString } from "./AclParser.js";
import { CliCommand, parseArgs } from "./CliCommand.js";
import type { CommandLine, Options } from "./DefaultParser.js";
import { StatPrinter } from "./StatPrinter.js";

const options: Options = { options: [{ opt: "s", hasArg: false, description: "stats" }] };

export class GetAclCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("getAcl", "[-s] path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 2);
    return this;
  }

  async exec(): Promise<boolean> {
    const r = await this.zkCall(() => this.zk.getACL(this.cl.getArgs()[1]!));
    for (const a of r.acl) this.out.println(`${idToString(a.id)}: ${getPermString(a.perms)}`);
    if (this.cl.hasOption("s")) new StatPrinter(this.out).print(r.stat);
    return false;
  }
}
