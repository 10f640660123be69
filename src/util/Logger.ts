/**
 * A small leveled logger: one line per event, named after the class that logs it,
 * as ZooKeeper's log4j layout names the logging class.
 *
 *     2026-11-23 04:10:00,123 [myid:1] - INFO  [FileTxnLog] - Creating new log file: log.100000001
 *
 * The level comes from `ZK_LOG_LEVEL` (ERROR, WARN, INFO, DEBUG, TRACE), INFO by
 * default; tests run at WARN unless they ask otherwise. Output goes to stderr so that
 * a command's stdout (zk-cli output, bench JSON lines) stays clean.
 */

export const LogLevel = { OFF: 0, ERROR: 1, WARN: 2, INFO: 3, DEBUG: 4, TRACE: 5 } as const;
export type LogLevelName = keyof typeof LogLevel;

function initialLevel(): number {
  const env = (process.env.ZK_LOG_LEVEL ?? "").toUpperCase();
  if (env in LogLevel) return LogLevel[env as LogLevelName];
  return process.env.VITEST ? LogLevel.WARN : LogLevel.INFO;
}

let level = initialLevel();
let myid = "";
/** Where lines go; tests may capture them. */
let sink: (line: string) => void = (line) => process.stderr.write(line + "\n");

export function setLogLevel(name: LogLevelName): void {
  level = LogLevel[name];
}

export function getLogLevel(): LogLevelName {
  return (Object.keys(LogLevel) as LogLevelName[]).find((k) => LogLevel[k] === level) ?? "INFO";
}

/** The `[myid:N]` tag every line carries, as ZooKeeper's MDC does in an ensemble. */
export function setLogServerId(id: string | number | bigint): void {
  myid = String(id);
}

/** Replaces the output; returns a function that restores the previous one. */
export function setLogSink(fn: (line: string) => void): () => void {
  const prev = sink;
  sink = fn;
  return () => {
    sink = prev;
  };
}

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

function format(arg: unknown): string {
  if (arg instanceof Error) return arg.stack ?? `${arg.name}: ${arg.message}`;
  if (typeof arg === "bigint") return `0x${arg.toString(16)}`;
  if (typeof arg === "string") return arg;
  return String(arg);
}

export class Logger {
  constructor(readonly name: string) {}

  private log(lvl: number, label: string, msg: string, args: unknown[]): void {
    if (lvl > level) return;
    const tail = args.length > 0 ? " " + args.map(format).join(" ") : "";
    sink(`${stamp(new Date())} [myid:${myid}] - ${label} [${this.name}] - ${msg}${tail}`);
  }

  isDebugEnabled(): boolean {
    return level >= LogLevel.DEBUG;
  }

  error(msg: string, ...args: unknown[]): void {
    this.log(LogLevel.ERROR, "ERROR", msg, args);
  }
  warn(msg: string, ...args: unknown[]): void {
    this.log(LogLevel.WARN, "WARN ", msg, args);
  }
  info(msg: string, ...args: unknown[]): void {
    this.log(LogLevel.INFO, "INFO ", msg, args);
  }
  debug(msg: string, ...args: unknown[]): void {
    this.log(LogLevel.DEBUG, "DEBUG", msg, args);
  }
  trace(msg: string, ...args: unknown[]): void {
    this.log(LogLevel.TRACE, "TRACE", msg, args);
  }
}

export function getLogger(name: string): Logger {
  return new Logger(name);
}

/** A zxid as ZooKeeper prints it: 0x100000005. */
export function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}
