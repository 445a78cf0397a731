import { z } from "zod";
import { accountIdSchema, ROOT_TARGET, withFieldDefaults } from "../rules";

/** `rootAccess`: where the root-access SCP is attached, and its break-glass windows. */

export const breakGlassEntrySchema = z.strictObject({
  accountId: accountIdSchema.describe(
    "The member account whose root user may act during the window.",
  ),
  reason: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? "is required: say why root is needed (it is kept in the stack history)"
          : undefined,
    })
    .trim()
    .min(1, {
      error: "must not be empty: say why root is needed (it is kept in the stack history)",
    })
    .describe("Why root is needed; kept in the stack file and its history as the audit record."),
  expiresAt: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? "is required: an ISO-8601 UTC time such as 2026-01-31T18:00:00Z"
          : "must be an ISO-8601 UTC time such as 2026-01-31T18:00:00Z",
    })
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

export const rootAccessFields = z.strictObject({
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
});

export const rootAccessSchema = withFieldDefaults(rootAccessFields).describe(
  "The SCP that denies the root user of member accounts.",
);
