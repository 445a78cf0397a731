import * as path from "node:path";
import { parseArgs } from "node:util";
import { computeCoverage, CoverageReport } from "../coverage/coverage";
import { InputError } from "../lib/errors";
import { writeFileAtomic } from "../lib/files";
import { loadStackInputs } from "../offline/stackInputs";
import { runCli } from "./run";

const USAGE =
  "usage: npm run coverage -- --stack <env> [--org <snapshot.json>] [--json <file>] [--stacks <dir>]";

export function parseCoverageArgs(argv: string[]): {
  stack: string;
  org?: string;
  json?: string;
  stacks?: string;
} {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        org: { type: "string" },
        json: { type: "string" },
        stacks: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new InputError(`${(error as Error).message}; ${USAGE}`);
  }
  if (values.stack === undefined || values.stack === "") {
    throw new InputError(`--stack is required; ${USAGE}`);
  }
  return { stack: values.stack, org: values.org, json: values.json, stacks: values.stacks };
}

function yesNo(value: boolean): string {
  return value ? "yes" : "NO";
}

export function renderCoverageTable(report: CoverageReport): string {
  const rows = report.accounts.map((account) => [
    account.accountId,
    account.name,
    account.path,
    yesNo(account.rootAccessScp),
    yesNo(account.protectionScp),
    yesNo(account.organizationTrail),
    account.breakGlass === undefined
      ? "-"
      : `${account.breakGlass.state} until ${account.breakGlass.expiresAt}`,
    account.covered ? "covered" : "UNCOVERED",
    [...new Set(account.scps.map((scp) => scp.name))].join(", "),
  ]);
  const header = [
    "account",
    "name",
    "path",
    "root SCP",
    "protection",
    "trail",
    "break-glass",
    "verdict",
    "SCPs in force",
  ];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join("  ")
      .trimEnd();
  const lines = [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
  lines.push("");
  lines.push(
    `Management account ${report.managementAccount.accountId} (${report.managementAccount.name}): SCPs never apply; the trail and alarms watch it.`,
  );
  for (const account of report.inactive) {
    lines.push(
      `Not active, not counted: ${account.accountId} (${account.name}) is ${account.state}.`,
    );
  }
  if (!report.existingScpsKnown) {
    lines.push(
      "The snapshot records no existing SCP attachments: only this stack's SCPs are shown.",
    );
  }
  return lines.join("\n");
}

runCli("coverage", async () => {
  const args = parseCoverageArgs(process.argv.slice(2));
  const inputs = loadStackInputs({
    stack: args.stack,
    orgSnapshot: args.org && path.resolve(args.org),
    stacksDir: args.stacks && path.resolve(args.stacks),
  });
  const report = computeCoverage(
    inputs.config,
    inputs.organization,
    inputs.scps,
    inputs.topology,
    new Date(),
  );
  if (args.json !== undefined) {
    writeFileAtomic(args.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  process.stdout.write(`${renderCoverageTable(report)}\n`);
  if (report.uncovered.length > 0) {
    const named = report.accounts
      .filter((account) => !account.covered)
      .map(
        (account) =>
          `${account.accountId} (${account.name}, ${account.path}): ${account.gaps.join("; ")}`,
      );
    process.stderr.write(
      `coverage: ${report.uncovered.length} account(s) not covered:\n${named.map((line) => `  ${line}`).join("\n")}\n`,
    );
    return 1;
  }
  process.stdout.write(`\nAll ${report.accounts.length} active member accounts are covered.\n`);
  return 0;
});
