/**
 * delete [-v version] path — deletes a znode without children.
 *
 * Reimplements `org.apache.zookeeper.cli.DeleteCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand, parseArgs, parseIntJava } from "./CliCommand.js";
import { parse, type CommandLine, type Options } from "./DefaultParser.js";

const options: Options = { options: [{ opt: "v", hasArg: true, description: "version" }] };

export class DeleteCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("delete", "[-v version] path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 2);
    if (this.cl.getArgs().length > 2) {
      // zkCli warns about "delete path version" but, unlike ls/get/stat, does not rewrite it.
      this.err.println("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.");
      this.cl = parse(options, cmdArgs);
    }
    return this;
  }

  async exec(): Promise<boolean> {
    const path = this.cl.getArgs()[1]!;
    const version = this.cl.hasOption("v") ? parseIntJava(this.cl.getOptionValue("v")) : -1;
    await this.zkCall(async () => {
      await this.zk.delete(path, version);
    });
    return false;
  }
}
