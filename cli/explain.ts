import * as path from "node:path";
import { parseArgs } from "node:util";
import { guardrailConfigSchema } from "../config/schema";
import { projectConfigFromPulumi } from "../config/validate";
import { formatIssuePath, InputError } from "../lib/errors";
import { checkOutputPath, writeFileAtomic } from "../lib/files";
import { nothingToRead } from "../detection/replay";
import { explainFiles, ExplainOptions } from "../notifier/explain";
import { windowsOf } from "../notifier/breakGlass";
import { readStackFile } from "../offline/stackFile";
import { runCli } from "./run";

const USAGE =
  "usage: npm run explain -- [--stack <env>] [--stacks <dir>] [--json <file>] <CloudTrail file or directory>...";

export interface ExplainArgs {
  readonly paths: string[];
  readonly stack?: string;
  readonly stacksDir?: string;
  readonly json?: string;
}

export function parseExplainArgs(argv: string[]): ExplainArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        stacks: { type: "string" },
        json: { type: "string" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new InputError(`${(error as Error).message.split("\n").join(" ")}; ${USAGE}`);
  }
  if (parsed.positionals.length === 0) {
    throw new InputError(`name at least one CloudTrail log file or directory; ${USAGE}`);
  }
  if (parsed.values.stacks !== undefined && parsed.values.stack === undefined) {
    throw new InputError(`--stacks needs --stack; ${USAGE}`);
  }
  return {
    paths: parsed.positionals,
    stack: parsed.values.stack,
    stacksDir: parsed.values.stacks === undefined ? undefined : path.resolve(parsed.values.stacks),
    json: parsed.values.json,
  };
}

/**
 * What the notifier would know from the stack: its break-glass windows (judged at each event's
 * time, so entries that have expired since still count for events inside them) and the accounts
 * whose AssumeRoot calls count. The stack's shape is checked; not its windows against today.
 */
function stackKnowledge(stack: string, stacksDir: string | undefined): ExplainOptions {
  const file = readStackFile(stack, undefined, stacksDir);
  const parsed = guardrailConfigSchema.safeParse(projectConfigFromPulumi(file.config) ?? {});
  if (!parsed.success) {
    throw new InputError(
      `${path.relative(process.cwd(), file.path)}: not a valid stack config`,
      parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`),
    );
  }
  const config = parsed.data;
  return {
    windows: windowsOf(config.rootAccess.breakGlass, config.rootAccess.maxBreakGlassHours),
    allowedCallers: new Set([
      config.managementAccountId,
      ...config.centralizedRootAccess.delegatedAdministrators,
    ]),
  };
}

runCli("explain", async () => {
  const args = parseExplainArgs(process.argv.slice(2));
  if (args.json !== undefined) {
    checkOutputPath("--json", args.json);
  }
  const options: ExplainOptions =
    args.stack === undefined ? { windows: [] } : stackKnowledge(args.stack, args.stacksDir);
  const explanation = await explainFiles(args.paths, options);
  if (explanation.files === 0) {
    throw new InputError(nothingToRead(args.paths, explanation.jsonLines));
  }
  if (args.json !== undefined) {
    writeFileAtomic(
      args.json,
      `${JSON.stringify(
        {
          alerts: explanation.alerts,
          badFiles: explanation.badFiles,
          // Whose AssumeRoot calls counted: the stack's callers, or null when no --stack was given
          // and a call of any account (other than its target, never by a root user) proved.
          assumeRootCallers:
            options.allowedCallers === undefined ? null : [...options.allowedCallers],
        },
        null,
        2,
      )}\n`,
    );
  }
  for (const alert of explanation.alerts) {
    process.stdout.write(
      `${alert.eventTime ?? "(no time)"}  ${alert.kind.padEnd(17)}  ${alert.accountId ?? "?"}  ${alert.subject}\n`,
    );
  }
  for (const bad of explanation.badFiles) {
    process.stderr.write(`explain: skipped ${bad.file}: ${bad.error}\n`);
  }
  const count = (kind: string) => explanation.alerts.filter((a) => a.kind === kind).length;
  process.stdout.write(
    `\n${explanation.alerts.length} root events in ${explanation.records} records of ` +
      `${explanation.files - explanation.badFiles.length} files (${explanation.badFiles.length} bad): ` +
      `${count("unexplained")} unexplained, ${count("breakGlass")} break-glass, ` +
      `${count("assumeRootSession")} in AssumeRoot sessions` +
      (args.stack === undefined
        ? " (no --stack: no windows, AssumeRoot calls of any account)"
        : "") +
      (args.json !== undefined ? `; wrote ${args.json}` : "") +
      "\n",
  );
  return explanation.badFiles.length > 0 ? 1 : 0;
});
