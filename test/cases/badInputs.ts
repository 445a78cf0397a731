import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { parse, stringify } from "yaml";
import { PROJECT_DIR } from "../../lib/paths";

/**
 * The bad-input catalogue: every way a user can hand the commands something wrong, with the
 * one-line error they must get. One table feeds the table-driven test and docs/bad-input.md.
 */

export interface Workspace {
  /** A private copy of the project's stacks/ (stack file and snapshot). */
  readonly stacks: string;
  /** A scratch folder for outputs and log files. */
  readonly scratch: string;
  /** Where the case's output file would go: it must not exist afterwards. */
  readonly output: string;
}

export interface BadInputCase {
  readonly area: "stack config" | "org snapshot" | "arguments" | "CloudTrail file" | "baseline";
  readonly command:
    | "plan"
    | "coverage"
    | "discover"
    | "replay"
    | "breakglass"
    | "bench"
    | "adopt"
    | "root-credentials"
    | "backtest";
  /** What is wrong, for the catalogue. */
  readonly input: string;
  readonly prepare?: (work: Workspace) => void;
  readonly args: (work: Workspace) => string[];
  /** Text the single error line must contain (it names the input and what to fix). */
  readonly expect: string;
  /** 2 for bad input; replay exits 1 when it skipped bad files. */
  readonly exitCode: 1 | 2;
}

const NS = "aws-org-guardrails";

export function newWorkspace(): Workspace {
  const root = mkdtempSync(path.join(tmpdir(), "bad-input-"));
  const stacks = path.join(root, "stacks");
  // The tests' dev stack, not the project's stacks/ (which a real repository replaces).
  cpSync(path.join(PROJECT_DIR, "test", "fixtures", "stacks"), stacks, { recursive: true });
  const scratch = path.join(root, "scratch");
  mkdirSync(scratch);
  return { stacks, scratch, output: path.join(root, "output.json") };
}

/** Edits the dev stack's config in the workspace. */
function editConfig(edit: (config: Record<string, any>) => void): (work: Workspace) => void {
  return (work) => {
    const file = path.join(work.stacks, "Pulumi.dev.yaml");
    const document = parse(readFileSync(file, "utf8"));
    edit(document.config);
    writeFileSync(file, stringify(document));
  };
}

/** Edits the dev stack file's text in the workspace (for what a YAML round trip would not keep). */
function editText(edit: (text: string) => string): (work: Workspace) => void {
  return (work) => {
    const file = path.join(work.stacks, "Pulumi.dev.yaml");
    const before = readFileSync(file, "utf8");
    const after = edit(before);
    if (after === before) {
      throw new Error("the edit changed nothing: the dev stack file is not as this case expects");
    }
    writeFileSync(file, after);
  };
}

/** Edits the dev organization snapshot in the workspace. */
function editSnapshot(edit: (snapshot: Record<string, any>) => void): (work: Workspace) => void {
  return (work) => {
    const file = path.join(work.stacks, "org.dev.json");
    const snapshot = JSON.parse(readFileSync(file, "utf8"));
    edit(snapshot);
    writeFileSync(file, JSON.stringify(snapshot));
  };
}

function inHours(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const plan = (work: Workspace): string[] => [
  "--stack",
  "dev",
  "--stacks",
  work.stacks,
  "--json",
  work.output,
];
const rootAccess = (value: Record<string, unknown>) =>
  editConfig((config) => {
    config[`${NS}:rootAccess`] = { ...config[`${NS}:rootAccess`], ...value };
  });
const breakGlass = (entry: Record<string, unknown>) => rootAccess({ breakGlass: [entry] });
const logFile = (name: string, content: Buffer | string) => (work: Workspace) =>
  writeFileSync(path.join(work.scratch, name), content);

const GOOD_RECORDS = JSON.stringify({
  Records: [
    {
      eventVersion: "1.08",
      userIdentity: { type: "Root", arn: "arn:aws:iam::223606797749:root" },
      eventName: "ConsoleLogin",
    },
  ],
});

const withBaseline =
  (name: string) =>
  (work: Workspace): string[] => [...plan(work), "--baseline", path.join(work.scratch, name)];
const baselineFile = (name: string, content: unknown) => (work: Workspace) =>
  writeFileSync(
    path.join(work.scratch, name),
    typeof content === "string" ? content : JSON.stringify(content),
  );
const OTHER_STACK_PLAN = {
  steps: [
    {
      op: "create",
      urn: "urn:pulumi:prod::aws-org-guardrails::pulumi:providers:aws::management",
      newState: {
        type: "pulumi:providers:aws",
        urn: "urn:pulumi:prod::aws-org-guardrails::pulumi:providers:aws::management",
        custom: true,
        inputs: {},
      },
    },
  ],
};

const NOVEMBER = ["--from", "2026-11-01", "--to", "2026-11-30"];

export const BAD_INPUTS: readonly BadInputCase[] = [
  {
    area: "arguments",
    command: "backtest",
    input: "a back-test of a stack whose back-test is not deployed",
    args: (w) => ["--stack", "dev", "--stacks", w.stacks, ...NOVEMBER],
    expect: `${NS}:backtest.enabled is false in stack dev`,
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "backtest",
    input: "an --accounts entry that is no account id",
    args: (w) => ["--stack", "dev", "--stacks", w.stacks, ...NOVEMBER, "--accounts", "prod"],
    expect: "--accounts: prod is not a 12-digit account id",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "backtest",
    input: "a --to before --from",
    args: (w) => [
      "--stack",
      "dev",
      "--stacks",
      w.stacks,
      "--from",
      "2026-11-30",
      "--to",
      "2026-11-01",
      "--print-sql",
    ],
    expect: "--from/--to: from 2026-11-30 is after to 2026-11-01",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "backtest",
    input: "a --regions entry that is no region of the organization's partition",
    args: (w) => [
      "--stack",
      "dev",
      "--stacks",
      w.stacks,
      ...NOVEMBER,
      "--regions",
      "eu-west-1,cn-north-1",
      "--print-sql",
    ],
    expect: "--regions: cn-north-1 is not a region of the aws partition",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "a back-test cutoff below the provider's 10 MiB",
    prepare: editConfig(
      (c) => (c[`${NS}:backtest`] = { enabled: true, bytesScannedCutoffPerQuery: 1000000 }),
    ),
    args: plan,
    expect: `${NS}:backtest.bytesScannedCutoffPerQuery: must be at least 10485760`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "a back-test reader outside the organization",
    prepare: editConfig(
      (c) =>
        (c[`${NS}:backtest`] = {
          enabled: true,
          readers: ["arn:aws:iam::999999999999:role/outsider"],
        }),
    ),
    args: plan,
    expect: `${NS}:backtest.readers[arn:aws:iam::999999999999:role/outsider]: arn:aws:iam::999999999999:role/outsider is not in an account of`,
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "root-credentials",
    input: "remove with neither --accounts nor --all",
    args: (w) => ["remove", "--stack", "dev", "--stacks", w.stacks],
    expect: "remove: name the accounts with --accounts <id,...>, or give --all",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "root-credentials",
    input: "the management account among --accounts",
    args: (w) => ["audit", "--stack", "dev", "--stacks", w.stacks, "--accounts", "314159265358"],
    expect: "--accounts: 314159265358 is the management account: its root user is never touched",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "coverage",
    input: "a root-credentials audit that does not exist",
    args: (w) => [
      "--stack",
      "dev",
      "--stacks",
      w.stacks,
      "--root-credentials",
      path.join(w.scratch, "audit.json"),
    ],
    expect: "audit.json: not found; write one with npm run root-credentials -- audit",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "a fast-path region of another partition",
    prepare: editConfig((c) => (c[`${NS}:fastPath`] = { regions: ["eu-central-1", "cn-north-1"] })),
    args: plan,
    expect: `${NS}:fastPath.regions[cn-north-1]: cn-north-1 is in the aws-cn partition`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "more fast-path stack instances (accounts x regions) than the stack set quota",
    prepare: editConfig((c) => (c[`${NS}:fastPath`] = { stackInstanceQuota: 5 })),
    args: plan,
    expect: "stack instances, over the stack set quota of 5 (fastPath.stackInstanceQuota)",
    exitCode: 2,
  },
  {
    area: "org snapshot",
    command: "coverage",
    input: "a fast-path stack instance in a region that is no region",
    prepare: editSnapshot((s) => {
      s.stackSet = {
        StackSetName: "aws-org-guardrails-root-activity-fast-path",
        Region: "eu-west-1",
        Exists: true,
        Instances: [{ Account: "223606797749", Region: "Ireland", Status: "CURRENT" }],
      };
    }),
    args: (w) => ["--stack", "dev", "--stacks", w.stacks],
    expect: "stackSet.Instances[0].Region: must be a region such as eu-west-1",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "management account id of 11 digits",
    prepare: editConfig((c) => (c[`${NS}:managementAccountId`] = "31415926535")),
    args: plan,
    expect: `${NS}:managementAccountId: must be 12 digits, got "31415926535"`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "unquoted account id inside a map (a YAML number)",
    prepare: editConfig((c) => (c[`${NS}:logArchive`].accountId = 271828182845)),
    args: plan,
    expect: `${NS}:logArchive.accountId: must be a quoted string of 12 digits`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "unquoted top-level account id (a YAML number, like a nested one)",
    prepare: editText((text) =>
      text.replace(
        `${NS}:managementAccountId: "314159265358"`,
        `${NS}:managementAccountId: 314159265358`,
      ),
    ),
    args: plan,
    expect: `${NS}:managementAccountId: must be a quoted string of 12 digits (YAML reads an unquoted id as a number and drops leading zeros)`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "a key under a misspelt namespace",
    prepare: editConfig((c) => {
      c["aws-org-guardrail:scpLimits"] = c[`${NS}:scpLimits`];
      delete c[`${NS}:scpLimits`];
    }),
    args: plan,
    expect: `aws-org-guardrail:scpLimits: "aws-org-guardrail" is not this project's namespace (${NS}); did you mean ${NS}:scpLimits?`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "a single address where a list is expected",
    prepare: editConfig((c) => (c[`${NS}:alerts`].emails = "platform-oncall@example.com")),
    args: plan,
    expect: `${NS}:alerts.emails: the text "platform-oncall@example.com" is not a list; write each entry on a line of its own starting with "- ", or as [a, b]`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "a quoted number",
    prepare: editConfig((c) => (c[`${NS}:rootAccess`].maxBreakGlassHours = "72")),
    args: plan,
    expect: `${NS}:rootAccess.maxBreakGlassHours: the text "72" is not a number; write the number without quotes`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "malformed alert e-mail",
    prepare: editConfig((c) => (c[`${NS}:alerts`].emails = ["oncall.example.com"])),
    args: plan,
    expect: `${NS}:alerts.emails[oncall.example.com]: must be an e-mail address, got "oncall.example.com"`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "no alert destination at all",
    prepare: editConfig((c) => (c[`${NS}:alerts`].emails = [])),
    args: plan,
    expect: `${NS}:alerts.emails: must list at least one address`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "alert subscription over http",
    prepare: editConfig(
      (c) =>
        (c[`${NS}:alerts`].subscriptions = [
          { protocol: "http", endpoint: "http://hooks.example.com" },
        ]),
    ),
    args: plan,
    expect: "http is refused: alerts must not travel in clear",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "home region that is not a region",
    prepare: editConfig((c) => (c[`${NS}:homeRegion`] = "Ireland")),
    args: plan,
    expect: `${NS}:homeRegion: "Ireland" is not an AWS region; give a region code such as eu-west-1`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "home region of the right shape that AWS does not have",
    prepare: editConfig((c) => (c[`${NS}:homeRegion`] = "eu-west-9")),
    args: plan,
    expect: `${NS}:homeRegion: "eu-west-9" is not an AWS region; did you mean eu-west-1?`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "home region in another partition than the organization",
    prepare: editConfig((c) => {
      c[`${NS}:homeRegion`] = "cn-north-1";
      delete c["aws:region"];
    }),
    args: plan,
    expect: `${NS}:homeRegion: cn-north-1 is in the aws-cn partition, but o-7h2kq9x4mz is in aws; use a region of aws such as `,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "notifier reserved concurrency of 0",
    prepare: editConfig((c) => (c[`${NS}:alerts`].notifierReservedConcurrency = 0)),
    args: plan,
    expect: `${NS}:alerts.notifierReservedConcurrency: must be at least 1 (or null to reserve none)`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "trail name too long for the delegated-administrator suffix",
    prepare: editConfig((c) => {
      c[`${NS}:trail`] = { name: "t".repeat(125) };
      c[`${NS}:centralLogs`].location = "delegatedAdministrator";
    }),
    args: plan,
    expect: `${NS}:trail.name: 125 characters; in the delegatedAdministrator location the trail is named <name>-delegated, which must stay within CloudTrail's 128: shorten it to 118`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "an Identity Center role as the protection exemption",
    prepare: editConfig(
      (c) =>
        (c[`${NS}:protection`] = {
          exceptRoleArnPatterns: [
            "arn:aws:iam::271828182845:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_*",
          ],
        }),
    ),
    args: plan,
    expect: `${NS}:protection.exceptRoleArnPatterns[0]: must not name an IAM Identity Center (aws-reserved/) or service-linked (aws-service-role/) role`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "paging with nobody to page",
    prepare: editConfig((c) => (c[`${NS}:alerts`].paging = { emails: [] })),
    args: plan,
    expect: `${NS}:alerts.paging.emails: must list at least one address (or add paging.subscriptions)`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "log reader outside the organization",
    prepare: editConfig(
      (c) => (c[`${NS}:logArchive`].readers = ["arn:aws:iam::999999999999:role/siem-vendor"]),
    ),
    args: plan,
    expect: `${NS}:logArchive.readers[arn:aws:iam::999999999999:role/siem-vendor]: arn:aws:iam::999999999999:role/siem-vendor is not in an account of o-7h2kq9x4mz; readers of the organization's audit log must be principals of its own accounts`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "centralLogs.movingFrom the same as its location",
    prepare: editConfig((c) => (c[`${NS}:centralLogs`].movingFrom = "management")),
    args: plan,
    expect: `${NS}:centralLogs.movingFrom: is the same as location (management); set it to the location the log group is moving from, or remove it`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "aws:region that differs from homeRegion",
    prepare: editConfig((c) => (c["aws:region"] = "us-east-1")),
    args: plan,
    expect: `aws:region: us-east-1 differs from ${NS}:homeRegion (eu-west-1), which every provider of this program uses; set aws:region to eu-west-1 or remove it`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "break-glass entry without a reason",
    prepare: breakGlass({ accountId: "223606797749", expiresAt: inHours(2) }),
    args: plan,
    expect: `${NS}:rootAccess.breakGlass[223606797749].reason: is required`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "break-glass entry that has expired",
    prepare: breakGlass({ accountId: "223606797749", reason: "INC-1", expiresAt: inHours(-1) }),
    args: plan,
    expect: "has passed; the window is closed, remove this entry",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "break-glass entry opened after it closes",
    prepare: breakGlass({
      accountId: "223606797749",
      reason: "INC-1",
      openedAt: inHours(3),
      expiresAt: inHours(2),
    }),
    args: plan,
    expect: "is not before expiresAt",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "break-glass window beyond the maximum",
    prepare: breakGlass({ accountId: "223606797749", reason: "INC-1", expiresAt: inHours(200) }),
    args: plan,
    expect: "a window may last at most 72 h (rootAccess.maxBreakGlassHours)",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "break-glass entry for an account not in the organization",
    prepare: breakGlass({ accountId: "999999999999", reason: "INC-1", expiresAt: inHours(2) }),
    args: plan,
    expect: `${NS}:rootAccess.breakGlass[999999999999].accountId: 999999999999 is not an account of o-7h2kq9x4mz`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "break-glass entry for the management account",
    prepare: breakGlass({ accountId: "314159265358", reason: "INC-1", expiresAt: inHours(2) }),
    args: plan,
    expect: "is the management account; SCPs never apply to it",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "break-glass expiry not in ISO-8601 UTC",
    prepare: breakGlass({ accountId: "223606797749", reason: "INC-1", expiresAt: "tomorrow 6pm" }),
    args: plan,
    expect: "must be an ISO-8601 UTC time ending in Z",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "SCP target that is not in the organization",
    prepare: rootAccess({ targets: ["ou-zzzz-00000000"] }),
    args: plan,
    expect: `${NS}:rootAccess.targets[ou-zzzz-00000000]: "ou-zzzz-00000000" is not in o-7h2kq9x4mz`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "log retention CloudWatch Logs does not accept",
    prepare: editConfig((c) => (c[`${NS}:centralLogs`].retentionInDays = 42)),
    args: plan,
    expect: `${NS}:centralLogs.retentionInDays: must be one of the values CloudWatch Logs accepts`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "log-archive account equal to the management account",
    prepare: editConfig((c) => (c[`${NS}:logArchive`].accountId = "314159265358")),
    args: plan,
    expect: `${NS}:logArchive.accountId: must not be the management account`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "Object Lock days without Object Lock",
    prepare: editConfig((c) => (c[`${NS}:logArchive`].objectLock = { days: 30 })),
    args: plan,
    expect: `${NS}:logArchive.objectLock.days: is set but objectLock.enabled is false`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "misspelt key",
    prepare: editConfig((c) => (c[`${NS}:rootAccess`].breakglass = [])),
    args: plan,
    expect: `${NS}:rootAccess.breakglass: unknown key; did you mean breakGlass? (docs/config.md lists every key)`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "SCP size budget above AWS's largest",
    prepare: editConfig((c) => (c[`${NS}:scpLimits`].maxPolicyCharacters = 20000)),
    args: plan,
    expect: "must be at most 10240, the largest SCP AWS accepts",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "more SCPs per target than the quota allows",
    prepare: editConfig((c) => (c[`${NS}:scpLimits`].maxPoliciesPerTarget = 2)),
    args: plan,
    expect: "over aws-org-guardrails:scpLimits.maxPoliciesPerTarget (2)",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "declared account reusing another account's e-mail",
    prepare: editConfig((c) =>
      c[`${NS}:accounts`].push({ name: "new-one", email: "aws-audit@example.com", ou: "Root" }),
    ),
    args: plan,
    expect: "belongs to the existing account 161803398874 (audit)",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "declared account in an OU that does not exist",
    prepare: editConfig((c) =>
      c[`${NS}:accounts`].push({
        name: "new-one",
        email: "aws-new-one@example.com",
        ou: "Nowhere",
      }),
    ),
    args: plan,
    expect: `"Nowhere" is not an OU of this organization or this stack`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "the whole project config missing",
    prepare: editConfig((c) =>
      Object.keys(c)
        .filter((k) => k.startsWith(NS))
        .forEach((k) => delete c[k]),
    ),
    args: plan,
    expect: `No ${NS}: config found`,
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "a secret (secure:) value, which cannot be decrypted offline",
    prepare: editConfig((c) => (c[`${NS}:homeRegion`] = { secure: "v1:abc" })),
    args: plan,
    expect: "is a secret (secure:), which cannot be decrypted offline",
    exitCode: 2,
  },
  {
    area: "stack config",
    command: "plan",
    input: "stack file that is not YAML",
    prepare: (w) => writeFileSync(path.join(w.stacks, "Pulumi.dev.yaml"), "config: [unclosed"),
    args: plan,
    expect: "Pulumi.dev.yaml: not valid YAML",
    exitCode: 2,
  },
  // Organization snapshots.
  {
    area: "org snapshot",
    command: "plan",
    input: "snapshot file missing",
    args: (w) => [...plan(w), "--org", path.join(w.scratch, "nope.json")],
    expect: "organization snapshot not found; write one with npm run discover",
    exitCode: 2,
  },
  {
    area: "org snapshot",
    command: "plan",
    input: "snapshot that is not JSON",
    prepare: (w) => writeFileSync(path.join(w.stacks, "org.dev.json"), "{ not json"),
    args: plan,
    expect: "org.dev.json: not JSON",
    exitCode: 2,
  },
  {
    area: "org snapshot",
    command: "plan",
    input: "account whose parent is not in the snapshot",
    prepare: editSnapshot((s) => (s.accounts[2].ParentId = "ou-4f8a-00000000")),
    args: plan,
    expect: "accounts[2].ParentId: ou-4f8a-00000000 is neither the root nor an OU in this snapshot",
    exitCode: 2,
  },
  {
    area: "org snapshot",
    command: "coverage",
    input: "snapshot without a root",
    prepare: editSnapshot((s) => (s.roots = [])),
    args: (w) => ["--stack", "dev", "--stacks", w.stacks, "--json", w.output],
    expect: "roots: an organization has exactly one root",
    exitCode: 2,
  },
  {
    area: "org snapshot",
    command: "coverage",
    input: "organization without all features (no SCPs)",
    prepare: editSnapshot((s) => (s.organization.FeatureSet = "CONSOLIDATED_BILLING")),
    args: (w) => ["--stack", "dev", "--stacks", w.stacks, "--json", w.output],
    expect: "service control policies need all features enabled",
    exitCode: 2,
  },
  // Command-line arguments of every command.
  {
    area: "arguments",
    command: "plan",
    input: "plan without --stack",
    args: () => [],
    expect: "--stack is required; usage: npm run plan",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "plan",
    input: "plan with an unknown option",
    args: () => ["--stack", "dev", "--dry-run"],
    expect: "Unknown option '--dry-run'",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "plan",
    input: "plan of a stack that has no stack file",
    args: (w) => ["--stack", "nosuch", "--stacks", w.stacks],
    expect: 'Pulumi.nosuch.yaml: stack file for stack "nosuch" not found',
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "plan",
    input: "plan with a stack name Pulumi would refuse",
    args: () => ["--stack", "dev/../prod"],
    expect: '--stack: "dev/../prod" is not a stack name',
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "coverage",
    input: "coverage without --stack",
    args: () => [],
    expect: "--stack is required; usage: npm run coverage",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "coverage",
    input: "coverage with an unknown option",
    args: () => ["--stack", "dev", "--all"],
    expect: "Unknown option '--all'",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "adopt",
    input: "adopt without --stack",
    args: () => [],
    expect: "--stack is required; usage: npm run adopt",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "discover",
    input: "discover without --out",
    args: () => [],
    expect: "--out",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "discover",
    input: "discover with an unknown option",
    args: (w) => ["--out", w.output, "--organization", "o-1"],
    expect: "Unknown option '--organization'",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "replay",
    input: "replay with nothing to read",
    args: () => [],
    expect: "name at least one CloudTrail log file or directory",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "replay",
    input: "replay with an unknown option",
    args: (w) => ["--since", "2026-01-01", w.scratch],
    expect: "Unknown option '--since'",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "replay",
    input: "replay of a folder without log files",
    args: (w) => ["--json", w.output, w.scratch],
    expect: "no .json or .json.gz files under",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "replay",
    input: "replay of a folder holding only JSON Lines files",
    prepare: logFile("events.jsonl", `${JSON.stringify({ eventVersion: "1.08" })}\n`),
    args: (w) => [w.scratch],
    expect: "found 1 JSON Lines file (one record per line), such as",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "breakglass",
    input: "breakglass without a command",
    args: (w) => ["--stack", "dev", "--stacks", w.stacks],
    expect: "name a command: open, close or list",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "breakglass",
    input: "breakglass open without --reason",
    args: (w) => ["open", "--stack", "dev", "--stacks", w.stacks, "--account", "223606797749"],
    expect: "open: --reason required",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "breakglass",
    input: "breakglass open with an account id of 10 digits",
    args: (w) => [
      "open",
      "--stack",
      "dev",
      "--stacks",
      w.stacks,
      "--account",
      "2236067977",
      "--reason",
      "INC-1",
    ],
    expect: '--account: "2236067977" is not a 12-digit account id',
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "breakglass",
    input: "breakglass open for zero hours",
    args: (w) => [
      "open",
      "--stack",
      "dev",
      "--stacks",
      w.stacks,
      "--account",
      "223606797749",
      "--reason",
      "INC-1",
      "--hours",
      "0",
      "--task",
      "other",
    ],
    expect: '--hours: must be a positive number of hours, got "0"',
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "breakglass",
    input: "breakglass open for the management account",
    args: (w) => [
      "open",
      "--stack",
      "dev",
      "--stacks",
      w.stacks,
      "--account",
      "314159265358",
      "--reason",
      "INC-1",
      "--task",
      "other",
    ],
    expect: "is the management account; SCPs never apply to it",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "breakglass",
    input: "breakglass close of an account without an entry",
    args: (w) => ["close", "--stack", "dev", "--stacks", w.stacks, "--account", "223606797749"],
    expect: "--account: 223606797749 has no break-glass entry in",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "bench",
    input: "bench with an unknown benchmark",
    args: () => ["replays"],
    expect: "unknown benchmark replays; choose from",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "plan",
    input: "plan --json into a folder that does not exist",
    args: (w) => ["--stack", "dev", "--stacks", w.stacks, "--json", "/nonexistent/plan.json"],
    expect: "--json: the folder /nonexistent does not exist",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "coverage",
    input: "coverage --json into a folder that does not exist",
    args: (w) => ["--stack", "dev", "--stacks", w.stacks, "--json", "/nonexistent/coverage.json"],
    expect: "--json: the folder /nonexistent does not exist",
    exitCode: 2,
  },
  {
    area: "arguments",
    command: "replay",
    input: "replay --json into a folder that does not exist",
    args: (w) => ["--json", "/nonexistent/replay.json", w.scratch],
    expect: "--json: the folder /nonexistent does not exist",
    exitCode: 2,
  },
  // CloudTrail files for replay: named, skipped, exit 1.
  {
    area: "CloudTrail file",
    command: "replay",
    input: "truncated gzip",
    prepare: (w) => {
      const gz = gzipSync(GOOD_RECORDS);
      logFile("cut.json.gz", gz.subarray(0, gz.length - 12))(w);
    },
    args: (w) => ["--json", w.output, w.scratch],
    expect: "cut.json.gz: truncated gzip",
    exitCode: 1,
  },
  {
    area: "CloudTrail file",
    command: "replay",
    input: "file that is not JSON",
    prepare: logFile("notes.json", "these are my notes"),
    args: (w) => [w.scratch],
    expect: "notes.json: not JSON",
    exitCode: 1,
  },
  {
    area: "CloudTrail file",
    command: "replay",
    input: "JSON without a Records array",
    prepare: logFile("events.json", JSON.stringify({ events: [] })),
    args: (w) => [w.scratch],
    expect: 'events.json: not a CloudTrail log file: no "Records" array',
    exitCode: 1,
  },
  {
    area: "CloudTrail file",
    command: "replay",
    input: ".gz file that is not gzip",
    prepare: logFile("plain.json.gz", GOOD_RECORDS),
    args: (w) => [w.scratch],
    expect: "plain.json.gz: not gzip data (or corrupt)",
    exitCode: 1,
  },
  {
    area: "CloudTrail file",
    command: "replay",
    input: "a path that does not exist",
    args: (w) => [path.join(w.scratch, "missing.json")],
    expect: "missing.json: no such file",
    exitCode: 1,
  },
  {
    area: "CloudTrail file",
    command: "replay",
    input: "a .json.gz path that does not exist",
    args: (w) => ["--json", w.output, path.join(w.scratch, "missing.json.gz")],
    expect: "missing.json.gz: no such file",
    exitCode: 1,
  },
  {
    area: "CloudTrail file",
    command: "replay",
    input: "JSON Lines (one record per line) named as a file",
    prepare: logFile(
      "events.jsonl",
      `${JSON.stringify({ eventVersion: "1.08", eventName: "ConsoleLogin" })}\n${JSON.stringify({ eventVersion: "1.08", eventName: "GetRole" })}\n`,
    ),
    args: (w) => [path.join(w.scratch, "events.jsonl")],
    expect:
      "events.jsonl: JSON Lines (one record per line), not a CloudTrail log file; CloudTrail log files are {\"Records\": [...]}; convert with: jq -c -s '{Records: .}'",
    exitCode: 1,
  },
  {
    area: "CloudTrail file",
    command: "replay",
    input: "one CloudTrail record alone",
    prepare: logFile("record.json", JSON.stringify({ eventVersion: "1.08", eventName: "GetRole" })),
    args: (w) => [w.scratch],
    expect: "record.json: one CloudTrail record, not a log file; CloudTrail log files are",
    exitCode: 1,
  },
  {
    area: "CloudTrail file",
    command: "replay",
    input: "a CloudTrail digest file named as a file",
    prepare: logFile(
      "111122223333_CloudTrail-Digest_eu-west-1_org_eu-west-1_20261101T000000Z.json.gz",
      gzipSync(
        JSON.stringify({
          awsAccountId: "111122223333",
          digestStartTime: "2026-11-01T00:00:00Z",
          logFiles: [],
        }),
      ),
    ),
    args: (w) => [
      path.join(
        w.scratch,
        "111122223333_CloudTrail-Digest_eu-west-1_org_eu-west-1_20261101T000000Z.json.gz",
      ),
    ],
    expect: "a CloudTrail digest file (log file validation): it holds no records",
    exitCode: 1,
  },
  {
    area: "CloudTrail file",
    command: "replay",
    input: "two log files joined into one",
    prepare: logFile("joined.json", `${GOOD_RECORDS}\n${GOOD_RECORDS}`),
    args: (w) => [w.scratch],
    expect: "joined.json: several JSON documents in one file (files joined?)",
    exitCode: 1,
  },
  {
    area: "CloudTrail file",
    command: "replay",
    input: "lookup-events output whose events have no CloudTrailEvent",
    prepare: logFile(
      "history.json",
      JSON.stringify({ Events: [{ EventId: "1", EventName: "ConsoleLogin", Username: "root" }] }),
    ),
    args: (w) => [w.scratch],
    expect: 'history.json: event 1 of "Events" has no CloudTrailEvent',
    exitCode: 1,
  },
  {
    area: "baseline",
    command: "plan",
    input: "baseline that is not JSON (a YAML file)",
    prepare: baselineFile("base.yaml", "steps: []\n"),
    args: withBaseline("base.yaml"),
    expect: "base.yaml: not JSON (",
    exitCode: 2,
  },
  {
    area: "baseline",
    command: "plan",
    input: "baseline of another stack",
    prepare: baselineFile("prod-plan.json", OTHER_STACK_PLAN),
    args: withBaseline("prod-plan.json"),
    expect:
      "prod-plan.json: is of stack prod of project aws-org-guardrails, not dev of aws-org-guardrails",
    exitCode: 2,
  },
  {
    area: "baseline",
    command: "plan",
    input: "baseline in an unknown format",
    prepare: baselineFile("coverage.json", { accounts: [], uncovered: [] }),
    args: withBaseline("coverage.json"),
    expect: "coverage.json: an unknown format",
    exitCode: 2,
  },
  {
    area: "baseline",
    command: "plan",
    input: "stack export of a version Pulumi does not write",
    prepare: baselineFile("state.json", { version: 9, deployment: { resources: [] } }),
    args: withBaseline("state.json"),
    expect: "state.json: a stack export of version 9, expected 1 to 4",
    exitCode: 2,
  },
  {
    area: "baseline",
    command: "plan",
    input: "baseline that is the output file too",
    args: (work) => [...plan(work), "--baseline", work.output],
    expect: "is also an input of this command",
    exitCode: 2,
  },
  // Stack config, through the offline plan.
];

/** The catalogue as Markdown, for docs/bad-input.md. */
