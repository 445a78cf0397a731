import { z } from "zod";
import { accountIdSchema, withFieldDefaults } from "../rules";

/** `centralizedRootAccess`: the audited sts:AssumeRoot path for member accounts. */

export const centralizedRootAccessFields = z.strictObject({
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
});

export const centralizedRootAccessSchema = withFieldDefaults(centralizedRootAccessFields).describe(
  "Centralized root access for member accounts (AWS, November 2024).",
);
