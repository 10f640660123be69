/**
 * setquota -n|-b|-N|-B val path — sets a soft (n, b) or hard (N, B) count/bytes quota.
 *
 * Reimplements `org.apache.zookeeper.cli.SetQuotaCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 * A quota is a znode /zookeeper/quota/<path>/zookeeper_limits; quotas may not nest, so
 * the command first looks for quotas above and below the path.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { IllegalArgumentException } from "../PathUtils.js";
import type { ZooKeeper } from "../ZooKeeper.js";
import { childrenOrNull, visitSubTreeDFS } from "../ZKUtil.js";
import { CliCommand, parseArgs, type Printer } from "./CliCommand.js";
import type { CommandLine, Options } from "./DefaultParser.js";
import { Quotas, StatsTrack } from "../../jute/Quotas.js";

const options: Options = {
  options: [],
  groups: [
    {
      required: true,
      opts: [
        { opt: "n", hasArg: true, description: "num soft quota" },
        { opt: "b", hasArg: true, description: "bytes soft quota" },
        { opt: "N", hasArg: true, description: "num hard quota" },
        { opt: "B", hasArg: true, description: "bytes hard quota" },
      ],
    },
  ],
};

/** Ignores NodeExists: another client (or an earlier run) made the node already. */
async function createIfMissing(zk: ZooKeeper, path: string): Promise<void> {
  if ((await zk.exists(path)) !== null) return;
  try {
    await zk.create(path, null);
  } catch (e) {
    if (!(e instanceof KeeperException && e.code === Code.NODEEXISTS)) throw e;
  }
}

export class SetQuotaCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("setquota", "-n|-b|-N|-B val path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 2);
    return this;
  }

  async exec(): Promise<boolean> {
    const path = this.cl.getArgs()[1]!;
    if (path.startsWith(Quotas.quotaZookeeper)) {
      this.err.println(`cannot set a quota under the path: ${Quotas.quotaZookeeper}`);
      return false;
    }
    const quota = new StatsTrack();
    quota.setCount(-1n);
    quota.setBytes(-1n);
    quota.setCountHardLimit(-1n);
    quota.setByteHardLimit(-1n);
    if (!this.checkOptionValue(quota)) return false;
    await this.zkCall(async () => {
      await createQuota(this.zk, path, quota, this.out);
    });
    return false;
  }

  private checkOptionValue(quota: StatsTrack): boolean {
    const num = (o: string) => this.cl.getOptionValue(o) ?? "";
    const bad = (o: string) => !/^[+-]?\d+$/.test(num(o));
    for (const o of ["n", "b", "N", "B"]) {
      if (this.cl.hasOption(o) && bad(o)) {
        this.err.println("NumberFormatException happens when parsing the option value");
        return false;
      }
    }
    const set: Array<[string, (v: bigint) => void, boolean]> = [
      ["n", (v) => quota.setCount(v), true],
      ["b", (v) => quota.setBytes(v), false],
      ["N", (v) => quota.setCountHardLimit(v), true],
      ["B", (v) => quota.setByteHardLimit(v), false],
    ];
    for (const [o, apply, isCount] of set) {
      if (!this.cl.hasOption(o)) continue;
      const v = BigInt(num(o));
      if (isCount ? v <= 0n : v < 0n) {
        this.err.println(isCount ? "the num quota must be greater than zero" : "the bytes quota must be greater than or equal to zero");
        return false;
      }
      apply(v);
    }
    return true;
  }
}

/** Creates or updates the limits node of `path`, after checking no quota nests with it. */
export async function createQuota(zk: ZooKeeper, path: string, quota: StatsTrack, out: Printer): Promise<boolean> {
  if ((await zk.exists(path)) === null) throw new IllegalArgumentException(`${path} does not exist.`);
  await checkIfChildQuota(zk, path);
  await checkIfParentQuota(zk, path);
  if ((await zk.exists(Quotas.quotaZookeeper)) === null) {
    try {
      await zk.create(Quotas.procZookeeper, null);
      await zk.create(Quotas.quotaZookeeper, null);
    } catch (e) {
      if (!(e instanceof KeeperException && e.code === Code.NODEEXISTS)) throw e;
    }
  }
  let quotaPath: string = Quotas.quotaZookeeper;
  for (const part of path.split("/").slice(1)) {
    quotaPath = `${quotaPath}/${part}`;
    await createIfMissing(zk, quotaPath);
  }
  const statPath = `${quotaPath}/${Quotas.statNode}`;
  const limitPath = `${quotaPath}/${Quotas.limitNode}`;
  if ((await zk.exists(limitPath)) === null) {
    await zk.create(limitPath, quota.getStatsBytes());
    const stats = new StatsTrack();
    stats.setCount(0n);
    stats.setBytes(0n);
    await zk.create(statPath, stats.getStatsBytes());
    checkQuota(new StatsTrack((await zk.getData(limitPath)).data), new StatsTrack((await zk.getData(statPath)).data), out);
  } else {
    const current = new StatsTrack((await zk.getData(limitPath)).data);
    if (quota.getCount() > -1n) current.setCount(quota.getCount());
    if (quota.getBytes() > -1n) current.setBytes(quota.getBytes());
    if (quota.getCountHardLimit() > -1n) current.setCountHardLimit(quota.getCountHardLimit());
    if (quota.getByteHardLimit() > -1n) current.setByteHardLimit(quota.getByteHardLimit());
    checkQuota(current, new StatsTrack((await zk.getData(statPath)).data), out);
    await zk.setData(limitPath, current.getStatsBytes(), -1);
  }
  return true;
}

function checkQuota(q: StatsTrack, s: StatsTrack, out: Printer): void {
  if ((q.getCount() > -1n && q.getCount() < s.getCount()) || (q.getCountHardLimit() > -1n && q.getCountHardLimit() < s.getCount())) {
    out.println(`[Warning]: the count quota you create is less than the existing count:${s.getCount()}`);
  }
  if ((q.getBytes() > -1n && q.getBytes() < s.getBytes()) || (q.getByteHardLimit() > -1n && q.getByteHardLimit() < s.getBytes())) {
    out.println(`[Warning]: the bytes quota you create is less than the existing bytes:${s.getBytes()}`);
  }
}

/** A quota somewhere below `path` forbids one on it. */
async function checkIfChildQuota(zk: ZooKeeper, path: string): Promise<void> {
  try {
    await visitSubTreeDFS(zk, Quotas.quotaPath(path), false, async (quotaPath) => {
      for (const child of (await childrenOrNull(zk, quotaPath)) ?? []) {
        if (quotaPath !== Quotas.quotaZookeeper + path && child === Quotas.limitNode) {
          throw new IllegalArgumentException(`${path} has a child ${Quotas.trimQuotaPath(quotaPath)} which has a quota`);
        }
      }
    });
  } catch (e) {
    if (!(e instanceof KeeperException && e.code === Code.NONODE)) throw e;
  }
}

/** A quota on an ancestor of `path` forbids one on it. */
async function checkIfParentQuota(zk: ZooKeeper, path: string): Promise<void> {
  const parts = path.split("/");
  let quotaPath: string = Quotas.quotaZookeeper;
  for (let i = 1; i < parts.length - 1; i++) {
    quotaPath = `${quotaPath}/${parts[i]}`;
    const children = await childrenOrNull(zk, quotaPath);
    if (children === null || children.length === 0) return;
    for (const child of children) {
      if (quotaPath !== Quotas.quotaPath(path) && child === Quotas.limitNode) {
        throw new IllegalArgumentException(`${path} has a parent ${Quotas.trimQuotaPath(quotaPath)} which has a quota`);
      }
    }
  }
}
