import { describe, expect, it } from "vitest";
import { guardrailConfigSchema } from "../config/schema";
import {
  missingConfigError,
  projectConfigFromPulumi,
  validateGuardrailConfig,
} from "../config/validate";
import { InputError } from "../lib/errors";
import { DEV, devOrganization, devRawConfig, hoursFromNow } from "./support/fixtures";

const organization = devOrganization();
const now = new Date();

type Raw = Record<string, any>;

function problemsOf(edit: (raw: Raw) => void): string[] {
  const raw = devRawConfig() as Raw;
  edit(raw);
  try {
    validateGuardrailConfig(raw, { organization, now });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return [...(error as InputError).problems];
  }
  throw new Error("expected the config to be rejected");
}

function withBreakGlass(entry: Record<string, unknown>): (raw: Raw) => void {
  return (raw) => {
    raw.rootAccess.breakGlass = [entry];
  };
}

describe("stack config validation", () => {
  it("accepts the dev stack and applies defaults", () => {
    const config = validateGuardrailConfig(devRawConfig(), { organization, now });
    expect(config.managementAccountId).toBe(DEV.management);
    expect(config.logArchive).toMatchObject({
      accountId: DEV.logArchive,
      roleName: "OrganizationAccountAccessRole",
    });
    expect(config.rootAccess.targets).toEqual(["Root"]);
    expect(config.scpLimits).toEqual({ maxPolicyCharacters: 5120, maxPoliciesPerTarget: 5 });
  });

  it("defaults the SCP targets to the organization's Root and the limits to 5,120 characters and 5 SCPs", () => {
    const raw = devRawConfig();
    delete raw.rootAccess;
    delete raw.scpLimits;
    delete raw.centralLogs;
    const config = validateGuardrailConfig(raw, { organization, now });
    expect(config.rootAccess).toEqual({
      targets: ["Root"],
      breakGlass: [],
      maxBreakGlassHours: 72,
    });
    expect(config.scpLimits).toEqual({ maxPolicyCharacters: 5120, maxPoliciesPerTarget: 5 });
    expect(config.centralLogs.retentionInDays).toBe(365);
  });

  it("gives a section left out the same defaults as an empty one: each default is stated once, on its field", () => {
    const sections = [
      "trail",
      "rootAccess",
      "centralLogs",
      "scpLimits",
      "protection",
      "centralizedRootAccess",
      "rootMfaRule",
    ] as const;
    const raw = devRawConfig();
    for (const section of [...sections, "organizationalUnits", "accounts"]) {
      delete raw[section];
    }
    delete (raw.logArchive as Raw).objectLock;
    const leftOut = validateGuardrailConfig(raw, { organization, now });
    const empty = validateGuardrailConfig(
      {
        ...raw,
        ...Object.fromEntries(sections.map((section) => [section, {}])),
        logArchive: { ...(raw.logArchive as Raw), objectLock: {} },
      },
      { organization, now },
    );
    for (const section of sections) {
      expect(leftOut[section], section).toEqual(empty[section]);
    }
    expect(leftOut.logArchive.objectLock).toEqual({ enabled: false });
    expect(leftOut.trail).toEqual({ name: "aws-org-guardrails" });
    expect(leftOut.centralLogs).toEqual({
      retentionInDays: 365,
      logGroupName: "/aws-org-guardrails/cloudtrail",
      location: "management",
    });
    expect(leftOut.centralizedRootAccess).toEqual({ enabled: true, delegatedAdministrators: [] });
  });

  it("accepts an open break-glass window for a member account", () => {
    const raw = devRawConfig() as Raw;
    raw.rootAccess.breakGlass = [
      {
        accountId: DEV.paymentsProd,
        reason: "unlock bucket policy",
        expiresAt: hoursFromNow(4, now),
      },
    ];
    expect(validateGuardrailConfig(raw, { organization, now }).rootAccess.breakGlass).toHaveLength(
      1,
    );
  });

  it("should reject an account id that is not 12 digits, naming the key", () => {
    expect(problemsOf((raw) => (raw.managementAccountId = "31415926535"))).toEqual([
      'aws-org-guardrails:managementAccountId: must be 12 digits, got "31415926535"',
    ]);
  });

  it("should reject an unquoted (numeric) account id and say to quote it", () => {
    expect(problemsOf((raw) => (raw.logArchive.accountId = 271828182845))).toEqual([
      "aws-org-guardrails:logArchive.accountId: must be a quoted string of 12 digits (YAML reads an unquoted id as a number and drops leading zeros)",
    ]);
  });

  it("should reject a malformed e-mail address", () => {
    expect(
      problemsOf((raw) => (raw.alerts.emails = ["oncall@example.com", "not-an-address"])),
    ).toEqual([
      'aws-org-guardrails:alerts.emails[1]: must be an e-mail address, got "not-an-address"',
    ]);
  });

  it("should reject alerts without any address", () => {
    expect(problemsOf((raw) => (raw.alerts.emails = []))).toEqual([
      "aws-org-guardrails:alerts.emails: must list at least one address (or add alerts.subscriptions): an alarm nobody receives protects nothing",
    ]);
  });

  it("should reject a break-glass entry without a reason", () => {
    expect(
      problemsOf(withBreakGlass({ accountId: DEV.paymentsProd, expiresAt: hoursFromNow(2, now) })),
    ).toEqual([
      "aws-org-guardrails:rootAccess.breakGlass[0].reason: is required: say why root is needed (it is kept in the stack history)",
    ]);
  });

  it("should reject a break-glass entry whose reason is blank", () => {
    expect(
      problemsOf(
        withBreakGlass({
          accountId: DEV.paymentsProd,
          reason: "  ",
          expiresAt: hoursFromNow(2, now),
        }),
      ),
    ).toEqual([
      "aws-org-guardrails:rootAccess.breakGlass[0].reason: must not be empty: say why root is needed (it is kept in the stack history)",
    ]);
  });

  it("should reject a break-glass entry that has already expired and tell the user to remove it", () => {
    const expiresAt = hoursFromNow(-1, now);
    expect(
      problemsOf(withBreakGlass({ accountId: DEV.paymentsProd, reason: "r", expiresAt })),
    ).toEqual([
      `aws-org-guardrails:rootAccess.breakGlass[0].expiresAt: ${expiresAt} has passed; the window is closed, remove this entry`,
    ]);
  });

  it("should reject a break-glass entry opened after it closes, or opened in the future", () => {
    const expiresAt = hoursFromNow(2, now);
    const late = hoursFromNow(3, now);
    const future = hoursFromNow(1, now);
    expect(
      problemsOf(
        withBreakGlass({ accountId: DEV.paymentsProd, reason: "r", openedAt: late, expiresAt }),
      ),
    ).toEqual([
      `aws-org-guardrails:rootAccess.breakGlass[0].openedAt: ${late} is not before expiresAt ${expiresAt}; a window opens before it closes`,
    ]);
    expect(
      problemsOf(
        withBreakGlass({ accountId: DEV.paymentsProd, reason: "r", openedAt: future, expiresAt }),
      ),
    ).toEqual([
      `aws-org-guardrails:rootAccess.breakGlass[0].openedAt: ${future} is in the future, but the SCP opens the window when it is deployed; use the current time or leave openedAt out`,
    ]);
    expect(
      problemsOf(
        withBreakGlass({
          accountId: DEV.paymentsProd,
          reason: "r",
          openedAt: "yesterday",
          expiresAt,
        }),
      ),
    ).toEqual([
      'aws-org-guardrails:rootAccess.breakGlass[0].openedAt: must be an ISO-8601 UTC time ending in Z, such as 2026-01-31T12:00:00Z, got "yesterday"',
    ]);
  });

  it("should reject a break-glass window beyond the maximum", () => {
    const expiresAt = hoursFromNow(100, now);
    expect(
      problemsOf(withBreakGlass({ accountId: DEV.paymentsProd, reason: "r", expiresAt })),
    ).toEqual([
      `aws-org-guardrails:rootAccess.breakGlass[0].expiresAt: ${expiresAt} is 100 h from now; a window may last at most 72 h (rootAccess.maxBreakGlassHours)`,
    ]);
  });

  it("should judge the window against a configured maximum", () => {
    const expiresAt = hoursFromNow(10, now);
    const problems = problemsOf((raw) => {
      raw.rootAccess.maxBreakGlassHours = 8;
      raw.rootAccess.breakGlass = [{ accountId: DEV.paymentsProd, reason: "r", expiresAt }];
    });
    expect(problems).toEqual([
      `aws-org-guardrails:rootAccess.breakGlass[0].expiresAt: ${expiresAt} is 10 h from now; a window may last at most 8 h (rootAccess.maxBreakGlassHours)`,
    ]);
  });

  it("should reject an expiry that is not ISO-8601 UTC", () => {
    expect(
      problemsOf(
        withBreakGlass({ accountId: DEV.paymentsProd, reason: "r", expiresAt: "2026-11-25 18:00" }),
      ),
    ).toEqual([
      'aws-org-guardrails:rootAccess.breakGlass[0].expiresAt: must be an ISO-8601 UTC time ending in Z, such as 2026-01-31T18:00:00Z, got "2026-11-25 18:00"',
    ]);
  });

  it("should reject a break-glass entry for an account not in the organization", () => {
    expect(
      problemsOf(
        withBreakGlass({ accountId: "999999999999", reason: "r", expiresAt: hoursFromNow(2, now) }),
      ),
    ).toEqual([
      "aws-org-guardrails:rootAccess.breakGlass[0].accountId: 999999999999 is not an account of o-7h2kq9x4mz",
    ]);
  });

  it("should reject a break-glass entry for the management account, which SCPs never reach", () => {
    expect(
      problemsOf(
        withBreakGlass({ accountId: DEV.management, reason: "r", expiresAt: hoursFromNow(2, now) }),
      ),
    ).toEqual([
      "aws-org-guardrails:rootAccess.breakGlass[0].accountId: 314159265358 is the management account; SCPs never apply to it, so there is nothing to break out of",
    ]);
  });

  it("should reject a break-glass entry for a suspended account", () => {
    expect(
      problemsOf(
        withBreakGlass({ accountId: DEV.suspended, reason: "r", expiresAt: hoursFromNow(2, now) }),
      ),
    ).toEqual([
      "aws-org-guardrails:rootAccess.breakGlass[0].accountId: 346410161513 (legacy-batch) is SUSPENDED, not ACTIVE",
    ]);
  });

  it("should reject two break-glass entries for one account", () => {
    const entry = { accountId: DEV.paymentsProd, reason: "r", expiresAt: hoursFromNow(2, now) };
    expect(problemsOf((raw) => (raw.rootAccess.breakGlass = [entry, entry]))).toEqual([
      "aws-org-guardrails:rootAccess.breakGlass[1].accountId: 223606797749 already has a break-glass entry; keep one per account",
    ]);
  });

  it("should reject a break-glass entry for an account no target covers", () => {
    const problems = problemsOf((raw) => {
      raw.rootAccess.targets = [DEV.prodOu, DEV.securityOu];
      raw.rootAccess.breakGlass = [
        { accountId: DEV.webDev, reason: "r", expiresAt: hoursFromNow(2, now) },
      ];
    });
    expect(problems).toEqual([
      "aws-org-guardrails:rootAccess.breakGlass[0].accountId: 300000000003 (web-dev) is under no rootAccess target, so its root is not denied and a break-glass entry changes nothing; remove it",
    ]);
  });

  it("should reject an SCP target that is not in the organization", () => {
    expect(problemsOf((raw) => (raw.rootAccess.targets = ["Root", "ou-zzzz-00000000"]))).toEqual([
      'aws-org-guardrails:rootAccess.targets[1]: "ou-zzzz-00000000" is not in o-7h2kq9x4mz; use "Root", the root id r-4f8a, or the id of one of its OUs',
    ]);
  });

  it("should reject targets that leave the log-archive account outside the protection SCP", () => {
    expect(problemsOf((raw) => (raw.rootAccess.targets = [DEV.workloadsOu]))).toEqual([
      "aws-org-guardrails:rootAccess.targets: no target covers the log-archive account 271828182845 (log-archive), so the protection SCP could not guard the archive; add its OU or use Root",
    ]);
  });

  it("should refuse a protection exception that is an account or root, not a role", () => {
    expect(
      problemsOf(
        (raw) =>
          (raw.protection = {
            exceptRoleArnPatterns: ["arn:aws:iam::271828182845:root", "arn:aws:iam::*:role/Admin"],
          }),
      ),
    ).toEqual([
      'aws-org-guardrails:protection.exceptRoleArnPatterns[0]: must be a role ARN pattern in one account, such as arn:aws:iam::123456789012:role/OrganizationAccountAccessRole (never an account, a user or root), got "arn:aws:iam::271828182845:root"',
      'aws-org-guardrails:protection.exceptRoleArnPatterns[1]: must be a role ARN pattern in one account, such as arn:aws:iam::123456789012:role/OrganizationAccountAccessRole (never an account, a user or root), got "arn:aws:iam::*:role/Admin"',
    ]);
  });

  it("should reject the same target listed twice", () => {
    expect(problemsOf((raw) => (raw.rootAccess.targets = ["Root", DEV.rootId]))).toEqual([
      'aws-org-guardrails:rootAccess.targets[1]: "r-4f8a" repeats a target already listed (r-4f8a)',
    ]);
  });

  it("should reject a log retention CloudWatch Logs does not accept", () => {
    const [problem] = problemsOf((raw) => (raw.centralLogs.retentionInDays = 42));
    expect(problem).toMatch(
      /^aws-org-guardrails:centralLogs\.retentionInDays: must be one of the values CloudWatch Logs accepts \(1, 3, 5, .*, 3653\), got 42$/,
    );
  });

  it("should reject a log-archive account equal to the management account", () => {
    expect(problemsOf((raw) => (raw.logArchive.accountId = DEV.management))).toEqual([
      "aws-org-guardrails:logArchive.accountId: must not be the management account: the archive must sit where the people who run the organization cannot quietly change it",
    ]);
  });

  it("should reject a management account id that is not the organization's", () => {
    expect(problemsOf((raw) => (raw.managementAccountId = DEV.audit))).toEqual([
      "aws-org-guardrails:managementAccountId: 161803398874 is not the management account of o-7h2kq9x4mz (that is 314159265358)",
    ]);
  });

  it("should name a misspelt key instead of ignoring it", () => {
    expect(problemsOf((raw) => (raw.rootAccess.breakglass = []))).toEqual([
      "aws-org-guardrails:rootAccess.breakglass: unknown key; check its spelling in docs/config.md",
    ]);
  });

  it("should reject an SCP size budget above AWS's largest", () => {
    expect(problemsOf((raw) => (raw.scpLimits.maxPolicyCharacters = 20000))).toEqual([
      "aws-org-guardrails:scpLimits.maxPolicyCharacters: must be at most 10240, the largest SCP AWS accepts",
    ]);
  });

  it("should reject Object Lock turned on without a mode and days", () => {
    expect(problemsOf((raw) => (raw.logArchive.objectLock = { enabled: true }))).toEqual([
      "aws-org-guardrails:logArchive.objectLock.mode: is required when objectLock.enabled is true",
      "aws-org-guardrails:logArchive.objectLock.days: is required when objectLock.enabled is true",
    ]);
  });

  it("should reject log files that expire before they are archived", () => {
    expect(
      problemsOf((raw) =>
        Object.assign(raw.logArchive, { transitionDays: 400, expirationDays: 365 }),
      ),
    ).toEqual([
      "aws-org-guardrails:logArchive.expirationDays: must be later than transitionDays (400), or log files expire before they are archived",
    ]);
  });

  it("should reject a transition to STANDARD_IA before 30 days, which S3 refuses", () => {
    expect(
      problemsOf((raw) =>
        Object.assign(raw.logArchive, { transitionDays: 7, transitionStorageClass: "STANDARD_IA" }),
      ),
    ).toEqual([
      "aws-org-guardrails:logArchive.transitionDays: must be at least 30 for STANDARD_IA (an S3 lifecycle rule)",
    ]);
  });

  it("should reject an unknown log group location and a bad bucket name", () => {
    expect(
      problemsOf((raw) => {
        raw.centralLogs.location = "logArchive";
        raw.logArchive.bucketName = "Org_Trail";
      }),
    ).toEqual([
      'aws-org-guardrails:logArchive.bucketName: must be an S3 bucket name (3-63 lowercase letters, digits and hyphens), got "Org_Trail"',
      'aws-org-guardrails:centralLogs.location: Invalid option: expected one of "management"|"delegatedAdministrator"',
    ]);
  });

  it("should reject a log reader that is not an IAM principal ARN", () => {
    expect(problemsOf((raw) => (raw.logArchive.readers = ["arn:aws:s3:::bucket"]))).toEqual([
      'aws-org-guardrails:logArchive.readers[0]: must be an IAM role or user ARN, got "arn:aws:s3:::bucket"',
    ]);
  });

  it("should refuse http alert subscriptions and endpoints that do not fit their protocol", () => {
    expect(
      problemsOf(
        (raw) =>
          (raw.alerts.subscriptions = [
            { protocol: "http", endpoint: "http://hooks.example.com" },
            { protocol: "sms", endpoint: "07700 900123" },
          ]),
      ),
    ).toEqual([
      'aws-org-guardrails:alerts.subscriptions[0].protocol: must be one of email, email-json, https, sms, sqs, lambda (http is refused: alerts must not travel in clear), got "http"',
      'aws-org-guardrails:alerts.subscriptions[1].endpoint: must be a phone number in E.164 form, such as +442071838750 for protocol sms, got "07700 900123"',
    ]);
  });

  it("should reject a repeated alert address", () => {
    expect(problemsOf((raw) => raw.alerts.emails.push(raw.alerts.emails[0]))).toEqual([
      "aws-org-guardrails:alerts.emails[1]: repeats platform-oncall@example.com",
    ]);
  });

  it("should report every error at once, each with its key", () => {
    const problems = problemsOf((raw) => {
      raw.managementAccountId = "12";
      raw.homeRegion = "Ireland";
      raw.alerts.emails = ["nope"];
      raw.centralLogs.retentionInDays = 42;
      raw.rootAccess.breakGlass = [{ accountId: DEV.management, expiresAt: hoursFromNow(-2, now) }];
    });
    expect(problems.map((line) => line.split(":").slice(0, 2).join(":"))).toEqual([
      "aws-org-guardrails:managementAccountId",
      "aws-org-guardrails:homeRegion",
      "aws-org-guardrails:alerts.emails[0]",
      "aws-org-guardrails:rootAccess.breakGlass[0].reason",
      "aws-org-guardrails:centralLogs.retentionInDays",
      "aws-org-guardrails:rootAccess.breakGlass[0].accountId",
      "aws-org-guardrails:rootAccess.breakGlass[0].expiresAt",
    ]);
  });

  it("summarises the errors in one line that names the stack file", () => {
    const raw = devRawConfig() as Raw;
    raw.managementAccountId = "12";
    expect(() =>
      validateGuardrailConfig(raw, { organization, now, source: "stacks/Pulumi.dev.yaml" }),
    ).toThrow(
      /^Stack config has 1 error \(stacks\/Pulumi\.dev\.yaml\); no resource was registered:\n {2}- aws-org-guardrails:managementAccountId: must be 12 digits, got "12"$/,
    );
  });

  it("should say what to set when the whole project config is missing", () => {
    expect(projectConfigFromPulumi({ "aws:region": "eu-west-1" })).toBeUndefined();
    expect(missingConfigError("stacks/Pulumi.qa.yaml").message).toBe(
      "No aws-org-guardrails: config found (stacks/Pulumi.qa.yaml); no resource was registered. Set at least aws-org-guardrails:managementAccountId, homeRegion, logArchive and alerts (see docs/config.md).",
    );
  });

  it("reads config values the way the Pulumi CLI passes them", () => {
    const raw = projectConfigFromPulumi({
      "aws-org-guardrails:managementAccountId": "012345678901",
      "aws-org-guardrails:rootAccess": '{"targets":["Root"]}',
      "aws:region": "eu-west-1",
    });
    expect(raw).toEqual({ managementAccountId: "012345678901", rootAccess: { targets: ["Root"] } });
  });

  it("documents every key of the schema", () => {
    const shape = guardrailConfigSchema.shape;
    for (const [name, schema] of Object.entries(shape)) {
      expect(schema.description, name).toBeTruthy();
    }
  });
});
