/**
 * close — ends the session; the shell stays, and says "Not connected" until `connect`.
 *
 * Reimplements `org.apache.zookeeper.cli.CloseCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand } from "./CliCommand.js";
import { CliWrapperException } from "./CliException.js";

export class CloseCommand extends CliCommand {
  constructor() {
    super("close", "");
  }

  parse(_cmdArgs: string[]): this {
    return this;
  }

  async exec(): Promise<boolean> {
    try {
      await this.zk.close();
    } catch (e) {
      throw new CliWrapperException(e);
    }
    return false;
  }
}
