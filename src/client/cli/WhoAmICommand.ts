/**
 * whoami — the identities the server has attached to this session.
 *
 * Reimplements `org.apache.zookeeper.cli.WhoAmICommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand } from "./CliCommand.js";
import { CliWrapperException } from "./CliException.js";

export class WhoAmICommand extends CliCommand {
  constructor() {
    super("whoami", "");
  }

  parse(_cmdArgs: string[]): this {
    return this;
  }

  async exec(): Promise<boolean> {
    try {
      const infos = await this.zk.whoAmI();
      this.out.println("Auth scheme: User");
      for (const i of infos) this.out.println(`${i.authScheme}: ${i.user}`);
    } catch (e) {
      throw new CliWrapperException(e);
    }
    return false;
  }
}
