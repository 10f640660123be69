/**
 * KeeperException — ZooKeeper's result codes and the error that carries one.
 *
 * Reimplements `org.apache.zookeeper.KeeperException` and its `Code` enum. Chapter 09.
 * The numbers travel in ReplyHeader.err and in multi results; the messages are the
 * ones Java prints (`KeeperErrorCode = NoNode for /a`), so tools that match on them
 * keep working.
 *
 * Differs from Java: one class with a `code` instead of thirty subclasses. Callers
 * switch on `err.code` (a number) or compare with `Code.NONODE`.
 */

// #region codes
export const Code = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;
export type Code = (typeof Code)[keyof typeof Code];
// #endregion codes

const messages: Record<number, string> = {
  [Code.OK]: "ok",
  [Code.SYSTEMERROR]: "SystemError",
  [Code.RUNTIMEINCONSISTENCY]: "RuntimeInconsistency",
  [Code.DATAINCONSISTENCY]: "DataInconsistency",
  [Code.CONNECTIONLOSS]: "ConnectionLoss",
  [Code.MARSHALLINGERROR]: "MarshallingError",
  [Code.NEWCONFIGNOQUORUM]: "NewConfigNoQuorum",
  [Code.RECONFIGINPROGRESS]: "ReconfigInProgress",
  [Code.UNIMPLEMENTED]: "Unimplemented",
  [Code.OPERATIONTIMEOUT]: "OperationTimeout",
  [Code.BADARGUMENTS]: "BadArguments",
  [Code.APIERROR]: "APIError",
  [Code.NONODE]: "NoNode",
  [Code.NOAUTH]: "NoAuth",
  [Code.BADVERSION]: "BadVersion",
  [Code.NOCHILDRENFOREPHEMERALS]: "NoChildrenForEphemerals",
  [Code.NODEEXISTS]: "NodeExists",
  [Code.INVALIDACL]: "InvalidACL",
  [Code.AUTHFAILED]: "AuthFailed",
  [Code.NOTEMPTY]: "Directory not empty",
  [Code.SESSIONEXPIRED]: "Session expired",
  [Code.INVALIDCALLBACK]: "Invalid callback",
  [Code.SESSIONMOVED]: "Session moved",
  [Code.NOTREADONLY]: "Not a read-only call",
  [Code.EPHEMERALONLOCALSESSION]: "Ephemeral node on local session",
  [Code.NOWATCHER]: "No such watcher",
  [Code.RECONFIGDISABLED]: "Reconfig is disabled",
  [Code.SESSIONCLOSEDREQUIRESASLAUTH]: "Session closed because client failed to authenticate",
  [Code.QUOTAEXCEEDED]: "Quota has exceeded",
  [Code.THROTTLEDOP]: "Op throttled due to high load",
};

/**
 * The text Java's `KeeperException.getCodeMessage` gives for a code. Java has no case
 * for UNKNOWNSESSION and REQUESTTIMEOUT either, so they print as "Unknown error -12".
 */
export function codeMessage(code: number): string {
  return messages[code] ?? `Unknown error ${code}`;
}

const names = new Map<number, string>(Object.entries(Code).map(([k, v]) => [v, k]));

/** The enum name of a code (`NONODE`), as `Code.toString()` prints it in Java. */
export function codeName(code: number): string {
  return names.get(code) ?? `UNKNOWN(${code})`;
}

export class KeeperException extends Error {
  override name = "KeeperException";
  constructor(
    readonly code: number,
    readonly path?: string,
    /** For a failed multi: every operation's result, as the server returned them. */
    readonly results?: unknown[],
  ) {
    super(path === undefined ? `KeeperErrorCode = ${codeMessage(code)}` : `KeeperErrorCode = ${codeMessage(code)} for ${path}`);
  }

  /** The enum name, e.g. "NONODE". */
  get codeName(): string {
    return codeName(this.code);
  }
}
