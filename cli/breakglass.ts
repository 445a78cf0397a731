import { ASSUME_ROOT_TASKS, OTHER_TASK } from "../breakglass/assumeRoot";
import { closeBreakGlass, listBreakGlass, openBreakGlass } from "../breakglass/workflow";
import { InputError } from "../lib/errors";
import { PROJECT_DIR } from "../lib/paths";
import { defaultSnapshotPath } from "../offline/stackFile";
import { readSnapshotFile } from "../org/source";
import { DEFAULT_MAX_AUDIT_AGE_HOURS, readAuditFile } from "../rootCredentials/auditFile";
import { defineCommand, runWhenMain, STACK_OPTIONS } from "./command";

const DEFAULT_HOURS = 4;

function maxAuditAge(text: string | undefined): number {
  const hours = text === undefined ? DEFAULT_MAX_AUDIT_AGE_HOURS : Number(text);
  if (!(hours > 0) || !Number.isFinite(hours)) {
    throw new InputError(`--max-audit-age: must be a positive number of hours, got "${text}"`);
  }
  return hours;
}

function formatLeft(minutes: number): string {
  const abs = Math.abs(minutes);
  const text = abs >= 60 ? `${Math.floor(abs / 60)} h ${abs % 60} min` : `${abs} min`;
  return minutes >= 0 ? `${text} left` : `expired ${text} ago`;
}

export const breakGlassCommand = defineCommand(
  {
    name: "breakglass",
    summary:
      "open, close or list break-glass windows in a stack file (then pulumi up); suggests AssumeRoot where it covers the task",
    options: {
      ...STACK_OPTIONS,
      account: { type: "string", value: "<id>", description: "the member account" },
      reason: {
        type: "string",
        value: "<text>",
        description: "why root is needed (kept in the stack file's history)",
      },
      hours: {
        type: "string",
        value: "N",
        description: `how long the window stays open (default ${DEFAULT_HOURS}, at most rootAccess.maxBreakGlassHours)`,
      },
      "root-credentials": {
        type: "string",
        value: "<audit.json>",
        path: true,
        description:
          "open: the JSON of npm run root-credentials -- audit; says when the account's root user has no password to sign in with",
      },
      "max-audit-age": {
        type: "string",
        value: "<hours>",
        description: `open: the oldest --root-credentials audit accepted (default ${DEFAULT_MAX_AUDIT_AGE_HOURS})`,
      },
      task: {
        type: "string",
        value: "<task>",
        description: `an AssumeRoot task, or ${OTHER_TASK} to open a window anyway (default: guessed from the reason)`,
      },
    },
    subcommands: {
      open: { summary: "add a window for --account", requires: ["account", "reason"] },
      close: { summary: "remove the window of --account", requires: ["account"] },
      list: { summary: "the windows of the stack, open and expired" },
    },
    verdict: "open guessed an AssumeRoot task from the reason and opened no window",
    details: [
      `tasks AssumeRoot covers (no window needed): ${ASSUME_ROOT_TASKS.map((task) => task.name).join(", ")}`,
    ],
  },
  async ({ values, subcommand }, io) => {
    const command = subcommand;
    const out = (line = ""): void => io.stdout(`${line}\n`);
    const location = {
      stack: values.stack as string,
      stacksDir: values.stacks,
      orgSnapshot: values.org,
    };
    // The hints repeat where the stack lives, so they work as printed.
    const where = [
      `--stack ${location.stack}`,
      ...(values.stacks === undefined ? [] : [`--stacks ${values.stacks}`]),
      ...(values.org === undefined ? [] : [`--org ${values.org}`]),
    ].join(" ");
    const pulumiStack = `--stack ${location.stack}`;
    if (command === "open") {
      // Read before anything is written: a bad audit file changes nothing.
      const audit =
        values["root-credentials"] === undefined
          ? undefined
          : readAuditFile(values["root-credentials"], {
              organizationId: readSnapshotFile(
                values.org ?? defaultSnapshotPath(location.stack, PROJECT_DIR, values.stacks),
              ).organization.id,
              maxAgeHours: maxAuditAge(values["max-audit-age"]),
              now: new Date(),
            });
      const hours = values.hours === undefined ? DEFAULT_HOURS : Number(values.hours);
      if (values.hours !== undefined && !(hours > 0)) {
        throw new InputError(`--hours: must be a positive number of hours, got "${values.hours}"`);
      }
      const result = openBreakGlass({
        ...location,
        accountId: values.account as string,
        reason: values.reason as string,
        hours,
        task: values.task,
      });
      if (result.kind === "assume-root") {
        out(
          `No break-glass window needed: "${result.task.name}" (${result.task.what}) is a task AssumeRoot covers.`,
        );
        out("From the management account, start a 15-minute root session for it:");
        out();
        out(`  ${result.command}`);
        out();
        out(
          "then use the returned credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) for that one task.",
        );
        if (result.inferred) {
          out(
            `The task was guessed from the reason. To confirm it: npm run breakglass -- open ${where} --account ${values.account} --reason ${JSON.stringify(values.reason)} --task ${result.task.name}`,
          );
        }
        out(`Nothing was changed. If you still need a window, rerun with --task ${OTHER_TASK}.`);
        // A guessed task exits 1, so a script that meant to open a window notices it did not.
        return result.inferred ? 1 : 0;
      }
      out(
        `Opened a break-glass window for ${result.entry.accountId} (${result.accountName}) until ${result.entry.expiresAt} (${hours} h).`,
      );
      if (audit !== undefined) {
        const entry = audit.byAccount.get(result.entry.accountId);
        if (entry?.credentials?.password === false) {
          out(
            `The root user of ${result.entry.accountId} has no password (audited ${audit.auditedAt.toISOString()}): the window is of no use until one is recovered. From the management account: AssumeRoot with IAMCreateRootUserPassword and CreateLoginProfile, which lets the owner of the account's root e-mail set one with "Forgot password" (README, "Remove root credentials from every member account").`,
          );
        } else if (entry?.credentials === undefined) {
          out(
            `The audit (${audit.file}) does not say whether the root user of ${result.entry.accountId} has a password: ${entry === undefined ? "not audited" : `its audit failed: ${entry.error}`}.`,
          );
        }
      }
      out(`Wrote ${result.file}. Next:`);
      out(
        `  pulumi preview ${pulumiStack}   # the root-access SCP exempts ${result.entry.accountId} until then`,
      );
      out(`  pulumi up ${pulumiStack}`);
      out(
        `AWS closes the window by itself at ${result.entry.expiresAt} (the SCP compares aws:CurrentTime). Afterwards remove the entry:`,
      );
      out(
        `  npm run breakglass -- close ${where} --account ${result.entry.accountId}   # then pulumi up`,
      );
      return 0;
    }
    if (command === "close") {
      const result = closeBreakGlass({ ...location, accountId: values.account as string });
      out(
        `Removed the break-glass entry of ${result.entry.accountId} (until ${result.entry.expiresAt}) from ${result.file}.`,
      );
      out(`Next: pulumi up ${pulumiStack}   # takes the exemption out of the root-access SCP`);
      return 0;
    }
    const { file, windows } = listBreakGlass(location);
    if (windows.length === 0) {
      out(`No break-glass entries in ${file}.`);
      return 0;
    }
    for (const window of windows) {
      out(
        `${window.state.padEnd(7)} ${window.accountId} (${window.accountName})  until ${window.expiresAt}  ${formatLeft(window.minutesLeft)}  reason: ${window.reason}`,
      );
    }
    const expired = windows.filter((window) => window.state === "expired");
    if (expired.length > 0) {
      out();
      out(
        `${expired.length} expired: remove with npm run breakglass -- close ${where} --account <id>, then pulumi up.`,
      );
    }
    return 0;
  },
);

runWhenMain(module, breakGlassCommand);
