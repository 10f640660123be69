/**
 * delquota [-n|-b|-N|-B] path — removes one limit of a quota, or the whole quota.
 *
 * Reimplements `org.apache.zookeeper.cli.DelQuotaCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import type { ZooKeeper } from "../ZooKeeper.js";
import { CliCommand, parseArgs, type Printer } from "./CliCommand.js";
import type { CommandLine, Options } from "./DefaultParser.js";
import { Quotas, StatsTrack } from "../../jute/Quotas.js";

const options: Options = {
  options: [],
  groups: [
    {
      required: false,
      opts: [
        { opt: "n", hasArg: false, description: "num soft quota" },
        { opt: "b", hasArg: false, description: "bytes soft quota" },
        { opt: "N", hasArg: false, description: "num hard quota" },
        { opt: "B", hasArg: false, description: "bytes hard quota" },
      ],
    },
  ],
};

export class DelQuotaCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("delquota", "[-n|-b|-N|-B] path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 2);
    return this;
  }

  async exec(): Promise<boolean> {
    const path = this.cl.getArgs()[1]!;
    const which = ["n", "b", "N", "B"].filter((o) => this.cl.hasOption(o));
    await this.zkCall(
      () => delQuota(this.zk, path, which.length > 0 ? which : null, this.out),
      () => this.err.println(`quota for ${path} does not exist.`),
    );
    return false;
  }
}

/** `limits` null deletes the quota and prunes empty quota nodes; else resets those limits to -1. */
async function delQuota(zk: ZooKeeper, path: string, limits: string[] | null, out: Printer): Promise<void> {
  const parentPath = Quotas.quotaPath(path);
  const quotaPath = Quotas.limitPath(path);
  if ((await zk.exists(quotaPath)) === null) {
    out.println(`Quota does not exist for ${path}`);
    return;
  }
  const strack = new StatsTrack((await zk.getData(quotaPath)).data);
  if (limits === null) {
    for (const child of await zk.getChildren(parentPath)) await zk.delete(`${parentPath}/${child}`, -1);
    await trimProcQuotas(zk, parentPath);
    return;
  }
  if (limits.includes("n")) strack.setCount(-1n);
  if (limits.includes("b")) strack.setBytes(-1n);
  if (limits.includes("N")) strack.setCountHardLimit(-1n);
  if (limits.includes("B")) strack.setByteHardLimit(-1n);
  await zk.setData(quotaPath, strack.getStatsBytes(), -1);
}

/** Deletes empty quota nodes upwards, stopping at /zookeeper/quota. */
async function trimProcQuotas(zk: ZooKeeper, path: string): Promise<void> {
  for (let p = path; p !== Quotas.quotaZookeeper; p = p.substring(0, p.lastIndexOf("/"))) {
    if ((await zk.getChildren(p)).length > 0) return;
    await zk.delete(p, -1);
  }
}
