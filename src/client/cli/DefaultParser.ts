/**
 * DefaultParser — command-line options the way Apache commons-cli parses them for zkCli.
 *
 * Reimplements the part of `org.apache.commons.cli.DefaultParser` (commons-cli 1.4/1.5)
 * that zkCli's commands use: short options with and without a value, options mixed with
 * arguments in any order, bundled flags ("-sw"), "-v5" as well as "-v 5", "--" ending the
 * options, negative numbers as arguments, and one-of-a-group options. Chapter 09 (client). Not in the handout, which only shows `cl.parseOptions(args)` [001 L8769–8777] (U).
 *
 * The exceptions print as zkCli prints them: the Java class name, a colon, the message.
 */
import { CliParseException } from "./CliException.js";

export interface OptionSpec {
  /** One letter, without the dash. */
  readonly opt: string;
  readonly hasArg: boolean;
  readonly description: string;
}

/** At most one of these options may be given; `required` means exactly one. */
export interface OptionGroup {
  readonly opts: readonly OptionSpec[];
  readonly required: boolean;
}

export interface Options {
  readonly options: readonly OptionSpec[];
  readonly groups?: readonly OptionGroup[];
}

export class CommandLine {
  constructor(
    private readonly values: Map<string, string | null>,
    private readonly args: string[],
  ) {}
  hasOption(opt: string): boolean {
    return this.values.has(opt);
  }
  getOptionValue(opt: string): string | undefined {
    return this.values.get(opt) ?? undefined;
  }
  /** The non-option tokens, in order (for zkCli: the command name first). */
  getArgs(): string[] {
    return [...this.args];
  }
}

function parseError(cls: string, message: string): CliParseException {
  return new CliParseException(`org.apache.commons.cli.${cls}: ${message}`);
}

const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;

// #region parse
export function parse(options: Options, tokens: readonly string[]): CommandLine {
  const specs = new Map<string, OptionSpec>();
  for (const o of options.options) specs.set(o.opt, o);
  for (const g of options.groups ?? []) for (const o of g.opts) specs.set(o.opt, o);
  const values = new Map<string, string | null>();
  const args: string[] = [];
  const selected = new Map<OptionGroup, string>();

  const select = (spec: OptionSpec, value: string | null) => {
    const group = options.groups?.find((g) => g.opts.includes(spec));
    if (group) {
      const prev = selected.get(group);
      if (prev !== undefined && prev !== spec.opt) {
        throw parseError("AlreadySelectedException", `The option '${spec.opt}' was specified but an option from this group has already been selected: '${prev}'`);
      }
      selected.set(group, spec.opt);
    }
    values.set(spec.opt, value);
  };
  const isOption = (t: string) => t.startsWith("-") && t.length > 1 && !NEGATIVE_NUMBER.test(t) && (specs.has(t.substring(1, 2)) || t.startsWith("--"));

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "--") {
      args.push(...tokens.slice(i + 1));
      break;
    }
    if (!t.startsWith("-") || t === "-" || (NEGATIVE_NUMBER.test(t) && !specs.has(t.substring(1, 2)))) {
      args.push(t);
      continue;
    }
    if (t.startsWith("--") || !specs.has(t.substring(1, 2))) throw parseError("UnrecognizedOptionException", `Unrecognized option: ${t}`);
    // "-x", "-xVALUE", or bundled flags "-xyz".
    for (let j = 1; j < t.length; j++) {
      const spec = specs.get(t[j]!);
      if (!spec) throw parseError("UnrecognizedOptionException", `Unrecognized option: ${t}`);
      if (!spec.hasArg) {
        select(spec, null);
        continue;
      }
      if (j + 1 < t.length) {
        select(spec, t.substring(j + 1));
      } else if (i + 1 < tokens.length && !isOption(tokens[i + 1]!)) {
        select(spec, tokens[++i]!);
      } else {
        throw parseError("MissingArgumentException", `Missing argument for option: ${spec.opt}`);
      }
      break;
    }
  }
  for (const g of options.groups ?? []) {
    if (g.required && !selected.has(g)) {
      const list = g.opts.map((o) => `-${o.opt} ${o.description}`).join(", ");
      throw parseError("MissingOptionException", `Missing required option: [${list}]`);
    }
  }
  return new CommandLine(values, args);
}
// #endregion parse
