import * as path from "node:path";
import { parseArgs } from "node:util";
import { InputError } from "../lib/errors";
import { checkOutputPath } from "../lib/files";
import { PROJECT_DIR } from "../lib/paths";
import { defaultSnapshotPath, stackFilePath } from "../offline/stackFile";

/**
 * The one command layer: every `npm run <command>` declares its options once (with descriptions),
 * gets `--help` (exit 0, nothing else done), typed required options, the same output-path check,
 * one error wrapping and the project's exit codes. Built on node:util parseArgs: the commands need
 * string and boolean options, positionals and one level of subcommands, which it covers without
 * a dependency. A command module exports its command and runs it only when executed
 * (`runWhenMain(module, command)`), so tests import and call it.
 */

/** The exit codes of every command (README, "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** A verdict: uncovered accounts, bad log files, a guessed break-glass task. */
  verdict: 1,
  /** Bad input: arguments, stack config, snapshot; nothing was changed. */
  badInput: 2,
  /** Unexpected failure: a bug or an environment problem (EX_SOFTWARE). */
  unexpected: 70,
} as const;

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly description: string;
  /** How the value is shown in the usage, e.g. `<env>`. */
  readonly value?: string;
  /** A string option every run (or every subcommand listed in `requiredBy`) needs. */
  readonly required?: boolean;
  /** A file the command writes: checked (folder exists, not a folder) before any work. */
  readonly output?: boolean;
  /** A path, resolved against the working directory. */
  readonly path?: boolean;
}

export interface SubcommandSpec {
  readonly summary: string;
  /** Options this subcommand requires, beyond those marked `required`. */
  readonly requires?: readonly string[];
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  readonly name: string;
  readonly summary: string;
  readonly options: O;
  /** Positional arguments: their name in the usage and the fewest allowed (default: none taken). */
  readonly positionals?: {
    readonly name: string;
    readonly min: number;
    /** How the error for too few names them, e.g. "CloudTrail log file or directory". */
    readonly noun?: string;
  };
  /** One level of subcommands (`breakglass open ...`): the first positional. */
  readonly subcommands?: Readonly<Record<string, SubcommandSpec>>;
  /** What exit code 1 means for this command, when it can give one. */
  readonly verdict?: string;
  /** More lines for --help. */
  readonly details?: readonly string[];
  /** Files the command reads that no option names (a stack's file and snapshot). */
  readonly inputs?: (values: OptionValues<O>) => readonly string[];
}

type ValueOf<S extends OptionSpec> = S extends { type: "boolean" }
  ? boolean
  : S extends { required: true }
    ? string
    : string | undefined;

export type OptionValues<O extends Record<string, OptionSpec>> = {
  readonly [K in keyof O]: ValueOf<O[K]>;
};

export interface ParsedArgs<O extends Record<string, OptionSpec>> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
  /** The subcommand, for commands that have them. */
  readonly subcommand?: string;
}

export interface Command<O extends Record<string, OptionSpec>> {
  readonly spec: CommandSpec<O>;
  /** Parses arguments; throws InputError (exit 2) with the usage hint. `undefined` for --help. */
  parse(argv: readonly string[]): ParsedArgs<O> | undefined;
  /** Runs with these arguments and returns the exit code; never throws. */
  run(argv: readonly string[], io?: CommandIo): Promise<number>;
}

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_IO: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function shownOption(name: string, option: OptionSpec): string {
  return option.type === "boolean" ? `--${name}` : `--${name} ${option.value ?? "<value>"}`;
}

export function usageOf<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
  const shown = Object.entries(spec.options).map(([name, option]) =>
    option.required ? shownOption(name, option) : `[${shownOption(name, option)}]`,
  );
  const subcommand =
    spec.subcommands === undefined ? "" : ` ${Object.keys(spec.subcommands).join("|")}`;
  const positionals =
    spec.positionals === undefined
      ? ""
      : ` ${spec.positionals.min > 0 ? `<${spec.positionals.name}>...` : `[<${spec.positionals.name}>...]`}`;
  const rest = `${subcommand} ${shown.join(" ")}${positionals}`.trim();
  return rest === "" ? `usage: npm run ${spec.name}` : `usage: npm run ${spec.name} -- ${rest}`;
}

export function helpOf<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
  const lines = [`${spec.name}: ${spec.summary}`, "", usageOf(spec), ""];
  if (spec.subcommands !== undefined) {
    lines.push("commands:");
    for (const [name, sub] of Object.entries(spec.subcommands)) {
      const needs = sub.requires?.length
        ? ` (needs ${sub.requires.map((r) => `--${r}`).join(", ")})`
        : "";
      lines.push(`  ${name.padEnd(8)}${sub.summary}${needs}`);
    }
    lines.push("");
  }
  lines.push("options:");
  const entries = [
    ...Object.entries(spec.options),
    [
      "help",
      { type: "boolean", description: "show this help and exit (also -h)" } as OptionSpec,
    ] as const,
  ];
  const width = Math.max(...entries.map(([name, option]) => shownOption(name, option).length)) + 2;
  for (const [name, option] of entries) {
    lines.push(
      `  ${shownOption(name, option).padEnd(width)}${option.description}${option.required ? " (required)" : ""}`,
    );
  }
  if (spec.details !== undefined) {
    lines.push("", ...spec.details);
  }
  lines.push("");
  lines.push(
    `exit codes: 0 ok${spec.verdict === undefined ? "" : `, 1 ${spec.verdict}`}, 2 bad input (nothing changed), 70 unexpected failure`,
  );
  return lines.join("\n");
}

export function defineCommand<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  main: (args: ParsedArgs<O>, io: CommandIo) => Promise<number | void>,
): Command<O> {
  const hint = `npm run ${spec.name} -- --help shows the usage`;
  function parse(argv: readonly string[]): ParsedArgs<O> | undefined {
    const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
      help: { type: "boolean", short: "h" },
    };
    for (const [name, option] of Object.entries(spec.options)) {
      options[name] = { type: option.type };
    }
    let parsed;
    try {
      parsed = parseArgs({
        // npm run <script> -- ... passes the "--" on with some npm versions.
        args: argv.filter((arg, index) => !(index === 0 && arg === "--")),
        options,
        strict: true,
        allowPositionals: spec.positionals !== undefined || spec.subcommands !== undefined,
      });
    } catch (error) {
      throw new InputError(`${(error as Error).message.split("\n").join(" ")}; ${hint}`);
    }
    if (parsed.values.help === true) {
      return undefined;
    }
    let positionals = parsed.positionals;
    let subcommand: string | undefined;
    if (spec.subcommands !== undefined) {
      [subcommand, ...positionals] = positionals;
      const names = Object.keys(spec.subcommands);
      if (subcommand === undefined || !names.includes(subcommand)) {
        throw new InputError(
          `${subcommand === undefined ? "name a command" : `unknown command "${subcommand}"`}: ${names.join(", ").replace(/, ([^,]*)$/, " or $1")}; ${hint}`,
        );
      }
    }
    if (spec.positionals === undefined && positionals.length > 0) {
      throw new InputError(
        `unexpected argument "${positionals[0]}"${spec.subcommands === undefined ? "" : " (quote a value with spaces)"}; ${hint}`,
      );
    }
    if (spec.positionals !== undefined && positionals.length < spec.positionals.min) {
      throw new InputError(
        `name at least one ${spec.positionals.noun ?? spec.positionals.name}; ${usageOf(spec)}`,
      );
    }
    const required = [
      ...Object.entries(spec.options)
        .filter(([, option]) => option.required)
        .map(([name]) => name),
      ...(subcommand === undefined ? [] : (spec.subcommands?.[subcommand]?.requires ?? [])),
    ];
    const missing = required.filter((name) => {
      const value = parsed.values[name];
      return value === undefined || value === "";
    });
    if (missing.length > 0) {
      const named = missing.map((name) => `--${name}`).join(", ");
      throw new InputError(
        subcommand === undefined
          ? `${named} ${missing.length === 1 ? "is" : "are"} required; ${usageOf(spec)}`
          : `${subcommand}: ${named} required; ${hint}`,
      );
    }
    const values: Record<string, unknown> = {};
    for (const [name, option] of Object.entries(spec.options)) {
      const value = parsed.values[name];
      if (option.type === "boolean") {
        values[name] = value === true;
      } else if (typeof value === "string") {
        values[name] = option.path ? path.resolve(value) : value;
      } else {
        values[name] = undefined;
      }
    }
    // Output paths first: a long run must not end in a path it cannot write, and an output
    // never replaces what the command reads (a log file, the stack file, the snapshot).
    const inputs = [...positionals, ...(spec.inputs?.(values as OptionValues<O>) ?? [])];
    for (const [name, option] of Object.entries(spec.options)) {
      if (option.output && typeof parsed.values[name] === "string") {
        checkOutputPath(`--${name}`, parsed.values[name] as string, inputs);
      }
    }
    return {
      values: values as OptionValues<O>,
      positionals,
      ...(subcommand === undefined ? {} : { subcommand }),
    };
  }

  async function run(argv: readonly string[], io: CommandIo = PROCESS_IO): Promise<number> {
    try {
      const args = parse(argv);
      if (args === undefined) {
        io.stdout(`${helpOf(spec)}\n`);
        return EXIT.ok;
      }
      return (await main(args, io)) ?? EXIT.ok;
    } catch (error) {
      if (error instanceof InputError) {
        // A single problem fits on one line with its summary; several are listed below it.
        const text =
          error.problems.length === 1
            ? `${error.message.split("\n")[0].replace(/:$/, "")}: ${error.problems[0]}`
            : error.message;
        io.stderr(`${spec.name}: ${text}\n`);
        return EXIT.badInput;
      }
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      io.stderr(`${spec.name}: unexpected failure: ${message} (set DEBUG=1 for a stack trace)\n`);
      if (process.env.DEBUG) {
        io.stderr(`${(error as Error)?.stack ?? ""}\n`);
      }
      return EXIT.unexpected;
    }
  }

  return { spec, parse, run };
}

/** Runs the command with the process's arguments when its module is the one executed. */
export function runWhenMain(
  module: NodeJS.Module,
  command: { run(argv: readonly string[]): Promise<number> },
): void {
  if (require.main !== module) {
    return;
  }
  void command.run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

/**
 * The files a stack command reads: its stack file and its organization snapshot (the default one
 * beside the stack file, or --org), so no output overwrites them.
 */
export function stackInputs(values: {
  readonly stack: string;
  readonly stacks?: string;
  readonly org?: string;
}): string[] {
  const stackFile = stackFilePath(values.stack, PROJECT_DIR, values.stacks);
  return [stackFile, values.org ?? defaultSnapshotPath(values.stack, PROJECT_DIR, values.stacks)];
}

/** The options of the commands that read a stack, declared once. */
export const STACK_OPTIONS = {
  stack: {
    type: "string",
    value: "<env>",
    required: true,
    description: "the stack: reads <stacks>/Pulumi.<env>.yaml",
  },
  org: {
    type: "string",
    value: "<snapshot.json>",
    path: true,
    description: "the organization snapshot (default <stacks>/org.<env>.json)",
  },
  stacks: {
    type: "string",
    value: "<dir>",
    path: true,
    description: "the folder of the stack files (default the project's stacks/)",
  },
} as const satisfies Record<string, OptionSpec>;

export const JSON_OPTION = {
  json: {
    type: "string",
    value: "<file>",
    output: true,
    description: "also write the result as JSON to this file",
  },
} as const satisfies Record<string, OptionSpec>;
