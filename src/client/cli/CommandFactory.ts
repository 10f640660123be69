/**
 * CommandFactory — every command zk-cli knows, by name.
 *
 * Reimplements `org.apache.zookeeper.cli.CommandFactory`. Chapter 09 (client), zk-cli; fills the `commandMapCli` that processZKCmd reads [001 L10113–10121].
 * As in Java, one instance per command serves every invocation (so, as in zkCli,
 * `addWatch -m` sticks for later addWatch calls without -m).
 */
import { AddAuthCommand } from "./AddAuthCommand.js";
import { AddWatchCommand } from "./AddWatchCommand.js";
import type { CliCommand } from "./CliCommand.js";
import { CloseCommand } from "./CloseCommand.js";
import { CreateCommand } from "./CreateCommand.js";
import { DelQuotaCommand } from "./DelQuotaCommand.js";
import { DeleteAllCommand } from "./DeleteAllCommand.js";
import { DeleteCommand } from "./DeleteCommand.js";
import { GetAclCommand } from "./GetAclCommand.js";
import { GetAllChildrenNumberCommand } from "./GetAllChildrenNumberCommand.js";
import { GetCommand } from "./GetCommand.js";
import { GetConfigCommand } from "./GetConfigCommand.js";
import { GetEphemeralsCommand } from "./GetEphemeralsCommand.js";
import { ListQuotaCommand } from "./ListQuotaCommand.js";
import { LsCommand } from "./LsCommand.js";
import { ReconfigCommand } from "./ReconfigCommand.js";
import { RemoveWatchesCommand } from "./RemoveWatchesCommand.js";
import { SetAclCommand } from "./SetAclCommand.js";
import { SetCommand } from "./SetCommand.js";
import { SetQuotaCommand } from "./SetQuotaCommand.js";
import { StatCommand } from "./StatCommand.js";
import { SyncCommand } from "./SyncCommand.js";
import { VersionCommand } from "./VersionCommand.js";
import { WhoAmICommand } from "./WhoAmICommand.js";

export function createCommands(): CliCommand[] {
  return [
    new CloseCommand(),
    new CreateCommand(),
    new DeleteCommand(),
    new DeleteAllCommand(),
    new SetCommand(),
    new GetCommand(),
    new LsCommand(),
    new GetAclCommand(),
    new SetAclCommand(),
    new StatCommand(),
    new SyncCommand(),
    new SetQuotaCommand(),
    new ListQuotaCommand(),
    new DelQuotaCommand(),
    new AddAuthCommand(),
    new ReconfigCommand(),
    new GetConfigCommand(),
    new RemoveWatchesCommand(),
    new GetEphemeralsCommand(),
    new GetAllChildrenNumberCommand(),
    new VersionCommand(),
    new AddWatchCommand(),
    new WhoAmICommand(),
  ];
}
