import * as path from "node:path";
import { Baseline, BaselineResource } from "./baseline";
import { LogicalOp, ResourceDiff, StatementChange, topLevel } from "./diff";
import { UNKNOWN } from "./engine";
import { newStateOf } from "./plan";

/**
 * What a plan diff says: the summary line, the guard's verdict, and the three renderings (the
 * text plan, `--json` in the shape of `pulumi preview --json`, `--markdown` for a job summary).
 */

/**
 * Types whose loss is not undone by the next `pulumi up`: a replaced account is closed and a new
 * one made; a replaced trail, bucket, key or the central log group breaks the record the
 * guardrails exist for (a deleted key makes the archive unreadable once it is gone).
 */
export const GUARDED_TYPES: Readonly<Record<string, string>> = {
  "aws:organizations/account:Account": "a member account",
  "aws:cloudtrail/trail:Trail": "the organization trail",
  "aws:s3/bucket:Bucket": "the log archive bucket",
  "aws:kms/key:Key": "a KMS key",
  "aws:cloudwatch/logGroup:LogGroup": "the central log group",
};

const ORDER: readonly LogicalOp[] = ["create", "import", "update", "replace", "delete"];
const VERB: Record<LogicalOp, string> = {
  same: "unchanged",
  create: "to create",
  import: "to import",
  update: "to update",
  replace: "to replace",
  delete: "to delete",
};
const SIGN: Record<LogicalOp, string> = {
  same: " ",
  create: "+",
  import: "=",
  update: "~",
  replace: "+-",
  delete: "-",
};

export interface GuardFinding {
  readonly urn: string;
  readonly line: string;
}

export interface DiffVerdict {
  /** Replacements and deletes of guarded resources (exit 1 unless --allow-destructive). */
  readonly destructive: readonly GuardFinding[];
  /** What Pulumi itself would refuse (protected resources): exit 1 whatever the flags. */
  readonly refused: readonly GuardFinding[];
  /**
   * Resources that exist but are not in the state: the program does not import them itself, so
   * `pulumi up` would try to create them. Exit 1 until they are imported.
   */
  readonly imports: readonly GuardFinding[];
  readonly notes: readonly string[];
}

export function changeSummary(diffs: readonly ResourceDiff[]): Record<LogicalOp, number> {
  const counts: Record<LogicalOp, number> = {
    same: 0,
    create: 0,
    import: 0,
    update: 0,
    replace: 0,
    delete: 0,
  };
  for (const diff of diffs) {
    counts[diff.op] += 1;
  }
  return counts;
}

/** "1 to update, 1 to create, 55 unchanged", or "no changes, 57 unchanged". */
export function summaryLine(diffs: readonly ResourceDiff[]): string {
  const counts = changeSummary(diffs);
  const parts = ORDER.filter((op) => counts[op] > 0).map((op) => `${counts[op]} ${VERB[op]}`);
  const options = diffs.filter((diff) => diff.op === "same" && diff.options !== undefined).length;
  const same = `${counts.same} unchanged${options > 0 ? ` (${options} with changed resource options)` : ""}`;
  return parts.length === 0 && options === 0
    ? `no changes, ${same}`
    : `${[...parts, same].join(", ")}`;
}

function inputOf(diff: ResourceDiff, key: string): unknown {
  return diff.new?.inputs[key] ?? diff.old?.inputs[key];
}

/** The guard and Pulumi's own refusals, each one line naming the resource and the way on. */
export function judgeDiff(
  diffs: readonly ResourceDiff[],
  context: { readonly centralLogGroupName: string; readonly baseline: Baseline },
): DiffVerdict {
  const destructive: GuardFinding[] = [];
  const refused: GuardFinding[] = [];
  const imports: GuardFinding[] = [];
  const notes: string[] = [...context.baseline.notes];
  const ACCOUNT = "aws:organizations/account:Account";
  const createdAccounts = diffs.filter((diff) => diff.type === ACCOUNT && diff.op === "create");
  for (const diff of diffs) {
    const what = GUARDED_TYPES[diff.type];
    const guarded =
      what !== undefined &&
      (diff.type !== "aws:cloudwatch/logGroup:LogGroup" ||
        inputOf(diff, "name") === context.centralLogGroupName ||
        diff.old?.inputs.name === context.centralLogGroupName);
    const retained = diff.op === "delete" && diff.old?.retainOnDelete === true;
    if (guarded && (diff.op === "replace" || (diff.op === "delete" && !retained))) {
      destructive.push({ urn: diff.urn, line: guardLine(diff, what) });
    }
    // Losing protection is how a later destroy gets through: the guard names it.
    for (const change of diff.options ?? []) {
      if (guarded && change.old && !change.new) {
        destructive.push({
          urn: diff.urn,
          line: `${what} ${diff.name}, ${diff.type}, would lose ${change.option}: Pulumi would no longer ${change.option === "protect" ? "refuse to replace or delete it" : "keep it in AWS when it leaves the stack"}; revert, or pass --allow-destructive if that is meant`,
        });
      }
    }
    // An account under a new name is a new URN: not a replacement to Pulumi, but a new AWS
    // account all the same, while the old one leaves the stack.
    if (diff.type === ACCOUNT && diff.op === "delete" && createdAccounts.length > 0) {
      destructive.push({
        urn: diff.urn,
        line: `account ${diff.name}${diff.old?.id === undefined ? "" : ` (id ${diff.old.id})`} leaves the stack${retained ? " (it stays in the organization)" : ""} while ${createdAccounts.map((created) => created.name).join(", ")} is created: if this is a rename, pulumi up makes a new AWS account. Rename accounts in AWS, not here; --allow-destructive only if a new account is meant`,
      });
    }
    // A provider pointed at another account or role: Pulumi updates it in place and keeps every
    // resource in the state, which then sits in an account the provider no longer reaches.
    if (diff.type.startsWith("pulumi:providers:") && diff.op === "update") {
      const moved = diff.changes
        .map((change) => topLevel(change.path))
        .filter((key) => key === "allowedAccountIds" || key === "assumeRoles");
      if (moved.length > 0) {
        destructive.push({
          urn: diff.urn,
          line: `provider ${diff.name}: its ${[...new Set(moved)].join(" and ")} change, so it now reaches another account or role while its resources stay in the state as they are; pulumi up would look for them there. Revert, or pass --allow-destructive if the account really changes`,
        });
      }
    }
    if (diff.op === "import") {
      imports.push({
        urn: diff.urn,
        line: `${diff.name} (${diff.type}) exists but is not in the stack's state: pulumi up would try to create it. Import it first: ${diff.importCommand ?? "pulumi import (see npm run adopt)"}`,
      });
    }
    if (diff.refused === "protected") {
      refused.push({
        urn: diff.urn,
        line:
          `${diff.name} (${diff.type}): Pulumi refuses to ${diff.op} it, it is protected; ` +
          `if that is meant, unprotect it first: pulumi state unprotect '${diff.urn}'`,
      });
    }
  }
  if (
    context.baseline.kind === "plan" &&
    diffs.some(
      (diff) =>
        diff.op === "create" &&
        (diff.type === "aws:organizations/account:Account" ||
          diff.type === "aws:organizations/organizationalUnit:OrganizationalUnit"),
    )
  ) {
    notes.push(
      "The baseline is a plan, not the deployed state: whether an account or OU to create already exists (and must be imported, see npm run adopt) cannot be told from it. Compare with pulumi stack export output to know.",
    );
  }
  const secret = diffs.filter((diff) =>
    JSON.stringify(diff.old?.inputs ?? {}).includes('"[secret]"'),
  );
  if (secret.length > 0) {
    notes.push(
      `${secret.length} resource(s) hold secret inputs (${secret.map((diff) => diff.name).join(", ")}): their values are neither printed nor compared, only whether they are secret.`,
    );
  }
  return { destructive, refused, imports, notes };
}

function guardLine(diff: ResourceDiff, what: string): string {
  const id = diff.old?.id === undefined ? "" : ` (id ${diff.old.id})`;
  if (diff.type === "aws:organizations/account:Account" && diff.op === "replace") {
    const moved = diff.replaceReasons
      .filter((key) => key === "email" || key === "name")
      .map(
        (key) =>
          `its ${key === "email" ? "e-mail" : "name"} changes from ${shown(diff.old?.inputs[key])} to ${shown(diff.new?.inputs[key])}`,
      );
    const why = moved.length > 0 ? moved.join(" and ") : replaceWhy(diff.replaceReasons);
    const outcome = diff.old?.retainOnDelete
      ? "pulumi up would create a new account and leave this one in the organization, outside the stack"
      : "pulumi up would close this account and create a new one";
    return (
      `account ${diff.name}${id}: ${why}, which the provider cannot change in place: ${outcome}. ` +
      "Revert the change, or make it in AWS first (the account's own settings) and run pulumi refresh; --allow-destructive only if a new account is meant"
    );
  }
  return (
    `${what} ${diff.name}${id}, ${diff.type}, would be ${diff.op === "replace" ? `replaced (${replaceWhy(diff.replaceReasons)})` : "deleted"}; ` +
    "revert the change, or pass --allow-destructive if that is meant"
  );
}

function replaceWhy(reasons: readonly string[]): string {
  const inputs = reasons.filter((reason) => reason !== "provider");
  return [
    ...(inputs.length > 0 ? [`${inputs.join(", ")} cannot change in place`] : []),
    ...(reasons.includes("provider")
      ? ["its provider, the account or region it lives in, changes"]
      : []),
  ].join("; ");
}

/** A `same` resource is listed only when its options change. */
function opLabel(diff: ResourceDiff): string {
  return diff.op === "same" ? "options" : diff.op;
}

function policyStatements(text: string): unknown[] | undefined {
  if (!text.trimStart().startsWith("{")) {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { Statement?: unknown };
    return Array.isArray(parsed.Statement) ? parsed.Statement : undefined;
  } catch {
    return undefined;
  }
}

const MAX_VALUE = 160;

function shown(value: unknown): string {
  if (value === UNKNOWN) {
    return "(known after apply)";
  }
  if (value === undefined) {
    return "(none)";
  }
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}...` : text;
}

function statementLines(changes: readonly StatementChange[]): string[] {
  return changes.map((change) => {
    if (change.change === "~") {
      const keys = (change.keys ?? [])
        .map(
          (key) =>
            `${key}: ${shown((change.old as Record<string, unknown>)[key])} => ${shown((change.new as Record<string, unknown>)[key])}`,
        )
        .join("; ");
      return `~ statement ${change.statement} (${keys})`;
    }
    return `${change.change} statement ${change.statement} ${shown(change.change === "+" ? change.new : change.old)}`;
  });
}

/** The lines of one changed resource: its op, then each changed input. */
function resourceLines(diff: ResourceDiff): string[] {
  const tags: string[] = [];
  if (diff.op === "replace") {
    tags.push(`[replace: ${diff.replaceReasons.join(", ")}]`);
  }
  if (diff.unverified) {
    tags.push("(no provider facts for this type: assumed to replace)");
  }
  if (diff.op === "delete" && diff.old?.retainOnDelete) {
    tags.push("[retained in AWS: only removed from the stack]");
  }
  if (diff.refused !== undefined) {
    tags.push("REFUSED: protected");
  }
  if (diff.pendingDelete) {
    tags.push("[left marked for deletion by an unfinished replacement]");
  }
  const lines = [
    `${(diff.op === "same" ? "~" : SIGN[diff.op]).padEnd(2)} ${opLabel(diff).padEnd(7)} ${diff.type}  ${diff.name}${tags.length > 0 ? `  ${tags.join("  ")}` : ""}`,
  ];
  if (diff.op === "create" && diff.new !== undefined) {
    // What a reviewer checks in a new resource: each input it is created with.
    for (const [key, value] of Object.entries(diff.new.inputs).sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      const statements = typeof value === "string" ? policyStatements(value) : undefined;
      if (statements === undefined) {
        lines.push(`      + ${key}: ${shown(value)}`);
      } else {
        // A new policy is read statement by statement, like a changed one.
        lines.push(
          `      + ${key}:`,
          ...statements.map((statement) => `          + statement ${shown(statement)}`),
        );
      }
    }
  }
  const covered = new Set(Object.keys(diff.statements));
  for (const [key, changes] of Object.entries(diff.statements)) {
    lines.push(`      ${key}:`, ...statementLines(changes).map((line) => `        ${line}`));
  }
  for (const change of diff.changes) {
    if (covered.has(change.path)) {
      continue;
    }
    const sign = change.kind.startsWith("add") ? "+" : change.kind.startsWith("delete") ? "-" : "~";
    const value = change.kind.startsWith("add")
      ? shown(change.new)
      : change.kind.startsWith("delete")
        ? shown(change.old)
        : `${shown(change.old)} => ${shown(change.new)}`;
    lines.push(`      ${sign} ${change.path}: ${value}`);
  }
  for (const change of diff.options ?? []) {
    lines.push(`      ~ (option) ${change.option}: ${change.old} => ${change.new}`);
  }
  if (diff.importCommand !== undefined) {
    lines.push(`      exists in the organization; adopt it: ${diff.importCommand}`);
  }
  return lines;
}

export interface DiffReport {
  readonly stack: string;
  readonly baseline: Baseline;
  readonly diffs: readonly ResourceDiff[];
  readonly verdict: DiffVerdict;
  readonly allowDestructive: boolean;
}

function baselineLabel(baseline: Baseline): string {
  return `${path.relative(process.cwd(), baseline.file) || baseline.file} (${baseline.kind === "plan" ? "a plan" : "the deployed state, pulumi stack export"})`;
}

function guardLines(report: DiffReport): string[] {
  const { destructive, refused } = report.verdict;
  const lines: string[] = [];
  if (destructive.length === 0) {
    lines.push(
      "Guard: passed (no account, trail, archive bucket, KMS key or central log group is replaced or deleted).",
    );
  } else if (report.allowDestructive) {
    lines.push(
      `Guard: ${destructive.length} destructive change(s), allowed by --allow-destructive:`,
    );
    lines.push(...destructive.map((finding) => `  ${finding.line}`));
  } else {
    lines.push(`Guard: STOPPED, ${destructive.length} destructive change(s):`);
    lines.push(...destructive.map((finding) => `  ${finding.line}`));
  }
  if (refused.length > 0) {
    lines.push(`Pulumi would refuse ${refused.length} step(s):`);
    lines.push(...refused.map((finding) => `  ${finding.line}`));
  }
  if (report.verdict.imports.length > 0) {
    lines.push(`Import first, ${report.verdict.imports.length} resource(s):`);
    lines.push(...report.verdict.imports.map((finding) => `  ${finding.line}`));
  }
  return lines;
}

/** The text plan with a baseline: only what changes, then the summary line and the guard. */
export function renderDiff(report: DiffReport): string {
  const changed = report.diffs.filter((diff) => diff.op !== "same" || diff.options !== undefined);
  const lines = [
    `Offline plan for stack ${report.stack} against ${baselineLabel(report.baseline)}`,
    "",
  ];
  for (const diff of changed) {
    lines.push(...resourceLines(diff));
  }
  if (changed.length > 0) {
    lines.push("");
  }
  lines.push(`Resources: ${summaryLine(report.diffs)}.`);
  lines.push(...guardLines(report));
  if (report.verdict.notes.length > 0) {
    lines.push("", ...report.verdict.notes);
  }
  return lines.join("\n");
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** For a job summary: the changes first, the guard's verdict, the details collapsed. */
export function renderDiffMarkdown(report: DiffReport): string {
  const changed = report.diffs.filter((diff) => diff.op !== "same" || diff.options !== undefined);
  const lines = [
    `### Offline plan of stack \`${report.stack}\``,
    "",
    `Against ${escapeCell(baselineLabel(report.baseline))}: **${summaryLine(report.diffs)}**.`,
    "",
  ];
  if (changed.length > 0) {
    lines.push("| change | resource | type | inputs |", "| --- | --- | --- | --- |");
    for (const diff of changed) {
      const inputs = [
        ...new Set([...Object.keys(diff.statements), ...diff.changes.map((change) => change.path)]),
      ];
      lines.push(
        `| ${opLabel(diff)}${diff.refused ? " (refused: protected)" : ""} | \`${diff.name}\` | \`${diff.type}\` | ${escapeCell(inputs.join(", ")) || "-"} |`,
      );
    }
    lines.push("");
  }
  const guard = guardLines(report);
  lines.push(
    report.verdict.destructive.length > 0 && !report.allowDestructive
      ? `**${guard[0]}**`
      : guard[0],
  );
  lines.push(...guard.slice(1).map((line) => `- ${escapeCell(line.trim())}`));
  for (const note of report.verdict.notes) {
    lines.push("", note);
  }
  if (changed.length > 0) {
    const details = changed.flatMap(resourceLines);
    // A fence longer than any run of backticks in the values: config text cannot close it.
    const longest = Math.max(
      2,
      ...details.map((line) => Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))),
    );
    const fence = "`".repeat(longest + 1);
    lines.push(
      "",
      "<details><summary>Every change</summary>",
      "",
      `${fence}text`,
      ...details,
      fence,
      "",
      "</details>",
    );
  }
  return `${lines.join("\n")}\n`;
}

function oldStateOf(resource: BaselineResource): Record<string, unknown> {
  return {
    type: resource.type,
    urn: resource.urn,
    custom: resource.custom,
    ...(resource.id === undefined ? {} : { id: resource.id }),
    ...(resource.parent ? { parent: resource.parent } : {}),
    ...(resource.provider ? { provider: resource.provider } : {}),
    protect: resource.protect,
    ...(resource.retainOnDelete ? { retainOnDelete: true } : {}),
    dependencies: resource.dependencies,
    inputs: resource.inputs,
  };
}

/**
 * `--json` with a baseline, in the shape of `pulumi preview --json --show-replacement-steps
 * --show-sames` (pkg/display/json.go PreviewDigest): every step with op, urn, provider, oldState,
 * newState, diffReasons, replaceReasons and detailedDiff (`inputDiff: true`: old inputs against
 * new ones), plus this tool's own fields (refused, importCommand, the guard).
 */
export function toDiffJson(report: DiffReport): Record<string, unknown> {
  const steps: Record<string, unknown>[] = [];
  const deletesAfter: Record<string, unknown>[] = [];
  for (const diff of report.diffs) {
    const detailedDiff =
      diff.changes.length === 0
        ? null
        : Object.fromEntries(
            diff.changes.map((change) => [change.path, { kind: change.kind, inputDiff: true }]),
          );
    const step = (op: string): Record<string, unknown> => ({
      op,
      urn: diff.urn,
      ...((diff.new?.provider ?? diff.old?.provider)
        ? { provider: diff.new?.provider ?? diff.old?.provider }
        : {}),
      ...(diff.old === undefined || op === "create-replacement"
        ? {}
        : { oldState: oldStateOf(diff.old) }),
      ...(diff.new === undefined || op === "delete-replaced"
        ? {}
        : { newState: newStateOf(diff.new) }),
      ...(diff.changes.length > 0
        ? { diffReasons: [...new Set(diff.changes.map((change) => topLevel(change.path)))] }
        : {}),
      ...(diff.replaceReasons.length > 0 ? { replaceReasons: diff.replaceReasons } : {}),
      detailedDiff,
      ...(diff.refused === undefined ? {} : { refused: diff.refused }),
      ...(diff.importCommand === undefined ? {} : { importCommand: diff.importCommand }),
    });
    if (diff.op !== "replace") {
      steps.push(step(diff.op));
    } else if (diff.deleteBeforeReplace) {
      steps.push(step("delete-replaced"), step("replace"), step("create-replacement"));
    } else {
      // Create-before-delete: the old one goes after every create and update
      // (pkg/resource/deploy/step_generator.go, GenerateDeletes).
      steps.push(step("create-replacement"), step("replace"));
      deletesAfter.push(step("delete-replaced"));
    }
  }
  return {
    baseline: { file: report.baseline.file, kind: report.baseline.kind },
    steps: [...steps, ...deletesAfter],
    changeSummary: changeSummary(report.diffs),
    guard: {
      passed: report.verdict.destructive.length === 0 || report.allowDestructive,
      allowDestructive: report.allowDestructive,
      destructive: report.verdict.destructive,
      refused: report.verdict.refused,
      imports: report.verdict.imports,
    },
    notes: report.verdict.notes,
  };
}
