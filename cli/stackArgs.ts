import * as path from "node:path";
import { parseArgs } from "node:util";
import { InputError } from "../lib/errors";

export interface StackArgs {
  readonly stack: string;
  /** The organization snapshot, resolved; default org.<stack>.json beside the stack file. */
  readonly orgSnapshot?: string;
  /** An output file for --json. */
  readonly json?: string;
  /** A folder holding Pulumi.<stack>.yaml, resolved; default the project's stacks/. */
  readonly stacksDir?: string;
}

/** `--stack <env> [--org <file>] [--stacks <dir>] [--json <file>]`, shared by plan, coverage and adopt. */
export function parseStackArgs(
  command: string,
  argv: readonly string[],
  withJson: boolean,
): StackArgs {
  const usage =
    `usage: npm run ${command} -- --stack <env> [--org <snapshot.json>]` +
    `${withJson ? " [--json <file>]" : ""} [--stacks <dir>]`;
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        org: { type: "string" },
        stacks: { type: "string" },
        ...(withJson ? { json: { type: "string" as const } } : {}),
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new InputError(`${(error as Error).message.split("\n").join(" ")}; ${usage}`);
  }
  if (typeof values.stack !== "string" || values.stack === "") {
    throw new InputError(`--stack is required; ${usage}`);
  }
  const resolved = (value: unknown): string | undefined =>
    typeof value === "string" ? path.resolve(value) : undefined;
  return {
    stack: values.stack,
    orgSnapshot: resolved(values.org),
    stacksDir: resolved(values.stacks),
    json: typeof values.json === "string" ? values.json : undefined,
  };
}
