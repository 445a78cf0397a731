import { computeCoverage, CoverageReport, coverageField } from "../coverage/coverage";
import { InputError } from "../lib/errors";
import { writeFileAtomic } from "../lib/files";
import { DEFAULT_MAX_AUDIT_AGE_HOURS, readAuditFile } from "../rootCredentials/auditFile";
import { loadStackInputs } from "../offline/stackInputs";
import { SCP_DEFINITIONS } from "../policies/scpDefinitions";
import { defineCommand, JSON_OPTION, runWhenMain, STACK_OPTIONS, stackInputs } from "./command";

function yesNo(value: boolean): string {
  return value ? "yes" : "NO";
}

/** `yes`, `NO: us-east-1 missing`, `on apply`, `?` or `off`. */
function fastPathCell(fastPath: CoverageReport["accounts"][number]["fastPath"]): string {
  switch (fastPath.state) {
    case "deployed":
      return "yes";
    case "incomplete":
      return `NO: ${fastPath.regions
        .filter((entry) => entry.state !== "deployed")
        .map((entry) => `${entry.region} ${entry.state}`)
        .join(", ")}`;
    case "unknown":
      return "?";
    default:
      return fastPath.state;
  }
}

export function renderCoverageTable(report: CoverageReport): string {
  const rows = report.accounts.map((account) => [
    account.accountId,
    account.name,
    account.path,
    account.state,
    ...SCP_DEFINITIONS.map((definition) => yesNo(account[coverageField(definition.kind)])),
    yesNo(account.organizationTrail),
    fastPathCell(account.fastPath),
    ...(report.rootCredentialsAudit === undefined ? [] : [account.rootCredentials ?? "-"]),
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
    "fast path",
    ...(report.rootCredentialsAudit === undefined ? [] : ["root credentials"]),
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
  if (report.rootCredentialsAudit !== undefined) {
    lines.push(
      `Root credentials as audited at ${report.rootCredentialsAudit.auditedAt} (${report.rootCredentialsAudit.ageHours} h ago, ${report.rootCredentialsAudit.file}).`,
    );
  }
  if (!report.fastPathKnown) {
    lines.push(
      report.fastPathReadIn === undefined
        ? "The snapshot records no fast-path stack instances (npm run discover reads them): the fast path's coverage is unknown."
        : `The snapshot read the fast path's stack set in ${report.fastPathReadIn}, not in the stack's homeRegion where it lives (npm run discover -- --region <homeRegion>): the fast path's coverage is unknown.`,
    );
  }
  if (!report.existingScpsKnown) {
    lines.push(
      "The snapshot records no existing SCP attachments: only this stack's SCPs are shown.",
    );
  }
  return lines.join("\n");
}

export const coverageCommand = defineCommand(
  {
    name: "coverage",
    summary: "which guardrails reach each member account once the stack is applied",
    inputs: stackInputs,
    options: {
      ...STACK_OPTIONS,
      json: { ...JSON_OPTION.json, description: "also write the report as JSON to this file" },
      "root-credentials": {
        type: "string",
        value: "<audit.json>",
        path: true,
        description:
          "the JSON of npm run root-credentials -- audit: each account's root credentials, none allowed",
      },
      "max-audit-age": {
        type: "string",
        value: "<hours>",
        description: `the oldest audit accepted (default ${DEFAULT_MAX_AUDIT_AGE_HOURS})`,
      },
    },
    verdict: "some active member account is not covered (listed on stderr)",
  },
  async ({ values }, io) => {
    const args = {
      stack: values.stack,
      orgSnapshot: values.org,
      stacksDir: values.stacks,
      json: values.json,
    };
    const maxAge =
      values["max-audit-age"] === undefined
        ? DEFAULT_MAX_AUDIT_AGE_HOURS
        : Number(values["max-audit-age"]);
    if (!(maxAge > 0) || !Number.isFinite(maxAge)) {
      throw new InputError(
        `--max-audit-age: must be a positive number of hours, got "${values["max-audit-age"]}"`,
      );
    }
    if (values["max-audit-age"] !== undefined && values["root-credentials"] === undefined) {
      throw new InputError("--max-audit-age: only with --root-credentials <audit.json>");
    }
    const inputs = loadStackInputs(args);
    const now = new Date();
    const audit =
      values["root-credentials"] === undefined
        ? undefined
        : readAuditFile(values["root-credentials"], {
            organizationId: inputs.organization.organization.id,
            maxAgeHours: maxAge,
            now,
          });
    const report = computeCoverage(
      inputs.config,
      inputs.organization,
      inputs.scps,
      inputs.topology,
      now,
      audit,
    );
    if (args.json !== undefined) {
      writeFileAtomic(args.json, `${JSON.stringify(report, null, 2)}\n`);
    }
    io.stdout(`${renderCoverageTable(report)}\n`);
    if (report.uncovered.length > 0) {
      const named = report.accounts
        .filter((account) => !account.covered)
        .map(
          (account) =>
            `${account.accountId} (${account.name}, ${account.path}): ${account.gaps.join("; ")}`,
        );
      io.stderr(
        `coverage: ${report.uncovered.length} account(s) not covered:\n${named.map((line) => `  ${line}`).join("\n")}\n`,
      );
      return 1;
    }
    // Accounts the stack is about to create are counted apart: they are not in the organization
    // yet, and "all N active accounts" must mean accounts that exist.
    const toBeCreated = report.accounts.filter(
      (account) => account.state === "TO BE CREATED",
    ).length;
    const active = report.accounts.length - toBeCreated;
    io.stdout(
      `\nAll ${active} active member accounts are covered` +
        (toBeCreated > 0 ? `, and the ${toBeCreated} to be created will be on creation.\n` : ".\n"),
    );
    return 0;
  },
);

runWhenMain(module, coverageCommand);
