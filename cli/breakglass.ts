import { parseArgs } from "node:util";
import { ASSUME_ROOT_TASKS, OTHER_TASK } from "../breakglass/assumeRoot";
import { closeBreakGlass, listBreakGlass, openBreakGlass } from "../breakglass/workflow";
import { InputError } from "../lib/errors";
import { runCli } from "./run";

const USAGE = [
  "usage: npm run breakglass -- open  --stack <env> --account <id> --reason <text> [--hours N] [--task <task>]",
  "       npm run breakglass -- close --stack <env> --account <id>",
  "       npm run breakglass -- list  --stack <env>",
  "options: --stacks <dir> (default stacks/), --org <snapshot.json> (default <stacks>/org.<env>.json)",
  `tasks AssumeRoot covers (no window needed): ${ASSUME_ROOT_TASKS.map((task) => task.name).join(", ")}; --task ${OTHER_TASK} opens a window anyway`,
].join("\n");

const HELP = "npm run breakglass -- --help shows the usage";
const DEFAULT_HOURS = 4;

function formatLeft(minutes: number): string {
  const abs = Math.abs(minutes);
  const text = abs >= 60 ? `${Math.floor(abs / 60)} h ${abs % 60} min` : `${abs} min`;
  return minutes >= 0 ? `${text} left` : `expired ${text} ago`;
}

export function parseBreakGlassArgs(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        stack: { type: "string" },
        account: { type: "string" },
        reason: { type: "string" },
        hours: { type: "string" },
        task: { type: "string" },
        stacks: { type: "string" },
        org: { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new InputError(`${(error as Error).message.split("\n").join(" ")}; ${HELP}`);
  }
  const [command, ...extra] = parsed.positionals;
  if (parsed.values.help) {
    return { command: "help" as const, values: parsed.values };
  }
  if (command !== "open" && command !== "close" && command !== "list") {
    throw new InputError(
      `${command === undefined ? "name a command" : `unknown command "${command}"`}: open, close or list; ${HELP}`,
    );
  }
  if (extra.length > 0) {
    throw new InputError(`unexpected argument "${extra[0]}" (quote a reason with spaces); ${HELP}`);
  }
  const required =
    command === "open"
      ? ["stack", "account", "reason"]
      : command === "close"
        ? ["stack", "account"]
        : ["stack"];
  const missing = required.filter(
    (name) => parsed.values[name as keyof typeof parsed.values] === undefined,
  );
  if (missing.length > 0) {
    throw new InputError(
      `${command}: ${missing.map((name) => `--${name}`).join(", ")} required; ${HELP}`,
    );
  }
  return { command, values: parsed.values };
}

runCli("breakglass", async () => {
  const { command, values } = parseBreakGlassArgs(process.argv.slice(2));
  const out = (line = ""): boolean => process.stdout.write(`${line}\n`);
  if (command === "help") {
    out(USAGE);
    return 0;
  }
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
    const hours = values.hours === undefined ? DEFAULT_HOURS : Number(values.hours);
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
});
