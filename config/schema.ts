import { z } from "zod";
import { knownRegion, nearestRegion } from "./regions";

/**
 * The stack config, as a zod schema: the single description of every key under the
 * `aws-org-guardrails:` namespace, its type, default and meaning. Validation against the
 * organization (accounts and targets that must exist, break-glass windows) lives in `validate.ts`.
 * Pure: no Pulumi or AWS imports, so it is cheap to test and to render as documentation.
 */

export const PROJECT_NAMESPACE = "aws-org-guardrails";

/** The default SCP targets: the organization's Root, so a new account is covered from its first minute. */
export const ROOT_TARGET = "Root";

export const accountIdSchema = z
  .string({
    error: (issue) =>
      typeof issue.input === "number"
        ? "must be a quoted string of 12 digits (YAML reads an unquoted id as a number and drops leading zeros)"
        : "must be a string of 12 digits",
  })
  .regex(/^\d{12}$/, { error: (issue) => `must be 12 digits, got "${String(issue.input)}"` });

// A region the AWS SDK's partition data lists (config/regions.ts): a name of the right shape
// that is no region (eu-west-9) would only fail at `pulumi up`, when the provider first calls AWS.
const regionSchema = z.string().superRefine((value, context) => {
  if (knownRegion(value) === undefined) {
    const nearest = nearestRegion(value);
    context.addIssue({
      code: "custom",
      input: value,
      message:
        `"${value}" is not an AWS region` +
        (nearest === undefined ? "" : `; did you mean ${nearest}?`),
    });
  }
});

const emailSchema = z.email({
  error: (issue) => `must be an e-mail address, got "${String(issue.input)}"`,
});

// IAM role names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
const roleNameSchema = z.string().regex(/^[\w+=,.@-]{1,64}$/, {
  error: (issue) => `must be an IAM role name, got "${String(issue.input)}"`,
});

/**
 * The only retention periods CloudWatch Logs accepts (PutRetentionPolicy); anything else fails at
 * `pulumi up`, after other resources were already changed.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** An SCP document's size limit: 5,120 characters before 2026-05-15, 10,240 since (Organizations quotas). */
export const SCP_MAX_CHARACTERS_HARD_LIMIT = 10_240;
/** Directly attached SCPs per Root, OU or account: 5 before 2026-05-15, 10 since. */
export const SCP_MAX_PER_TARGET_HARD_LIMIT = 10;

const breakGlassEntrySchema = z.strictObject({
  accountId: accountIdSchema.describe(
    "The member account whose root user may act during the window.",
  ),
  reason: z
    .string({ error: "is required: say why root is needed (it is kept in the stack history)" })
    .trim()
    .min(1, {
      error: "must not be empty: say why root is needed (it is kept in the stack history)",
    })
    .describe("Why root is needed; kept in the stack file and its history as the audit record."),
  expiresAt: z
    .string({ error: "is required: an ISO-8601 UTC time such as 2026-01-31T18:00:00Z" })
    .refine((value) => z.iso.datetime().safeParse(value).success, {
      error: (issue) =>
        `must be an ISO-8601 UTC time ending in Z, such as 2026-01-31T18:00:00Z, got "${String(issue.input)}"`,
    })
    .describe("When AWS itself ends the window (SCP condition on aws:CurrentTime). ISO-8601 UTC."),
  openedAt: z
    .string({ error: "must be an ISO-8601 UTC time such as 2026-01-31T12:00:00Z" })
    .refine((value) => z.iso.datetime().safeParse(value).success, {
      error: (issue) =>
        `must be an ISO-8601 UTC time ending in Z, such as 2026-01-31T12:00:00Z, got "${String(issue.input)}"`,
    })
    .optional()
    .describe(
      "When the window was opened (`npm run breakglass open` writes it). The notifier calls root " +
        "events approved only from this time on; without it, from expiresAt minus maxBreakGlassHours.",
    ),
});

export type BreakGlassEntry = z.infer<typeof breakGlassEntrySchema>;

const rootAccessSchema = z
  .strictObject({
    targets: z
      .array(z.string())
      .min(1, { error: "must name at least one target; use [Root] to cover every member account" })
      .default([ROOT_TARGET])
      .describe(
        "Where the root-access SCP is attached: `Root` (the organization's root, the default) or " +
          "root/OU ids (r-..., ou-...). Attach at the Root so new accounts are covered at once.",
      ),
    breakGlass: z
      .array(breakGlassEntrySchema)
      .default([])
      .describe(
        "Time-boxed exceptions: the listed account's root user may act until expiresAt, then the " +
          "SCP denies it again without anyone running `pulumi up`.",
      ),
    maxBreakGlassHours: z
      .number()
      .int()
      .min(1)
      .max(720, { error: "must be at most 720 (30 days): break-glass is for hours, not months" })
      .default(72)
      .describe("The longest break-glass window allowed, in hours from now."),
  })
  .default({ targets: [ROOT_TARGET], breakGlass: [], maxBreakGlassHours: 72 })
  .describe("The SCP that denies the root user of member accounts.");

// S3 bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const bucketNameSchema = z
  .string()
  .regex(/^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, {
    error: (issue) =>
      `must be an S3 bucket name (3-63 lowercase letters, digits and hyphens), got "${String(issue.input)}"`,
  });

const principalArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]+$/, {
    error: (issue) => `must be an IAM role or user ARN, got "${String(issue.input)}"`,
  });

/** Storage classes a lifecycle rule may move CloudTrail logs to. */
export const ARCHIVE_STORAGE_CLASSES = [
  "STANDARD_IA",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
] as const;

const objectLockSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Turn on S3 Object Lock. Only possible when the bucket is created: decide before the first `pulumi up`.",
      ),
    mode: z
      .enum(["COMPLIANCE", "GOVERNANCE"])
      .optional()
      .describe(
        "COMPLIANCE: nobody, root included, can delete a locked version early. GOVERNANCE: holders of s3:BypassGovernanceRetention can.",
      ),
    days: z
      .number()
      .int()
      .min(1)
      .max(36500)
      .optional()
      .describe("Default retention of each log file version, in days."),
  })
  .superRefine((lock, context) => {
    if (!lock.enabled) {
      for (const key of ["mode", "days"] as const) {
        if (lock[key] !== undefined) {
          context.addIssue({
            code: "custom",
            path: [key],
            message:
              "is set but objectLock.enabled is false: turn Object Lock on, or remove this key",
          });
        }
      }
    } else {
      for (const key of ["mode", "days"] as const) {
        if (lock[key] === undefined) {
          context.addIssue({
            code: "custom",
            path: [key],
            message: "is required when objectLock.enabled is true",
          });
        }
      }
    }
  })
  .default({ enabled: false })
  .describe("Optional S3 Object Lock on the archive bucket (write once, read many).");

const logArchiveSchema = z
  .strictObject({
    accountId: accountIdSchema.describe("The account that holds the central log archive bucket."),
    roleName: roleNameSchema
      .default("OrganizationAccountAccessRole")
      .describe("The role the program assumes in the log-archive account."),
    bucketName: bucketNameSchema
      .optional()
      .describe(
        "The archive bucket's name. Default: aws-org-guardrails-trail-<log-archive account>-<home region>, deterministic so that policies naming it are known at plan time.",
      ),
    transitionDays: z
      .number()
      .int()
      .min(1)
      .default(90)
      .describe("Days after which log files move to transitionStorageClass."),
    transitionStorageClass: z
      .enum(ARCHIVE_STORAGE_CLASSES)
      .default("GLACIER_IR")
      .describe("The cheaper storage class log files move to after transitionDays."),
    expirationDays: z
      .number()
      .int()
      .min(1)
      .default(2557)
      .describe(
        "Days after which log files expire (2557 = 7 years). Must be later than transitionDays.",
      ),
    noncurrentVersionExpirationDays: z
      .number()
      .int()
      .min(1)
      .default(90)
      .describe("Days a replaced or deleted (noncurrent) version is kept before it is removed."),
    objectLock: objectLockSchema,
    readers: z
      .array(principalArnSchema)
      .default([])
      .describe(
        "IAM role or user ARNs allowed to decrypt the archived log files (security tooling, auditors).",
      ),
  })
  .superRefine((archive, context) => {
    if (archive.transitionDays >= archive.expirationDays) {
      context.addIssue({
        code: "custom",
        path: ["expirationDays"],
        message: `must be later than transitionDays (${archive.transitionDays}), or log files expire before they are archived`,
      });
    }
    // S3 rejects a transition to STANDARD_IA earlier than 30 days after creation.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
    if (archive.transitionStorageClass === "STANDARD_IA" && archive.transitionDays < 30) {
      context.addIssue({
        code: "custom",
        path: ["transitionDays"],
        message: "must be at least 30 for STANDARD_IA (an S3 lifecycle rule)",
      });
    }
  })
  .describe(
    "The log-archive account: the S3 archive of the organization trail and how the program reaches it.",
  );

// Trail names: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
/** Appended to the trail's name in the delegatedAdministrator location (see `trail.name`). */
export const DELEGATED_TRAIL_SUFFIX = "-delegated";

const trailSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/, {
        error: (issue) =>
          `must be a trail name (3-128 letters, digits, . _ -, starting and ending with a letter or digit), got "${String(issue.input)}"`,
      })
      .default("aws-org-guardrails")
      .describe(
        `The organization trail's name in the management location; in the delegatedAdministrator location the trail is named <name>${DELEGATED_TRAIL_SUFFIX}, so that moving between locations can create the new trail before the old one is retired.`,
      ),
  })
  .default({ name: "aws-org-guardrails" })
  .describe("The organization trail.");

/**
 * SNS subscription protocols accepted for alerts, with what an endpoint must look like.
 * `http` is left out on purpose: alerts name accounts and IP addresses and must not travel in clear.
 * https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
export const ALERT_PROTOCOLS = {
  email: { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expected: "an e-mail address" },
  "email-json": { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expected: "an e-mail address" },
  https: { pattern: /^https:\/\/[^\s]+$/, expected: "an https:// URL" },
  sms: {
    pattern: /^\+[1-9]\d{6,14}$/,
    expected: "a phone number in E.164 form, such as +442071838750",
  },
  sqs: {
    pattern: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]+(\.fifo)?$/,
    expected: "an SQS queue ARN",
  },
  lambda: {
    pattern: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/,
    expected: "a Lambda function ARN",
  },
} as const;

const subscriptionSchema = z
  .strictObject({
    protocol: z
      .enum(
        Object.keys(ALERT_PROTOCOLS) as [
          keyof typeof ALERT_PROTOCOLS,
          ...(keyof typeof ALERT_PROTOCOLS)[],
        ],
        {
          error: (issue) =>
            `must be one of ${Object.keys(ALERT_PROTOCOLS).join(", ")} (http is refused: alerts must not travel in clear), got "${String(issue.input)}"`,
        },
      )
      .describe("An SNS protocol."),
    endpoint: z
      .string()
      .describe("Where the protocol delivers: address, URL, phone number or ARN."),
  })
  .superRefine((subscription, context) => {
    const rule = ALERT_PROTOCOLS[subscription.protocol];
    if (rule !== undefined && !rule.pattern.test(subscription.endpoint)) {
      context.addIssue({
        code: "custom",
        path: ["endpoint"],
        message: `must be ${rule.expected} for protocol ${subscription.protocol}, got "${subscription.endpoint}"`,
      });
    }
  });

const pagingSchema = z
  .strictObject({
    emails: z
      .array(emailSchema)
      .default([])
      .describe("E-mail addresses paged for unexplained root use."),
    subscriptions: z
      .array(subscriptionSchema)
      .default([])
      .describe("Other SNS subscriptions of the paging topic, as { protocol, endpoint }."),
  })
  .superRefine((paging, context) => {
    if (paging.emails.length === 0 && paging.subscriptions.length === 0) {
      context.addIssue({
        code: "custom",
        path: ["emails"],
        message:
          "must list at least one address (or add paging.subscriptions): a page nobody receives protects nothing; leave paging out to page alerts.emails and alerts.subscriptions",
      });
    }
  })
  .optional()
  .describe(
    "Who is paged for unexplained root use (its own SNS topic, one message per event). Default: the same emails and subscriptions as the informational topic.",
  );

const alertsSchema = z
  .strictObject({
    paging: pagingSchema,
    emails: z
      .array(emailSchema)
      .default([])
      .describe("E-mail addresses subscribed to root-activity alerts."),
    subscriptions: z
      .array(subscriptionSchema)
      .default([])
      .describe(
        `Other SNS subscriptions for alerts, as { protocol, endpoint }: protocol one of ${Object.keys(ALERT_PROTOCOLS).join(", ")}.`,
      ),
    notifierLogRetentionInDays: z
      .number()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        error: (issue) =>
          `must be one of the values CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")}), got ${String(issue.input)}`,
      })
      .default(90)
      .describe("How long the notifier function's own log group keeps its logs, in days."),
    notifierReservedConcurrency: z
      .number()
      .int({ error: "must be a whole number of concurrent executions, or null" })
      .min(1, { error: "must be at least 1 (or null to reserve none)" })
      .max(100, { error: "must be at most 100: the notifier needs a few, not the account's" })
      .nullable()
      .default(2)
      .describe(
        "Concurrent executions reserved for the notifier, so other functions of the account can never starve it (it pages on throttles either way). null reserves none: for accounts whose Lambda concurrency quota is too low to reserve any (AWS keeps 100 unreserved).",
      ),
  })
  .superRefine((alerts, context) => {
    const seen = new Set<string>();
    alerts.emails.forEach((email, index) => {
      if (seen.has(`email ${email}`)) {
        context.addIssue({ code: "custom", path: ["emails", index], message: `repeats ${email}` });
      }
      seen.add(`email ${email}`);
    });
    alerts.subscriptions.forEach((subscription, index) => {
      const key = `${subscription.protocol} ${subscription.endpoint}`;
      if (seen.has(key)) {
        context.addIssue({
          code: "custom",
          path: ["subscriptions", index],
          message: `repeats ${key}`,
        });
      }
      seen.add(key);
    });
    if (alerts.emails.length === 0 && alerts.subscriptions.length === 0) {
      context.addIssue({
        code: "custom",
        path: ["emails"],
        message:
          "must list at least one address (or add alerts.subscriptions): an alarm nobody receives protects nothing",
      });
    }
  })
  .describe("Where root-activity alerts go: the SNS topic's subscriptions.");

/** Where the central log group, its key and the trail's delivery role live. */
export const LOG_GROUP_LOCATIONS = ["management", "delegatedAdministrator"] as const;
export type LogGroupLocation = (typeof LOG_GROUP_LOCATIONS)[number];

const centralLogsSchema = z
  .strictObject({
    retentionInDays: z
      .number()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        error: (issue) =>
          `must be one of the values CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")}), got ${String(issue.input)}`,
      })
      .default(365)
      .describe(
        `How long the central CloudWatch Logs group keeps CloudTrail events, in days: one of ${LOG_RETENTION_DAYS.join(", ")}.`,
      ),
    logGroupName: z
      .string()
      .regex(/^[\w\-/.#]{1,512}$/, {
        error: (issue) => `must be a CloudWatch Logs group name, got "${String(issue.input)}"`,
      })
      .default("/aws-org-guardrails/cloudtrail")
      .describe("The central log group's name."),
    location: z
      .enum(LOG_GROUP_LOCATIONS)
      .default("management")
      .describe(
        "`management`: the trail, the log group and its delivery role are created in the management account (AWS's documented default). " +
          "`delegatedAdministrator`: the log-archive account is registered as CloudTrail delegated administrator and creates them, so an SCP can protect the log group.",
      ),
    movingFrom: z
      .enum(LOG_GROUP_LOCATIONS)
      .optional()
      .describe(
        'Set only while moving the central log group (README, "Moving the central log group"): the location it is moving from. The archive then also accepts log files from the old location\'s trail, so nothing is lost until that trail is deleted; remove the key afterwards.',
      ),
  })
  .superRefine((logs, context) => {
    if (logs.movingFrom !== undefined && logs.movingFrom === logs.location) {
      context.addIssue({
        code: "custom",
        path: ["movingFrom"],
        message: `is the same as location (${logs.location}); set it to the location the log group is moving from, or remove it`,
      });
    }
  })
  .default({
    retentionInDays: 365,
    logGroupName: "/aws-org-guardrails/cloudtrail",
    location: "management",
  })
  .describe("The central CloudWatch Logs group that the organization trail streams into.");

const scpLimitsSchema = z
  .strictObject({
    maxPolicyCharacters: z
      .number()
      .int()
      .min(1)
      .max(SCP_MAX_CHARACTERS_HARD_LIMIT, {
        error: `must be at most ${SCP_MAX_CHARACTERS_HARD_LIMIT}, the largest SCP AWS accepts`,
      })
      .default(5_120)
      .describe(
        "Size budget per SCP document in characters. 5,120 holds on every partition; raise to " +
          "10,240 only where the organization has the 2026 increase.",
      ),
    maxPoliciesPerTarget: z
      .number()
      .int()
      .min(2, { error: "must be at least 2: FullAWSAccess takes one slot" })
      .max(SCP_MAX_PER_TARGET_HARD_LIMIT)
      .default(5)
      .describe("SCPs that may be attached directly to one target, FullAWSAccess included."),
  })
  .default({ maxPolicyCharacters: 5_120, maxPoliciesPerTarget: 5 })
  .describe("The Organizations quotas the program budgets against.");

// A role, by ARN, in one named account; wildcards only after "role/" and never the whole name.
const exceptionRolePatternSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-][\w+=,.@\/*?-]*$/, {
    error: (issue) =>
      `must be a role ARN pattern in one account, such as arn:aws:iam::123456789012:role/OrganizationAccountAccessRole (never an account, a user or root), got "${String(issue.input)}"`,
  })
  // IAM Identity Center and service-linked roles are assumed through what a local administrator of
  // the account controls (permission sets, services): an exemption for them would be one for all.
  .refine((pattern) => !/:role\/(aws-reserved|aws-service-role)\//.test(pattern), {
    error: (issue) =>
      `must not name an IAM Identity Center (aws-reserved/) or service-linked (aws-service-role/) role: whoever controls the account's permission sets or services would be exempt too, got "${String(issue.input)}"`,
  });

const protectionSchema = z
  .strictObject({
    exceptRoleArnPatterns: z
      .array(exceptionRolePatternSchema)
      .min(1, {
        error:
          "must name at least the role this program deploys with, or it could not update the guardrails",
      })
      .optional()
      .describe(
        "Roles (ARN patterns) that may still change the protected log archive, keys and detection. Default: the role this program assumes in the log-archive account.",
      ),
  })
  .default({})
  .describe(
    "The guardrail-protection SCP, attached with the root-access SCP: members cannot leave the organization or weaken the log archive and detection.",
  );

const centralizedRootAccessSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        "Enable trusted access for iam.amazonaws.com and the IAM organization features RootCredentialsManagement and RootSessions: the audited sts:AssumeRoot path.",
      ),
    delegatedAdministrators: z
      .array(accountIdSchema)
      .default([])
      .describe(
        "Member accounts registered as IAM delegated administrators for centralized root access: their AssumeRoot calls prove sessions too (the management account's always do).",
      ),
  })
  .default({ enabled: true, delegatedAdministrators: [] })
  .describe("Centralized root access for member accounts (AWS, November 2024).");

const rootMfaRuleSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Deploy the AWS Config organization managed rule root-account-mfa-enabled. Needs a Config recorder in every account; reports NOT_APPLICABLE once root credentials are removed centrally.",
      ),
  })
  .default({ enabled: false })
  .describe("Optional AWS Config rule that reports member accounts whose root user has no MFA.");

// Organizations' own limits: OU names 1-128 characters, account names 1-50.
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html
const declaredUnitSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(128)
    .describe("The OU's name; unique among the OUs this stack declares."),
  parent: z
    .string()
    .min(1)
    .default(ROOT_TARGET)
    .describe(
      "`Root`, the id of an existing OU (ou-...), or the name of another OU declared here.",
    ),
});

const tagsSchema = z
  .record(
    z
      .string()
      .regex(
        /^[\w .:/=+\-@]{1,128}$/,
        "tag keys: 1-128 letters, digits, spaces and _ . : / = + - @",
      ),
    z.string().max(256),
  )
  .default({});

const declaredAccountSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(50)
    .regex(/^[\w\- .]+$/, "account names: letters, digits, spaces and _ - .")
    .describe(
      "The account's name; unique among the accounts this stack declares (also its resource name).",
    ),
  email: emailSchema.describe("The root user's e-mail address; unique across the organization."),
  ou: z
    .string()
    .min(1)
    .describe(
      "Where the account goes: `Root`, an existing OU id (ou-...), or the name of an OU declared here.",
    ),
  tags: tagsSchema.describe("Tags on the account."),
  roleName: roleNameSchema
    .optional()
    .describe(
      "The role Organizations creates in the new account for the management account (default OrganizationAccountAccessRole). Set at creation only.",
    ),
  closeOnDeletion: z
    .boolean()
    .default(false)
    .describe(
      "Close the account when it is removed from this stack. Default false: removing the entry only forgets the account (retainOnDelete); it stays in the organization.",
    ),
});

export const guardrailConfigSchema = z.strictObject({
  managementAccountId: accountIdSchema.describe(
    "The organization's management account, where the program runs and the trail is owned.",
  ),
  homeRegion: regionSchema.describe(
    "The region of the trail's home, the log group and the alarms. Every provider of this program uses it; the stack's aws:region, if set, must be the same region. Must be in the organization's partition.",
  ),
  logArchive: logArchiveSchema,
  trail: trailSchema,
  alerts: alertsSchema,
  rootAccess: rootAccessSchema,
  centralLogs: centralLogsSchema,
  scpLimits: scpLimitsSchema,
  protection: protectionSchema,
  centralizedRootAccess: centralizedRootAccessSchema,
  rootMfaRule: rootMfaRuleSchema,
  organizationalUnits: z
    .array(declaredUnitSchema)
    .default([])
    .describe(
      "OUs this stack creates (name, parent). Existing OUs need no entry: refer to them by id.",
    ),
  accounts: z
    .array(declaredAccountSchema)
    .default([])
    .describe(
      "Member accounts this stack creates or adopts (name, email, OU, tags, optional role name): one entry per account.",
    ),
  protectAuditData: z
    .boolean()
    .default(true)
    .describe(
      "Mark the trail, archive bucket, keys and log group `protect` and `retainOnDelete`, so a bad `pulumi destroy` or a rename never deletes audit data. Turn off only for throw-away sandboxes.",
    ),
});

export type GuardrailConfig = z.output<typeof guardrailConfigSchema>;
export type GuardrailConfigInput = z.input<typeof guardrailConfigSchema>;
export type DeclaredAccount = GuardrailConfig["accounts"][number];
export type DeclaredUnit = GuardrailConfig["organizationalUnits"][number];
