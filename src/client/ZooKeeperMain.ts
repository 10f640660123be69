/**
 * ZooKeeperMain — zk-cli, the interactive shell and one-shot command runner, compatible
 * with zkCli.sh: same options, commands, prompt, output and exit codes.
 *
 * Reimplements `org.apache.zookeeper.ZooKeeperMain` (with MyCommandOptions and MyWatcher).
 * Chapter 09 (client); walked through in [001 L8712–8807] (main, connectToZK),
 * [001 L9849–9942] (run) and [001 L9946–10129] (executeLine, processCmd, processZKCmd).
 * Scenario T77.
 *
 * Differs from Java, and why:
 * - node:readline plays JLine's part: on a terminal there is a prompt, line editing,
 *   history and tab completion of commands and znode paths ("JLine support is enabled").
 *   When stdin is not a terminal it reads plain lines without a prompt, which is what
 *   zkCli does when JLine is missing, as in Debian's package ("JLine support is disabled").
 * - `run()` resolves to the exit code instead of calling System.exit; bin/zk-cli.js exits.
 * - An unchecked Java exception (e.g. `redo x`, `set -v x`) ends zkCli with a stack
 *   trace; here it ends the shell with its first line and exit code 1.
 * - No -client-configuration keys beyond those ZKClientConfig honours; no TLS (-secure).
 */
import { createInterface, type Interface } from "node:readline";
import { Code, KeeperException } from "../jute/KeeperException.js";
import { EventType, KeeperState } from "../jute/Watcher.js";
import { CliCommand, NumberFormatException, Printer } from "./cli/CliCommand.js";
import { CliException, CommandNotFoundException, MalformedCommandException } from "./cli/CliException.js";
import { createCommands } from "./cli/CommandFactory.js";
import { setLogLevel } from "../util/Logger.js";
import { isAlive } from "./States.js";
import type { WatchedEvent } from "./WatchedEvent.js";
import { ZKClientConfig } from "./ZKClientConfig.js";
import { IOException, ZooKeeper } from "./ZooKeeper.js";

/** Where the shell reads and writes; tests pass strings in and collect strings out. */
export interface MainIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  input: NodeJS.ReadableStream;
  /** Terminal output for the readline prompt (defaults to process.stdout when interactive). */
  terminal?: NodeJS.WritableStream;
  isTTY: boolean;
}

/** Tokens of a command line: words, or "double" / 'single' quoted strings without the quotes. */
const ARGS_PATTERN = /\s*([^"']\S*|"[^"]*"|'[^']*')\s*/g;
const QUOTED_PATTERN = /^(['"])(.*)(\1)$/s;

// #region MyCommandOptions
/** The parsed command line: -server/-timeout/... options, then a command and its arguments. */
export class MyCommandOptions {
  private readonly options = new Map<string, string>([
    ["server", "localhost:2181"],
    ["timeout", "30000"],
  ]);
  private cmdArgs: string[] = [];
  private command: string | null = null;

  getOption(opt: string): string | undefined {
    return this.options.get(opt);
  }
  getCommand(): string | null {
    return this.command;
  }
  getArgArray(): string[] {
    return [...this.cmdArgs];
  }

  /** zkCli's options; the first word not starting with "-" begins the command. False on a missing value. */
  parseOptions(args: readonly string[], err: Printer): boolean {
    const withValue: Record<string, string> = { "-server": "server", "-timeout": "timeout", "-client-configuration": "client-configuration" };
    for (let i = 0; i < args.length; i++) {
      const opt = args[i]!;
      if (opt in withValue) {
        if (i + 1 >= args.length) {
          err.println(`Error: no argument found for option ${opt}`);
          return false;
        }
        this.options.set(withValue[opt]!, args[++i]!);
      } else if (opt === "-r") {
        this.options.set("readonly", "true");
      } else if (opt === "-waitforconnection") {
        this.options.set("waitforconnection", "true");
      }
      if (!opt.startsWith("-")) {
        this.command = opt;
        this.cmdArgs = [opt, ...args.slice(i + 1)];
        return true;
      }
    }
    return true;
  }

  /** Splits an interactive line; false when it holds no token. */
  parseCommand(cmdstring: string): boolean {
    const args: string[] = [];
    for (const m of cmdstring.matchAll(ARGS_PATTERN)) {
      let value = m[1]!;
      if (QUOTED_PATTERN.test(value)) value = value.substring(1, value.length - 1);
      args.push(value);
    }
    if (args.length === 0) return false;
    this.command = args[0]!;
    this.cmdArgs = args;
    return true;
  }
}
// #endregion MyCommandOptions

/** Java's Integer.decode: decimal, 0x/# hex, leading-0 octal, optional sign. */
function integerDecode(s: string): number {
  const m = /^([+-]?)(0[xX]|#|0(?=\d))?([0-9a-fA-F]+)$/.exec(s);
  const radix = m?.[2] === undefined ? 10 : m[2] === "0" ? 8 : 16;
  const digits = m?.[3] ?? "";
  const valid = m !== null && new RegExp(`^[${"0123456789abcdef".slice(0, radix)}]+$`, "i").test(digits);
  if (!valid) throw new NumberFormatException(`For input string: "${s}"`);
  const n = parseInt(digits, radix) * (m![1] === "-" ? -1 : 1);
  if (n > 0x7fffffff || n < -0x80000000) throw new NumberFormatException(`For input string: "${s}"`);
  return n;
}

export class ZooKeeperMain {
  /** Usage text of every command, built-ins included (Java's static commandMap). */
  readonly commandMap = new Map<string, string>([
    ["connect", "host:port"],
    ["history", ""],
    ["redo", "cmdno"],
    ["printwatches", "on|off"],
    ["quit", ""],
  ]);
  private readonly commandMapCli = new Map<string, CliCommand>();
  readonly cl = new MyCommandOptions();
  readonly history = new Map<number, string>();
  commandCount = 0;
  printWatches = true;
  exitCode = 0;
  zk: ZooKeeper | null = null;
  host = "";
  private readonly out: Printer;
  private readonly err: Printer;
  private quitRequested = false;
  private optionsOk = true;

  constructor(
    args: readonly string[],
    private readonly io: MainIO,
  ) {
    this.out = new Printer(io.stdout);
    this.err = new Printer(io.stderr);
    for (const c of createCommands()) {
      c.setOut(this.out);
      c.setErr(this.err);
      this.commandMapCli.set(c.cmdStr, c);
      this.commandMap.set(c.cmdStr, c.optionStr);
    }
    this.optionsOk = this.cl.parseOptions(args, this.err);
  }

  /** The prompt zkCli shows: `[zk: host(STATE) N] `. */
  getPrompt(): string {
    return `[zk: ${this.host}(${this.zk?.getState() ?? "CLOSED"}) ${this.commandCount}] `;
  }

  private usage(): void {
    this.err.println("ZooKeeper -server host:port -client-configuration properties-file cmd args");
    for (const cmd of [...this.commandMap.keys()].sort()) this.err.println(`\t${cmd} ${this.commandMap.get(cmd)}`);
  }

  private printMessage(msg: string): void {
    this.out.println("\n" + msg);
  }

  /** Java's MyWatcher: print every event, and release -waitforconnection on SyncConnected. */
  private watcher(onConnected: (() => void) | null) {
    return (event: WatchedEvent) => {
      if (this.printWatches) {
        this.printMessage("WATCHER::");
        this.printMessage(event.toString());
      }
      if (onConnected && event.type === EventType.None && event.state === KeeperState.SyncConnected) onConnected();
    };
  }

  // #region connectToZK
  async connectToZK(newHost: string): Promise<void> {
    if (this.zk !== null && isAlive(this.zk.getState())) await this.zk.close();
    this.host = newHost;
    const readOnly = this.cl.getOption("readonly") !== undefined;
    const file = this.cl.getOption("client-configuration");
    const clientConfig = file !== undefined ? ZKClientConfig.load(file) : undefined;
    const timeout = Number.parseInt(this.cl.getOption("timeout")!, 10);
    let connected: (() => void) | null = null;
    const waitFor = this.cl.getOption("waitforconnection") !== undefined ? new Promise<void>((r) => (connected = r)) : null;
    this.zk = new ZooKeeper(this.host, timeout, this.watcher(() => connected?.()), { canBeReadOnly: readOnly, clientConfig });
    if (waitFor !== null) {
      let timer: NodeJS.Timeout | undefined;
      const ok = await Promise.race([waitFor.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeout)))]);
      clearTimeout(timer);
      if (!ok) {
        await this.zk.close();
        throw new IOException(`org.apache.zookeeper.KeeperException$ConnectionLossException: ${new KeeperException(Code.CONNECTIONLOSS).message}`);
      }
    }
  }
  // #endregion connectToZK

  // #region run
  /** Connects, then runs the command line's command or the interactive loop; resolves to the exit code. */
  async run(): Promise<number> {
    try {
      if (!this.optionsOk) return 1;
      this.out.println(`Connecting to ${this.cl.getOption("server")}`);
      await this.connectToZK(this.cl.getOption("server")!);
      if (this.cl.getCommand() === null) {
        this.out.println("Welcome to ZooKeeper!");
        this.out.println(this.io.isTTY ? "JLine support is enabled" : "JLine support is disabled");
        await this.readLoop();
      } else {
        await this.processCmd(this.cl);
      }
    } catch (e) {
      // What would escape Java's main(): print it like an uncaught exception and fail.
      const name = e instanceof NumberFormatException ? e.name : e instanceof IOException ? "java.io.IOException" : "java.lang.IllegalArgumentException";
      this.err.println(`Exception in thread "main" ${name}: ${(e as Error).message}`);
      this.exitCode = 1;
    }
    return this.exitCode;
  }

  private async readLoop(): Promise<void> {
    const rl: Interface = createInterface({
      input: this.io.input,
      output: this.io.isTTY ? (this.io.terminal ?? process.stdout) : undefined,
      terminal: this.io.isTTY,
      historySize: 1000,
      completer: this.io.isTTY ? (line: string, cb: (err: null, r: [string[], string]) => void) => void this.complete(line).then((r) => cb(null, r)) : undefined,
    });
    const prompt = () => {
      if (!this.io.isTTY) return;
      rl.setPrompt(this.getPrompt());
      rl.prompt();
    };
    prompt();
    try {
      for await (const line of rl) {
        await this.executeLine(line);
        if (this.quitRequested) break;
        prompt();
      }
    } finally {
      rl.close();
    }
  }
  // #endregion run

  /** Tab completion: command names first, then znode paths (Java's JLineZNodeCompleter). */
  private async complete(line: string): Promise<[string[], string]> {
    const token = line.substring(line.lastIndexOf(" ") + 1);
    if (!line.includes(" ")) return [[...this.commandMap.keys()].filter((c) => c.startsWith(token)).sort(), token];
    if (!token.startsWith("/") || this.zk === null) return [[], token];
    const slash = token.lastIndexOf("/");
    const dir = slash === 0 ? "/" : token.substring(0, slash);
    try {
      const children = await this.zk.getChildren(dir);
      const prefix = token.substring(slash + 1);
      return [children.filter((c) => c.startsWith(prefix)).sort().map((c) => (dir === "/" ? "/" : dir + "/") + c), token];
    } catch {
      return [[], token];
    }
  }

  // #region executeLine
  /** One interactive line: record it in the history under its number, run it, count it. */
  async executeLine(line: string): Promise<void> {
    if (line === "") return;
    this.cl.parseCommand(line);
    this.history.set(this.commandCount, line);
    await this.processCmd(this.cl);
    this.commandCount++;
  }
  // #endregion executeLine

  /** Runs a command, turning a CliException into its stderr message and exit code. */
  async processCmd(co: MyCommandOptions): Promise<boolean> {
    try {
      const watch = await this.processZKCmd(co);
      this.exitCode = 0;
      return watch;
    } catch (e) {
      if (!(e instanceof CliException)) throw e;
      this.exitCode = e.exitCode;
      this.err.println(e.message);
      return false;
    }
  }

  // #region processZKCmd
  async processZKCmd(co: MyCommandOptions): Promise<boolean> {
    const args = co.getArgArray();
    const cmd = co.getCommand() ?? "";
    if (args.length < 1) {
      this.usage();
      throw new MalformedCommandException("No command entered");
    }
    if (!this.commandMap.has(cmd)) {
      this.usage();
      throw new CommandNotFoundException(`Command not found ${cmd}`);
    }
    if (cmd === "quit") {
      await this.zk?.close();
      this.quitRequested = true;
      return false;
    } else if (cmd === "redo" && args.length >= 2) {
      const i = integerDecode(args[1]!);
      // The redo itself is already in the history under commandCount: never redo a redo.
      if (this.commandCount <= i || i < 0) throw new MalformedCommandException("Command index out of range");
      this.cl.parseCommand(this.history.get(i)!);
      if (this.cl.getCommand() === "redo") throw new MalformedCommandException("No redoing redos");
      this.history.set(this.commandCount, this.history.get(i)!);
      await this.processCmd(this.cl);
    } else if (cmd === "history") {
      for (let i = this.commandCount - 10; i <= this.commandCount; ++i) {
        if (i < 0) continue;
        this.out.println(`${i} - ${this.history.get(i)}`);
      }
    } else if (cmd === "printwatches") {
      if (args.length === 1) this.out.println(`printwatches is ${this.printWatches ? "on" : "off"}`);
      else this.printWatches = args[1] === "on";
    } else if (cmd === "connect") {
      await this.connectToZK(args.length >= 2 ? args[1]! : this.host);
    }
    // Built-ins fall through to here too, as in Java: a closed session says so after them.
    if (this.zk === null || !isAlive(this.zk.getState())) {
      this.out.println("Not connected");
      return false;
    }
    const cliCmd = this.commandMapCli.get(cmd);
    if (cliCmd === undefined) return false;
    cliCmd.setZk(this.zk);
    return cliCmd.parse(args).exec();
  }
  // #endregion processZKCmd
}

/** Entry point of bin/zk-cli.js: runs the shell on this process's stdio. */
export async function main(argv: readonly string[]): Promise<number> {
  // zkCli logs to a file, never to the terminal; ZK_LOG_LEVEL turns our log back on (stderr).
  if (!process.env.ZK_LOG_LEVEL) setLogLevel("OFF");
  const isTTY = Boolean(process.stdin.isTTY);
  const zkMain = new ZooKeeperMain(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    input: process.stdin,
    isTTY,
  });
  return zkMain.run();
}
