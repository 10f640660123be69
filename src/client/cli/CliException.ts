/**
 * The shell's errors, and the message and exit code each one prints.
 *
 * Reimplements `org.apache.zookeeper.cli.CliException` and its subclasses
 * (CliParseException, MalformedCommandException, MalformedPathException,
 * CommandNotFoundException, CliWrapperException). Chapter 09 (client), zk-cli; processCmd's catch [001 L9970–9994] prints these. The classes themselves are not in the handout (U).
 * ZooKeeperMain prints `message` to stderr and exits with `exitCode`, so the texts are
 * Java's, letter for letter: scripts written against zkCli match on them.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";

export class CliException extends Error {
  override name = "CliException";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Bad options or arguments. A commons-cli ParseException prints as "<class>: <message>". */
export class CliParseException extends CliException {
  override name = "CliParseException";
}

export class MalformedCommandException extends CliException {
  override name = "MalformedCommandException";
}

export class MalformedPathException extends CliException {
  override name = "MalformedPathException";
}

export class CommandNotFoundException extends CliException {
  override name = "CommandNotFoundException";
  constructor(command: string) {
    super(`Command not found: ${command}`, 127);
  }
}

const keeperMessages: Partial<Record<number, (path: string | undefined) => string>> = {
  [Code.NONODE]: (p) => `Node does not exist: ${p}`,
  [Code.NOCHILDRENFOREPHEMERALS]: (p) => `Ephemerals cannot have children: ${p}`,
  [Code.NODEEXISTS]: (p) => `Node already exists: ${p}`,
  [Code.NOTEMPTY]: (p) => `Node not empty: ${p}`,
  [Code.NOTREADONLY]: (p) => `Not a read-only call: ${p}`,
  [Code.INVALIDACL]: (p) => `Acl is not valid : ${p}`,
  [Code.NOAUTH]: (p) => `Insufficient permission : ${p}`,
  [Code.BADARGUMENTS]: (p) => `Arguments are not valid : ${p}`,
  [Code.BADVERSION]: (p) => `version No is not valid : ${p}`,
  [Code.RECONFIGINPROGRESS]: () => "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)",
  [Code.NEWCONFIGNOQUORUM]: () =>
    "No quorum of new config is connected and up-to-date with the leader of last commmitted config - try invoking reconfiguration after new servers are connected and synced",
  [Code.QUOTAEXCEEDED]: (p) => `Quota has exceeded : ${p}`,
};

/** Wraps a failure of a ZooKeeper call, with the friendlier text zkCli prints for common codes. */
export class CliWrapperException extends CliException {
  override name = "CliWrapperException";
  constructor(cause: unknown) {
    super(CliWrapperException.messageOf(cause));
    this.cause = cause;
  }

  private static messageOf(cause: unknown): string {
    if (cause instanceof KeeperException) {
      const f = keeperMessages[cause.code];
      // Java prints a missing path as "null".
      if (f) return f(cause.path ?? "null");
      return cause.message;
    }
    return cause instanceof Error ? cause.message : String(cause);
  }
}
