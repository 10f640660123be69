/**
 * deleteall path [-b batch size] — deletes a znode and its whole subtree.
 *
 * Reimplements `org.apache.zookeeper.cli.DeleteAllCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { deleteRecursive } from "../ZKUtil.js";
import { CliCommand, parseArgs } from "./CliCommand.js";
import { MalformedCommandException } from "./CliException.js";
import type { CommandLine, Options } from "./DefaultParser.js";

const options: Options = { options: [{ opt: "b", hasArg: true, description: "batch size" }] };

export class DeleteAllCommand extends CliCommand {
  private cl!: CommandLine;

  constructor(cmdStr = "deleteall") {
    super(cmdStr, "path [-b batch size]");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 2);
    return this;
  }

  async exec(): Promise<boolean> {
    const b = this.cl.getOptionValue("b");
    if (this.cl.hasOption("b") && !/^[+-]?\d+$/.test(b ?? "")) throw new MalformedCommandException("-b argument must be an int value");
    const batchSize = this.cl.hasOption("b") ? Number(b) : 1000;
    await this.zkCall(async () => {
      if (!(await deleteRecursive(this.zk, this.cl.getArgs()[1]!, batchSize))) this.err.println("Failed to delete some node(s) in the subtree!");
    });
    return false;
  }
}
