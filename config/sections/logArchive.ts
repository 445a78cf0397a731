import { z } from "zod";
import { accountIdSchema, roleNameSchema, withFieldDefaults } from "../rules";

/** `logArchive`: the log-archive account, its archive bucket and who may read the archive. */

// S3 bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
export const bucketNameSchema = z
  .string()
  .regex(/^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, {
    error: (issue) =>
      `must be an S3 bucket name (3-63 lowercase letters, digits and hyphens), got "${String(issue.input)}"`,
  });

export const principalArnSchema = z
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

const objectLockFields = z
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
  });

const objectLockSchema = withFieldDefaults(objectLockFields).describe(
  "Optional S3 Object Lock on the archive bucket (write once, read many).",
);

export const logArchiveSchema = z
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
