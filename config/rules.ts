import { z } from "zod";
import { knownRegion, nearestRegion } from "./regions";

/**
 * The rules several config sections share, each stated once: what an account id is, which
 * retention periods CloudWatch Logs accepts, what a region, an e-mail address and a role name
 * look like, and how a section gets its defaults. The schema (config/sections/) and the checks
 * against the organization (config/validate.ts) both use these, so they cannot disagree.
 */

export const PROJECT_NAMESPACE = "aws-org-guardrails";

/** The default SCP targets: the organization's Root, so a new account is covered from its first minute. */
export const ROOT_TARGET = "Root";

/** An AWS account id: exactly 12 digits, leading zeros included. */
export const ACCOUNT_ID = /^\d{12}$/;

export function isAccountId(value: unknown): value is string {
  return typeof value === "string" && ACCOUNT_ID.test(value);
}

/**
 * An account id in the stack file. It must be a quoted string: YAML reads an unquoted id as a
 * number, and a number has no leading zeros (012345678901 becomes 12345678901).
 */
export const accountIdSchema = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? "is required: a 12-digit account id, in quotes"
        : typeof issue.input === "number"
          ? "must be a quoted string of 12 digits (YAML reads an unquoted id as a number and drops leading zeros)"
          : "must be a string of 12 digits",
  })
  .regex(ACCOUNT_ID, { error: (issue) => `must be 12 digits, got "${String(issue.input)}"` });

/**
 * The only retention periods CloudWatch Logs accepts (PutRetentionPolicy); anything else fails at
 * `pulumi up`, after other resources were already changed.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

export function isLogRetentionDays(value: unknown): boolean {
  return (LOG_RETENTION_DAYS as readonly unknown[]).includes(value);
}

/** A log group's retention in days, one of LOG_RETENTION_DAYS; the description lists them. */
export function logRetentionDaysSchema(defaultDays: number, meaning: string) {
  return z
    .number()
    .refine(isLogRetentionDays, {
      error: (issue) =>
        `must be one of the values CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")}), got ${String(issue.input)}`,
    })
    .default(defaultDays)
    .describe(`${meaning}: one of ${LOG_RETENTION_DAYS.join(", ")}.`);
}

// A region the AWS SDK's partition data lists (config/regions.ts): a name of the right shape
// that is no region (eu-west-9) would only fail at `pulumi up`, when the provider first calls AWS.
export const regionSchema = z.string().superRefine((value, context) => {
  if (knownRegion(value) === undefined) {
    const nearest = nearestRegion(value);
    context.addIssue({
      code: "custom",
      input: value,
      message:
        `"${value}" is not an AWS region` +
        (nearest === undefined
          ? "; give a region code such as eu-west-1 (aws account list-regions lists yours)"
          : `; did you mean ${nearest}?`),
    });
  }
});

export const emailSchema = z.email({
  error: (issue) => `must be an e-mail address, got "${String(issue.input)}"`,
});

// IAM role names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
export const roleNameSchema = z.string().regex(/^[\w+=,.@-]{1,64}$/, {
  error: (issue) => `must be an IAM role name, got "${String(issue.input)}"`,
});

/**
 * A section that may be left out: its default is what the section's own field defaults make of
 * `{}`, so each default is stated once, on its field.
 */
export function withFieldDefaults<Section extends z.ZodType>(section: Section) {
  return section.default(() => section.parse({}) as z.util.NoUndefined<z.output<Section>>);
}
