/**
 * CliCommand — one zk-cli command: parse its arguments, then run it against the handle.
 *
 * Reimplements `org.apache.zookeeper.cli.CliCommand`. Chapter 09 (client), zk-cli; the handout shows only its use, `commandMapCli.get(cmd)`, `setZk`, `parse(args).exec()` [001 L10113–10121].
 *
 * Differs from Java: `exec` is async (every ZooKeeper call is a promise) and output goes
 * through a Printer, so tests can capture it without touching process.stdout.
 */
import type { ZooKeeper } from "../ZooKeeper.js";
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { IllegalArgumentException } from "../PathUtils.js";
import { CliException, CliParseException, CliWrapperException, MalformedPathException } from "./CliException.js";
import { parse, type CommandLine, type Options } from "./DefaultParser.js";

/** PrintStream's print/println, on a string sink. */
export class Printer {
  constructor(private readonly write: (s: string) => void) {}
  print(s: string): void {
    this.write(s);
  }
  println(s = ""): void {
    this.write(s + "\n");
  }
}

export abstract class CliCommand {
  protected zk!: ZooKeeper;
  protected out: Printer = new Printer((s) => process.stdout.write(s));
  protected err: Printer = new Printer((s) => process.stderr.write(s));

  constructor(
    readonly cmdStr: string,
    readonly optionStr: string,
  ) {}

  setZk(zk: ZooKeeper): void {
    this.zk = zk;
  }
  setOut(out: Printer): void {
    this.out = out;
  }
  setErr(err: Printer): void {
    this.err = err;
  }
  getUsageStr(): string {
    return `${this.cmdStr} ${this.optionStr}`;
  }

  /**
   * Runs ZooKeeper calls, turning a failure into what zkCli prints: a bad path becomes a
   * MalformedPathException with the path check's message, anything else is wrapped;
   * `onNoNode`, when given, handles NONODE instead.
   */
  protected async zkCall<T>(call: () => Promise<T>, onNoNode?: () => T): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof CliException) throw e;
      if (onNoNode && e instanceof KeeperException && e.code === Code.NONODE) return onNoNode();
      if (e instanceof IllegalArgumentException) throw new MalformedPathException(e.message);
      throw new CliWrapperException(e);
    }
  }

  /** Parses `args` (the command name first); throws CliParseException. */
  abstract parse(args: string[]): this;
  /** Runs the command; resolves to "a watch was set"; throws CliException. */
  abstract exec(): Promise<boolean>;
}

/**
 * The common case: parse with `options`, and require at least `minArgs` arguments
 * (the command name counts), else fail with the usage string.
 */
export function parseArgs(cmd: CliCommand, options: Options, args: string[], minArgs: number): CommandLine {
  const cl = parse(options, args);
  if (cl.getArgs().length < minArgs) throw new CliParseException(cmd.getUsageStr());
  return cl;
}

/**
 * The pre-3.5 form `cmd path watch` of ls, get and stat: a third argument becomes -w,
 * with zkCli's deprecation warning.
 */
export function retainCompatibility(cmd: CliCommand, options: Options, cmdArgs: string[], cl: CommandLine, err: Printer, usage: string): CommandLine {
  if (cl.getArgs().length <= 2) return cl;
  const args = [...cmdArgs];
  args[2] = "-w";
  err.println(`'${cmd.cmdStr} path [watch]' has been deprecated. Please use '${usage}' instead.`);
  return parse(options, args);
}

/** Java's Integer.parseInt, which zkCli does not guard: a bad number ends the shell. */
export function parseIntJava(s: string | undefined): number {
  if (s === undefined || !/^[+-]?\d+$/.test(s) || Math.abs(Number(s)) > 0x7fffffff + (s.startsWith("-") ? 1 : 0)) {
    throw new NumberFormatException(`For input string: "${s}"`);
  }
  return Number(s);
}

/** An unchecked Java exception that escapes zkCli's handlers (printed as an uncaught exception). */
export class NumberFormatException extends Error {
  override name = "java.lang.NumberFormatException";
}
