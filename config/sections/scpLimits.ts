import { z } from "zod";
import { withFieldDefaults } from "../rules";

/** `scpLimits`: the Organizations quotas the SCPs are budgeted against. */

/** An SCP document's size limit: 5,120 characters before 2026-05-15, 10,240 since (Organizations quotas). */
export const SCP_MAX_CHARACTERS_HARD_LIMIT = 10_240;
/** Directly attached SCPs per Root, OU or account: 5 before 2026-05-15, 10 since. */
export const SCP_MAX_PER_TARGET_HARD_LIMIT = 10;

const scpLimitsFields = z.strictObject({
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
});

export const scpLimitsSchema = withFieldDefaults(scpLimitsFields).describe(
  "The Organizations quotas the program budgets against.",
);
