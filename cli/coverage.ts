import { computeCoverage, CoverageReport, coverageField } from "../coverage/coverage";
import { SCP_DEFINITIONS } from "../policies/scpDefinitions";
import { checkOutputPath, writeFileAtomic } from "../lib/files";
import { loadStackInputs } from "../offline/stackInputs";
import { runCli } from "./run";
import { parseStackArgs } from "./stackArgs";

function yesNo(value: boolean): string {
  return value ? "yes" : "NO";
}

export function renderCoverageTable(report: CoverageReport): string {
  const rows = report.accounts.map((account) => [
    account.accountId,
    account.name,
    account.path,
    account.state,
    ...SCP_DEFINITIONS.map((definition) => yesNo(account[coverageField(definition.kind)])),
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
    "state",
    ...SCP_DEFINITIONS.map((definition) => definition.column),
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
  const args = parseStackArgs("coverage", process.argv.slice(2), true);
  if (args.json !== undefined) {
    checkOutputPath("--json", args.json);
  }
  const inputs = loadStackInputs(args);
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
