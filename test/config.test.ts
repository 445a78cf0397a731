import { describe, expect, it } from "vitest";
import { formatKey } from "../config/keys";
import { guardrailConfigSchema } from "../config/schema";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  missingConfigError,
  projectConfigFromPulumi,
  validateGuardrailConfig,
  validateStackConfig,
} from "../config/validate";
import { readStackFile } from "../offline/stackFile";
import { InputError } from "../lib/errors";
import {
  DEV,
  devOrganization,
  devRawConfig,
  devStackConfig,
  hoursFromNow,
} from "./support/fixtures";

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
      'aws-org-guardrails:alerts.emails[not-an-address]: must be an e-mail address, got "not-an-address"',
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
      "aws-org-guardrails:rootAccess.breakGlass[223606797749].reason: is required: say why root is needed (it is kept in the stack history)",
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
      "aws-org-guardrails:rootAccess.breakGlass[223606797749].reason: must not be empty: say why root is needed (it is kept in the stack history)",
    ]);
  });

  it("should reject a break-glass entry that has already expired and tell the user to remove it", () => {
    const expiresAt = hoursFromNow(-1, now);
    expect(
      problemsOf(withBreakGlass({ accountId: DEV.paymentsProd, reason: "r", expiresAt })),
    ).toEqual([
      `aws-org-guardrails:rootAccess.breakGlass[223606797749].expiresAt: ${expiresAt} has passed; the window is closed, remove this entry`,
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
      `aws-org-guardrails:rootAccess.breakGlass[223606797749].openedAt: ${late} is not before expiresAt ${expiresAt}; a window opens before it closes`,
    ]);
    expect(
      problemsOf(
        withBreakGlass({ accountId: DEV.paymentsProd, reason: "r", openedAt: future, expiresAt }),
      ),
    ).toEqual([
      `aws-org-guardrails:rootAccess.breakGlass[223606797749].openedAt: ${future} is in the future, but the SCP opens the window when it is deployed; use the current time or leave openedAt out`,
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
      'aws-org-guardrails:rootAccess.breakGlass[223606797749].openedAt: must be an ISO-8601 UTC time ending in Z, such as 2026-01-31T12:00:00Z, got "yesterday"',
    ]);
  });

  it("should reject a break-glass window beyond the maximum", () => {
    const expiresAt = hoursFromNow(100, now);
    expect(
      problemsOf(withBreakGlass({ accountId: DEV.paymentsProd, reason: "r", expiresAt })),
    ).toEqual([
      `aws-org-guardrails:rootAccess.breakGlass[223606797749].expiresAt: ${expiresAt} is 100 h from now; a window may last at most 72 h (rootAccess.maxBreakGlassHours)`,
    ]);
  });

  it("should judge the window against a configured maximum", () => {
    const expiresAt = hoursFromNow(10, now);
    const problems = problemsOf((raw) => {
      raw.rootAccess.maxBreakGlassHours = 8;
      raw.rootAccess.breakGlass = [{ accountId: DEV.paymentsProd, reason: "r", expiresAt }];
    });
    expect(problems).toEqual([
      `aws-org-guardrails:rootAccess.breakGlass[223606797749].expiresAt: ${expiresAt} is 10 h from now; a window may last at most 8 h (rootAccess.maxBreakGlassHours)`,
    ]);
  });

  it("should reject an expiry that is not ISO-8601 UTC", () => {
    expect(
      problemsOf(
        withBreakGlass({ accountId: DEV.paymentsProd, reason: "r", expiresAt: "2026-11-25 18:00" }),
      ),
    ).toEqual([
      'aws-org-guardrails:rootAccess.breakGlass[223606797749].expiresAt: must be an ISO-8601 UTC time ending in Z, such as 2026-01-31T18:00:00Z, got "2026-11-25 18:00"',
    ]);
  });

  it("should reject a break-glass entry for an account not in the organization", () => {
    expect(
      problemsOf(
        withBreakGlass({ accountId: "999999999999", reason: "r", expiresAt: hoursFromNow(2, now) }),
      ),
    ).toEqual([
      "aws-org-guardrails:rootAccess.breakGlass[999999999999].accountId: 999999999999 is not an account of o-7h2kq9x4mz",
    ]);
  });

  it("should reject a break-glass entry for the management account, which SCPs never reach", () => {
    expect(
      problemsOf(
        withBreakGlass({ accountId: DEV.management, reason: "r", expiresAt: hoursFromNow(2, now) }),
      ),
    ).toEqual([
      "aws-org-guardrails:rootAccess.breakGlass[314159265358].accountId: 314159265358 is the management account; SCPs never apply to it, so there is nothing to break out of",
    ]);
  });

  it("should reject a break-glass entry for a suspended account", () => {
    expect(
      problemsOf(
        withBreakGlass({ accountId: DEV.suspended, reason: "r", expiresAt: hoursFromNow(2, now) }),
      ),
    ).toEqual([
      "aws-org-guardrails:rootAccess.breakGlass[346410161513].accountId: 346410161513 (legacy-batch) is SUSPENDED, not ACTIVE",
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
      "aws-org-guardrails:rootAccess.breakGlass[300000000003].accountId: 300000000003 (web-dev) is under no rootAccess target, so its root is not denied and a break-glass entry changes nothing; remove it",
    ]);
  });

  it("should reject an SCP target that is not in the organization", () => {
    expect(problemsOf((raw) => (raw.rootAccess.targets = ["Root", "ou-zzzz-00000000"]))).toEqual([
      'aws-org-guardrails:rootAccess.targets[ou-zzzz-00000000]: "ou-zzzz-00000000" is not in o-7h2kq9x4mz; use "Root", the root id r-4f8a, or the id of one of its OUs',
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
      'aws-org-guardrails:protection.exceptRoleArnPatterns[arn:aws:iam::271828182845:root]: must be a role ARN pattern in one account, such as arn:aws:iam::123456789012:role/OrganizationAccountAccessRole (never an account, a user or root), got "arn:aws:iam::271828182845:root"',
      'aws-org-guardrails:protection.exceptRoleArnPatterns[arn:aws:iam::*:role/Admin]: must be a role ARN pattern in one account, such as arn:aws:iam::123456789012:role/OrganizationAccountAccessRole (never an account, a user or root), got "arn:aws:iam::*:role/Admin"',
    ]);
  });

  it("should reject the same target listed twice", () => {
    expect(problemsOf((raw) => (raw.rootAccess.targets = ["Root", DEV.rootId]))).toEqual([
      'aws-org-guardrails:rootAccess.targets[r-4f8a]: "r-4f8a" repeats a target already listed (r-4f8a)',
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
      "aws-org-guardrails:rootAccess.breakglass: unknown key; did you mean breakGlass? (docs/config.md lists every key)",
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
      'aws-org-guardrails:centralLogs.location: the text \"logArchive\" is not one of \"management\", \"delegatedAdministrator\"; use one of them',
    ]);
  });

  it("should reject a log reader that is not an IAM principal ARN", () => {
    expect(problemsOf((raw) => (raw.logArchive.readers = ["arn:aws:s3:::bucket"]))).toEqual([
      'aws-org-guardrails:logArchive.readers[arn:aws:s3:::bucket]: must be an IAM role or user ARN, got "arn:aws:s3:::bucket"',
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
      'aws-org-guardrails:alerts.subscriptions[http://hooks.example.com].protocol: must be one of email, email-json, https, sms, sqs, lambda (http is refused: alerts must not travel in clear), got "http"',
      'aws-org-guardrails:alerts.subscriptions[07700 900123].endpoint: must be a phone number in E.164 form, such as +442071838750 for protocol sms, got "07700 900123"',
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
      "aws-org-guardrails:alerts.emails[nope]",
      "aws-org-guardrails:rootAccess.breakGlass[314159265358].reason",
      "aws-org-guardrails:centralLogs.retentionInDays",
      "aws-org-guardrails:rootAccess.breakGlass[314159265358].accountId",
      "aws-org-guardrails:rootAccess.breakGlass[314159265358].expiresAt",
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

  describe("says what was given, what is expected and what to do, instead of zod's own text", () => {
    it.each<[string, (raw: Raw) => void, string]>([
      [
        "a string where a number is expected",
        (raw) => (raw.rootAccess.maxBreakGlassHours = "72"),
        'aws-org-guardrails:rootAccess.maxBreakGlassHours: the text "72" is not a number; write the number without quotes',
      ],
      [
        "a number where a string is expected",
        (raw) => (raw.trail = { name: 42 }),
        "aws-org-guardrails:trail.name: the number 42 is not a string; put it in quotes",
      ],
      [
        "a list where a map is expected",
        (raw) => (raw.scpLimits = [5120, 5]),
        "aws-org-guardrails:scpLimits: a list of 2 entries is not a map of keys to values; write its keys under it, one per line (see docs/config.md)",
      ],
      [
        "a map where a list is expected",
        (raw) => (raw.rootAccess.targets = { Root: true }),
        'aws-org-guardrails:rootAccess.targets: a map is not a list; write each entry on a line of its own starting with "- ", or as [a, b]',
      ],
      [
        "a text where true or false is expected",
        (raw) => (raw.rootMfaRule = { enabled: "yes" }),
        'aws-org-guardrails:rootMfaRule.enabled: the text "yes" is not true or false; write true or false, without quotes',
      ],
      [
        "a required section left out",
        (raw) => delete raw.alerts,
        "aws-org-guardrails:alerts: is required: a map of keys to values (see docs/config.md)",
      ],
      [
        "a fraction where a whole number is expected",
        (raw) => (raw.rootAccess.maxBreakGlassHours = 1.5),
        "aws-org-guardrails:rootAccess.maxBreakGlassHours: the number 1.5 is not a whole number; use a whole number",
      ],
      [
        "a number below the minimum",
        (raw) => (raw.rootAccess.maxBreakGlassHours = 0),
        "aws-org-guardrails:rootAccess.maxBreakGlassHours: the number 0 is less than 1, the minimum; use 1 or more",
      ],
      [
        "a number above the maximum",
        (raw) => (raw.scpLimits.maxPoliciesPerTarget = 11),
        "aws-org-guardrails:scpLimits.maxPoliciesPerTarget: the number 11 is more than 10, the maximum; use 10 or less",
      ],
      [
        "a value that is not one of the options, with the nearest",
        (raw) => (raw.logArchive.transitionStorageClass = "GLACIR_IR"),
        'aws-org-guardrails:logArchive.transitionStorageClass: the text "GLACIR_IR" is not one of "STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"; did you mean "GLACIER_IR"?',
      ],
      [
        "a text that is too short",
        (raw) => (raw.organizationalUnits = [{ name: "" }]),
        "aws-org-guardrails:organizationalUnits[0].name: an empty text is shorter than 1 character; write at least 1",
      ],
      [
        "a text that is too long",
        (raw) => (raw.organizationalUnits = [{ name: "R".repeat(129) }]),
        `aws-org-guardrails:organizationalUnits[0].name: the text "${"R".repeat(60)}..." is longer than 128 characters; shorten it to 128`,
      ],
      [
        "a map key that is not allowed",
        (raw) => (raw.accounts[1].tags = { "cost center!": "4711" }),
        'aws-org-guardrails:accounts[sandbox-bob].tags.cost center!: the key "cost center!" is not allowed here: tag keys: 1-128 letters, digits, spaces and _ . : / = + - @',
      ],
      [
        "an unknown key nothing is close to",
        (raw) => (raw.alerts.pagerduty = "x"),
        "aws-org-guardrails:alerts.pagerduty: unknown key; check its spelling in docs/config.md",
      ],
      [
        "a misspelt top-level key",
        (raw) => (raw.rootAcess = raw.rootAccess),
        "aws-org-guardrails:rootAcess: unknown key; did you mean rootAccess? (docs/config.md lists every key)",
      ],
    ])("%s", (_kind, edit, expected) => {
      expect(problemsOf(edit)).toEqual([expected]);
    });
  });

  describe("names a list entry by what it is, not by its position", () => {
    it("names declared accounts and OUs by their names", () => {
      expect(problemsOf((raw) => (raw.accounts[1].email = "bob.example.com"))).toEqual([
        'aws-org-guardrails:accounts[sandbox-bob].email: must be an e-mail address, got "bob.example.com"',
      ]);
      expect(
        problemsOf((raw) => (raw.organizationalUnits = [{ name: "Research", parent: "Nowhere" }])),
      ).toEqual([
        'aws-org-guardrails:organizationalUnits[Research].parent: "Nowhere" is not a parent this OU can have; use "Root", an OU id of o-7h2kq9x4mz, or the name of an OU declared in organizationalUnits',
      ]);
    });

    it("keeps the position where the name is missing or shared", () => {
      expect(
        problemsOf((raw) => {
          raw.accounts.push({ email: "aws-x@example.com", ou: "Root" });
          raw.accounts.push({ ...raw.accounts[0], email: "aws-y@example.com" });
        }),
      ).toEqual([
        "aws-org-guardrails:accounts[2].name: is required: a string (see docs/config.md)",
      ]);
      expect(
        problemsOf((raw) =>
          raw.accounts.push({ ...raw.accounts[0], email: "aws-y@example.com", ou: "Nowhere" }),
        ),
      ).toEqual([
        'aws-org-guardrails:accounts[2].name: repeats "sandbox-alice"; declare each account once',
        'aws-org-guardrails:accounts[2].ou: "Nowhere" is not an OU of this organization or this stack; use "Root", an OU id of o-7h2kq9x4mz, or the name of an OU declared in organizationalUnits',
      ]);
    });

    it("keeps the position where a name would read as one, would not fit on a line, or is no text", () => {
      const raw = {
        organizationalUnits: [{ name: "2024" }, { name: "Research" }],
        alerts: {
          subscriptions: [
            { protocol: "https", endpoint: `https://hooks.example.com/${"x".repeat(80)}` },
            { protocol: "https", endpoint: 42 },
          ],
        },
        rootAccess: { breakGlass: [{ accountId: "223606797749" }] },
      };
      expect(formatKey(["organizationalUnits", 0, "parent"], raw)).toBe(
        "organizationalUnits[0].parent",
      );
      expect(formatKey(["organizationalUnits", 1, "parent"], raw)).toBe(
        "organizationalUnits[Research].parent",
      );
      expect(formatKey(["alerts", "subscriptions", 0, "endpoint"], raw)).toBe(
        "alerts.subscriptions[0].endpoint",
      );
      expect(formatKey(["alerts", "subscriptions", 1, "endpoint"], raw)).toBe(
        "alerts.subscriptions[1].endpoint",
      );
      // An account id is all digits, and still names its entry.
      expect(formatKey(["rootAccess", "breakGlass", 0, "reason"], raw)).toBe(
        "rootAccess.breakGlass[223606797749].reason",
      );
    });

    it("names the account an e-mail address is already used by", () => {
      expect(
        problemsOf((raw) =>
          raw.accounts.push({ name: "sandbox-carol", email: raw.accounts[1].email, ou: "Root" }),
        ),
      ).toEqual([
        "aws-org-guardrails:accounts[sandbox-carol].email: aws-sandbox-bob@example.com is already used by accounts[sandbox-bob]; every account needs its own address",
        "aws-org-guardrails:accounts[sandbox-carol].email: aws-sandbox-bob@example.com belongs to the existing account 331662479035 (sandbox-bob); an address can only be used once in AWS",
      ]);
    });

    it("names break-glass entries by account, delegated administrators and readers by themselves", () => {
      expect(
        problemsOf((raw) => {
          raw.rootAccess.breakGlass = [
            { accountId: DEV.paymentsProd, reason: "INC-1", expiresAt: hoursFromNow(2, now) },
            { accountId: DEV.webDev, reason: "", expiresAt: hoursFromNow(2, now) },
          ];
          raw.centralizedRootAccess = { delegatedAdministrators: ["999999999999"] };
          raw.logArchive.readers = ["arn:aws:iam::999999999999:role/siem"];
        }),
      ).toEqual([
        "aws-org-guardrails:rootAccess.breakGlass[300000000003].reason: must not be empty: say why root is needed (it is kept in the stack history)",
        "aws-org-guardrails:logArchive.readers[arn:aws:iam::999999999999:role/siem]: arn:aws:iam::999999999999:role/siem is not in an account of o-7h2kq9x4mz; readers of the organization's audit log must be principals of its own accounts",
        "aws-org-guardrails:centralizedRootAccess.delegatedAdministrators[999999999999]: 999999999999 is not an account of o-7h2kq9x4mz",
      ]);
    });
  });

  describe("unquoted top-level account ids", () => {
    function stackFileWith(lines: string[]): string {
      const dir = mkdtempSync(path.join(tmpdir(), "config-test-"));
      const file = path.join(dir, "Pulumi.qa.yaml");
      writeFileSync(file, ["config:", ...lines.map((line) => `  ${line}`), ""].join("\n"));
      return dir;
    }

    function stackFileProblems(managementLine: string): string[] {
      const dev = devStackConfig();
      const lines = Object.entries(dev)
        .filter(([key]) => key !== "aws-org-guardrails:managementAccountId")
        .map(
          ([key, value]) =>
            `${key}: ${JSON.stringify(value.startsWith("{") || value.startsWith("[") ? JSON.parse(value) : value)}`,
        );
      const stackFile = readStackFile("qa", undefined, stackFileWith([managementLine, ...lines]));
      try {
        validateStackConfig(stackFile.config, {
          organization,
          now,
          yamlNumbers: stackFile.numbers,
        });
      } catch (error) {
        return [...(error as InputError).problems];
      }
      return [];
    }

    it("should reject an unquoted top-level id the way it rejects a nested one", () => {
      const quoteIt =
        "must be a quoted string of 12 digits (YAML reads an unquoted id as a number and drops leading zeros)";
      expect(stackFileProblems("aws-org-guardrails:managementAccountId: 314159265358")).toEqual([
        `aws-org-guardrails:managementAccountId: ${quoteIt}`,
      ]);
      // YAML reads 012345678901 as 12345678901; the CLI passes the text as written.
      expect(
        projectConfigFromPulumi(
          { "aws-org-guardrails:managementAccountId": "012345678901" },
          new Map([["aws-org-guardrails:managementAccountId", 12345678901]]),
        ),
      ).toEqual({ managementAccountId: 12345678901 });
      expect(stackFileProblems("aws-org-guardrails:managementAccountId: 012345678901")).toEqual([
        `aws-org-guardrails:managementAccountId: ${quoteIt}`,
      ]);
    });

    it("accepts the same id quoted", () => {
      expect(stackFileProblems('aws-org-guardrails:managementAccountId: "314159265358"')).toEqual(
        [],
      );
    });
  });

  describe("a misspelt namespace", () => {
    it("should name a key under a near miss of the project's namespace, with the key it meant", () => {
      const values = devStackConfig();
      values["aws-org-guardrail:trail"] = JSON.stringify({ name: "org-trail" });
      values["aws-org-guardrals:rootMfaRule"] = JSON.stringify({ enabled: true });
      values["pulumi:tags"] = JSON.stringify({ team: "platform" });
      expect(() => validateStackConfig(values, { organization, now })).toThrow(InputError);
      try {
        validateStackConfig(values, { organization, now });
      } catch (error) {
        expect((error as InputError).problems).toEqual([
          'aws-org-guardrail:trail: "aws-org-guardrail" is not this project\'s namespace (aws-org-guardrails); did you mean aws-org-guardrails:trail?',
          'aws-org-guardrals:rootMfaRule: "aws-org-guardrals" is not this project\'s namespace (aws-org-guardrails); did you mean aws-org-guardrails:rootMfaRule?',
        ]);
      }
    });

    it("accepts keys of other namespaces such as aws:region", () => {
      const values = { ...devStackConfig(), "aws:profile": "org-admin", "awsx:tags": "{}" };
      expect(validateStackConfig(values, { organization, now }).homeRegion).toBe("eu-west-1");
    });

    it("should name the misspelt keys, not say the config is missing, when every key has one", () => {
      const values = Object.fromEntries(
        Object.entries(devStackConfig()).map(([key, value]) => [
          key.replace(/^aws-org-guardrails:/, "Aws-Org-Guardrails:"),
          value,
        ]),
      );
      let problems: readonly string[] = [];
      try {
        validateStackConfig(values, { organization, now });
      } catch (error) {
        problems = (error as InputError).problems;
      }
      expect(problems).toContain(
        'Aws-Org-Guardrails:homeRegion: "Aws-Org-Guardrails" is not this project\'s namespace (aws-org-guardrails); did you mean aws-org-guardrails:homeRegion?',
      );
      expect(problems).toContain(
        "aws-org-guardrails:managementAccountId: is required: a 12-digit account id, in quotes",
      );
    });
  });

  it("documents every key of the schema", () => {
    const shape = guardrailConfigSchema.shape;
    for (const [name, schema] of Object.entries(shape)) {
      expect(schema.description, name).toBeTruthy();
    }
  });
});

describe("fastPath", () => {
  const members = organization.memberAccounts().length;

  it("defaults to on, with the global-events region and homeRegion", () => {
    const config = validateGuardrailConfig(devRawConfig(), { organization, now });
    expect(config.fastPath).toEqual({ enabled: true, regions: [], stackInstanceQuota: 100_000 });
  });

  it("refuses a region of another partition, under its key", () => {
    expect(
      problemsOf((raw) => {
        raw.fastPath = { regions: ["eu-central-1", "us-gov-west-1"] };
      }),
    ).toEqual([
      expect.stringMatching(
        /^aws-org-guardrails:fastPath\.regions\[us-gov-west-1\]: us-gov-west-1 is in the aws-us-gov partition, but o-\w+ is in aws; a StackSet deploys only within its own partition: remove it$/,
      ),
    ]);
  });

  it("refuses more stack instances than the quota, saying how many regions would fit", () => {
    const quota = members * 3;
    expect(
      problemsOf((raw) => {
        raw.fastPath = { regions: ["eu-central-1", "us-west-2"], stackInstanceQuota: quota };
      }),
    ).toEqual([
      `aws-org-guardrails:fastPath.regions: ${members} member accounts x 4 regions (us-east-1, eu-west-1, eu-central-1, us-west-2) = ${members * 4} stack instances, over the stack set quota of ${quota} (fastPath.stackInstanceQuota): list at most 1 region(s) besides us-east-1 and eu-west-1 (always included), or raise the quota with AWS and set fastPath.stackInstanceQuota`,
    ]);
  });

  it("says to raise the quota when not even the regions always included fit", () => {
    expect(
      problemsOf((raw) => {
        raw.fastPath = { stackInstanceQuota: members };
      }),
    ).toEqual([
      expect.stringMatching(
        /over the stack set quota of \d+ \(fastPath\.stackInstanceQuota\): raise the quota with AWS and set fastPath\.stackInstanceQuota, or set fastPath\.enabled: false$/,
      ),
    ]);
  });

  it("counts nothing when it is off", () => {
    const raw = devRawConfig() as Raw;
    raw.fastPath = { enabled: false, stackInstanceQuota: 1 };
    expect(validateGuardrailConfig(raw, { organization, now }).fastPath.enabled).toBe(false);
  });
});
