import { z } from "zod";
import { withFieldDefaults } from "../rules";

/** `protection`: the guardrail-protection SCP and who may still change what it guards. */

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

const protectionFields = z.strictObject({
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
});

export const protectionSchema = withFieldDefaults(protectionFields).describe(
  "The guardrail-protection SCP, attached with the root-access SCP: members cannot leave the organization or weaken the log archive and detection.",
);
