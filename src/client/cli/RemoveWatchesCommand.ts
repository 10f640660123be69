/**
 * removewatches path [-c|-d|-a] [-l] — removes the shell's watches of a type on a path;
 * with -l also when the server cannot be reached.
 *
 * Reimplements `org.apache.zookeeper.cli.RemoveWatchesCommand`. Chapter 09 (client), zk-cli: run by processZKCmd's dispatch [001 L10113–10121]; the command itself is not in the handout (U).
 */
import { WatcherType } from "../../jute/Watcher.js";
import { CliCommand, parseArgs } from "./CliCommand.js";
import type { CommandLine, Options } from "./DefaultParser.js";

const options: Options = {
  options: [
    { opt: "c", hasArg: false, description: "child watcher type" },
    { opt: "d", hasArg: false, description: "data watcher type" },
    { opt: "a", hasArg: false, description: "any watcher type" },
    { opt: "l", hasArg: false, description: "remove locally when there is no server connection" },
  ],
};

export class RemoveWatchesCommand extends CliCommand {
  private cl!: CommandLine;

  constructor() {
    super("removewatches", "path [-c|-d|-a] [-l]");
  }

  parse(cmdArgs: string[]): this {
    this.cl = parseArgs(this, options, cmdArgs, 2);
    return this;
  }

  async exec(): Promise<boolean> {
    const type = this.cl.hasOption("c") ? WatcherType.Children : this.cl.hasOption("d") ? WatcherType.Data : WatcherType.Any;
    await this.zkCall(async () => {
      await this.zk.removeAllWatches(this.cl.getArgs()[1]!, type, this.cl.hasOption("l"));
    });
    return true;
  }
}
