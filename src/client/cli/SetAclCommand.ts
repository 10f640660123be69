/**
 * setAcl [-s] [-v version] [-R] path acl — replaces a znode's ACL, or a whole subtree's.
 *
 * Reimplements `org.apache.zookeeper.cli.SetAclCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { KeeperException } from "../../jute/KeeperException.js";
import { visitSubTreeDFS } from "../ZKUtil.js";
import { parseAcl } from "./AclParser.js";
import { CliCommand, parseArgs, parseIntJava } from "./CliCommand.js";
import type { CommandLine, Options } from "./DefaultParser.js";
import { StatPrinter } from "./StatPrinter.js";

const options: Options = {
  options: [
    { opt: "s", hasArg: false, description: "stats" },
    { opt: "v", hasArg: true, description: "version" },
    { opt: "R", hasArg: false, description: "recursive" },
  ],
};

export class SetAclCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("setAcl", "[-s] [-v version] [-R] path acl");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 3);
    return this;
  }

  async exec(): Promise<boolean> {
    const [, path, aclStr] = this.cl.getArgs() as [string, string, string];
    const acl = parseAcl(aclStr, this.err);
    const version = this.cl.hasOption("v") ? parseIntJava(this.cl.getOptionValue("v")) : -1;
    await this.zkCall(async () => {
      if (this.cl.hasOption("R")) {
        await visitSubTreeDFS(this.zk, path, false, async (p) => {
          try {
            await this.zk.setACL(p, acl, version);
          } catch (e) {
            // zkCli prints the message without a newline and goes on with the next node.
            if (e instanceof KeeperException) this.out.print(e.message);
            else throw e;
          }
        });
      } else {
        const stat = await this.zk.setACL(path, acl, version);
        if (this.cl.hasOption("s")) new StatPrinter(this.out).print(stat);
      }
    });
    return false;
  }
}
