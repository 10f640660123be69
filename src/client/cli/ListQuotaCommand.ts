/**
 * listquota path — a path's quota and its current usage.
 *
 * Reimplements `org.apache.zookeeper.cli.ListQuotaCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand, parseArgs } from "./CliCommand.js";
import type { CommandLine } from "./DefaultParser.js";
import { Quotas, StatsTrack } from "../../jute/Quotas.js";

export class ListQuotaCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("listquota", "path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, { options: [] }, cmdArgs, 2);
    return this;
  }

  async exec(): Promise<boolean> {
    const path = this.cl.getArgs()[1]!;
    this.err.println(`absolute path is ${Quotas.limitPath(path)}`);
    await this.zkCall(
      async () => {
        const limit = new StatsTrack((await this.zk.getData(Quotas.limitPath(path))).data);
        const stat = new StatsTrack((await this.zk.getData(Quotas.statPath(path))).data);
        this.out.println(`Output quota for ${path} ${limit}`);
        this.out.println(`Output stat for ${path} ${stat}`);
      },
      () => this.err.println(`quota for ${path} does not exist.`),
    );
    return false;
  }
}
