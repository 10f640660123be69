/**
 * reconfig — dynamic reconfiguration of the ensemble. Listed (its usage text is part of
 * zkCli's help) but not implemented by this client: running it says so.
 *
 * Stands in for `org.apache.zookeeper.cli.ReconfigCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand } from "./CliCommand.js";
import { CliException } from "./CliException.js";

export class ReconfigCommand extends CliCommand {
  constructor() {
    super(
      "reconfig",
      "[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]",
    );
  }

  parse(_cmdArgs: string[]): this {
    return this;
  }

  async exec(): Promise<boolean> {
    throw new CliException("reconfig is not supported by zk-cli (use zkCli.sh)");
  }
}
