import { z } from "zod";
import { withFieldDefaults } from "../rules";

/** `rootMfaRule`: the optional AWS Config rule on root MFA. */

const rootMfaRuleFields = z.strictObject({
  enabled: z
    .boolean()
    .default(false)
    .describe(
      "Deploy the AWS Config organization managed rule root-account-mfa-enabled. Needs a Config recorder in every account; reports NOT_APPLICABLE once root credentials are removed centrally.",
    ),
});

export const rootMfaRuleSchema = withFieldDefaults(rootMfaRuleFields).describe(
  "Optional AWS Config rule that reports member accounts whose root user has no MFA.",
);
