import * as path from "node:path";
import { parseProjectConfig, projectConfigFromPulumi } from "../config/validate";
import { InputError } from "../lib/errors";
import { writeFileAtomic } from "../lib/files";
import { nothingToRead } from "../detection/replay";
import { explainFiles, ExplainOptions } from "../notifier/explain";
import { windowsOf } from "../notifier/breakGlass";
import { readStackFile } from "../offline/stackFile";
import { defineCommand, JSON_OPTION, runWhenMain, STACK_OPTIONS, stackInputs } from "./command";

/**
 * What the notifier would know from the stack: its break-glass windows (judged at each event's
 * time, so entries that have expired since still count for events inside them) and the accounts
 * whose AssumeRoot calls count. The stack's shape is checked; not its windows against today.
 */
function stackKnowledge(stack: string, stacksDir: string | undefined): ExplainOptions {
  const file = readStackFile(stack, undefined, stacksDir);
  const { config, problems } = parseProjectConfig(
    projectConfigFromPulumi(file.config, file.numbers) ?? {},
  );
  if (config === undefined) {
    throw new InputError(`${path.relative(process.cwd(), file.path)}: not a valid stack config`, [
      ...problems,
    ]);
  }
  return {
    windows: windowsOf(config.rootAccess.breakGlass, config.rootAccess.maxBreakGlassHours),
    allowedCallers: new Set([
      config.managementAccountId,
      ...config.centralizedRootAccess.delegatedAdministrators,
    ]),
  };
}

export const explainCommand = defineCommand(
  {
    name: "explain",
    summary:
      "the alert the notifier would publish for each root event in CloudTrail files, offline",
    options: {
      stack: {
        type: "string",
        value: "<env>",
        description:
          "judge with this stack's break-glass windows and AssumeRoot callers (default: no windows, any caller)",
      },
      stacks: STACK_OPTIONS.stacks,
      json: {
        ...JSON_OPTION.json,
        description: 'also write {"alerts": [...], "badFiles": [...]} to this file',
      },
    },
    inputs: (values) =>
      values.stack === undefined
        ? []
        : stackInputs({ stack: values.stack, stacks: values.stacks }).slice(0, 1),
    positionals: {
      name: "CloudTrail file or directory",
      min: 1,
      noun: "CloudTrail log file or directory",
    },
    verdict: "some file could not be read (named on stderr; the others were explained)",
    details: [
      "The files are taken as the content of the central log group: an AssumeRoot call in them proves its session.",
    ],
  },
  async ({ values, positionals }, io) => {
    if (values.stacks !== undefined && values.stack === undefined) {
      throw new InputError("--stacks needs --stack");
    }
    const args = {
      paths: [...positionals],
      stack: values.stack,
      stacksDir: values.stacks,
      json: values.json,
    };
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
      io.stdout(
        `${alert.eventTime ?? "(no time)"}  ${alert.kind.padEnd(17)}  ${alert.accountId ?? "?"}  ${alert.subject}\n`,
      );
    }
    for (const bad of explanation.badFiles) {
      io.stderr(`explain: skipped ${bad.file}: ${bad.error}\n`);
    }
    const count = (kind: string) => explanation.alerts.filter((a) => a.kind === kind).length;
    io.stdout(
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
  },
);

runWhenMain(module, explainCommand);
