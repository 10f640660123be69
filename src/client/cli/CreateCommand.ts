/**
 * create [-s] [-e] [-c] [-t ttl] path [data] [acl] — creates a znode in any mode.
 *
 * Reimplements `org.apache.zookeeper.cli.CreateCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 * "Created <path>" goes to stderr, as zkCli prints it.
 */
import { CreateMode } from "../../jute/CreateMode.js";
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { OPEN_ACL_UNSAFE } from "../../jute/ZooDefs.js";
import { validateTTL } from "../Op.js";
import { IllegalArgumentException } from "../PathUtils.js";
import { parseAcl } from "./AclParser.js";
import { CliCommand, parseArgs } from "./CliCommand.js";
import { CliWrapperException, MalformedCommandException, MalformedPathException } from "./CliException.js";
import type { CommandLine, Options } from "./DefaultParser.js";

const options: Options = {
  options: [
    { opt: "e", hasArg: false, description: "ephemeral" },
    { opt: "s", hasArg: false, description: "sequential" },
    { opt: "c", hasArg: false, description: "container" },
    { opt: "t", hasArg: true, description: "ttl" },
  ],
};

export class CreateCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("create", "[-s] [-e] [-c] [-t ttl] path [data] [acl]");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 2);
    return this;
  }

  /** The mode the flags ask for, refusing the combinations zkCli refuses. */
  private mode(): { mode: (typeof CreateMode)[keyof typeof CreateMode]; ttl: bigint } {
    const [e, s, c, t] = ["e", "s", "c", "t"].map((o) => this.cl.hasOption(o));
    if (c && (e || s)) throw new MalformedCommandException("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.");
    const raw = this.cl.getOptionValue("t");
    if (t && !/^[+-]?\d+$/.test(raw ?? "")) throw new MalformedCommandException("-t argument must be a long value");
    const ttl = t ? BigInt(raw!) : 0n;
    if (t && e) throw new MalformedCommandException("TTLs cannot be used with Ephemeral znodes");
    if (t && c) throw new MalformedCommandException("TTLs cannot be used with Container znodes");
    let mode;
    if (e && s) mode = CreateMode.EPHEMERAL_SEQUENTIAL;
    else if (e) mode = CreateMode.EPHEMERAL;
    else if (s) mode = t ? CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL : CreateMode.PERSISTENT_SEQUENTIAL;
    else if (c) mode = CreateMode.CONTAINER;
    else mode = t ? CreateMode.PERSISTENT_WITH_TTL : CreateMode.PERSISTENT;
    if (t) {
      try {
        validateTTL(mode, ttl);
      } catch (err) {
        throw new MalformedCommandException((err as Error).message);
      }
    }
    return { mode, ttl: t ? ttl : -1n };
  }

  async exec(): Promise<boolean> {
    const { mode, ttl } = this.mode();
    const args = this.cl.getArgs();
    const path = args[1]!;
    const data = args.length > 2 ? Buffer.from(args[2]!, "utf8") : null;
    const acl = args.length > 3 ? parseAcl(args[3]!, this.err) : OPEN_ACL_UNSAFE;
    try {
      const r = await this.zk.create(path, data, acl, mode, ttl);
      this.err.println(`Created ${r.path}`);
    } catch (e) {
      if (e instanceof IllegalArgumentException) throw new MalformedPathException(e.message);
      if (e instanceof KeeperException && e.code === Code.EPHEMERALONLOCALSESSION) this.err.println("Unable to create ephemeral node on a local session");
      if (e instanceof KeeperException && e.code === Code.INVALIDACL) this.err.println(e.message);
      throw new CliWrapperException(e);
    }
    return true;
  }
}
