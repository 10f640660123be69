/**
 * sync path — waits until the connected server is as current as the leader.
 *
 * Reimplements `org.apache.zookeeper.cli.SyncCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 * Like zkCli it gives up after 30 s; a failure prints the code, not an exception.
 */
import { KeeperException } from "../../jute/KeeperException.js";
import { IllegalArgumentException } from "../PathUtils.js";
import { CliCommand, parseArgs } from "./CliCommand.js";
import { CliWrapperException, MalformedPathException } from "./CliException.js";
import type { CommandLine } from "./DefaultParser.js";

export const SYNC_TIMEOUT_MS = 30_000;

export class SyncCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("sync", "path");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, { options: [] }, cmdArgs, 2);
    return this;
  }

  async exec(): Promise<boolean> {
    const path = this.cl.getArgs()[1]!;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("java.util.concurrent.TimeoutException")), SYNC_TIMEOUT_MS);
    });
    try {
      const rc = await Promise.race([
        this.zk.sync(path).then(
          () => 0,
          (e: unknown) => {
            if (e instanceof KeeperException) return e.code;
            throw e;
          },
        ),
        timeout,
      ]);
      this.out.println(rc === 0 ? "Sync is OK" : `Sync has failed. rc=${rc}`);
    } catch (e) {
      if (e instanceof IllegalArgumentException) throw new MalformedPathException(e.message);
      throw new CliWrapperException(e);
    } finally {
      clearTimeout(timer);
    }
    return false;
  }
}
