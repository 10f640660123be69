/**
 * config [-c] [-w] [-s] — the ensemble's dynamic configuration (/zookeeper/config);
 * with -c only the version and the client addresses.
 *
 * Reimplements `org.apache.zookeeper.cli.GetConfigCommand` and
 * `server.util.ConfigUtils.getClientConfigStr`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { CliCommand, parseArgs } from "./CliCommand.js";
import { CliWrapperException } from "./CliException.js";
import type { CommandLine, Options } from "./DefaultParser.js";
import { StatPrinter } from "./StatPrinter.js";

const options: Options = {
  options: [
    { opt: "s", hasArg: false, description: "stats" },
    { opt: "w", hasArg: false, description: "watch" },
    { opt: "c", hasArg: false, description: "client connection string" },
  ],
};

/**
 * "version=100000000" and "server.N=host:p1:p2[:role];[clientHost:]clientPort" lines →
 * "100000000 clientHost:clientPort,…" (a bare client port listens on 0.0.0.0).
 */
export function getClientConfigStr(configData: string): string {
  let version = "";
  const clients: string[] = [];
  for (const raw of configData.split(/\r?\n/)) {
    const eq = raw.indexOf("=");
    if (eq < 0) continue;
    const key = raw.substring(0, eq).trim();
    const value = raw.substring(eq + 1).trim();
    if (key === "version") version = value;
    if (!key.startsWith("server.")) continue;
    const semi = value.indexOf(";");
    if (semi < 0) {
      clients.push("");
      continue;
    }
    const client = value.substring(semi + 1);
    const colon = client.lastIndexOf(":");
    clients.push(colon < 0 ? `0.0.0.0:${client}` : client);
  }
  return `${version} ${clients.join(",")}`;
}

export class GetConfigCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("config", "[-c] [-w] [-s]");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 1);
    return this;
  }

  async exec(): Promise<boolean> {
    const watch = this.cl.hasOption("w");
    let r;
    try {
      r = await this.zk.getConfig(watch);
    } catch (e) {
      throw new CliWrapperException(e);
    }
    const text = r.data === null ? "null" : r.data.toString("utf8");
    this.out.println(this.cl.hasOption("c") ? getClientConfigStr(text) : text);
    if (this.cl.hasOption("s")) new StatPrinter(this.out).print(r.stat);
    return watch;
  }
}
