/**
 * version — which client this is.
 *
 * Reimplements `org.apache.zookeeper.cli.VersionCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 * Prints the protocol version it speaks and that it is this TypeScript client, where zkCli
 * prints its build's version string.
 */
import { CliCommand, parseArgs } from "./CliCommand.js";
import { CliParseException } from "./CliException.js";

export const CLIENT_VERSION = "3.8.0 (annotated-zookeeper TypeScript client)";

export class VersionCommand extends CliCommand {
  constructor() {
    super("version", "");
  }

  parse(cmdArgs: string[]): this {
    if (parseArgs(this, { options: [] }, cmdArgs, 0).getArgs().length > 1) throw new CliParseException(this.getUsageStr());
    return this;
  }

  async exec(): Promise<boolean> {
    this.out.println(`ZooKeeper CLI version: ${CLIENT_VERSION}`);
    return false;
  }
}
