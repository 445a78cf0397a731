import { z } from "zod";
import { withFieldDefaults } from "../rules";

/** `trail`: the organization trail. */

// Trail names: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
/** Appended to the trail's name in the delegatedAdministrator location (see `trail.name`). */
export const DELEGATED_TRAIL_SUFFIX = "-delegated";

export const trailFields = z.strictObject({
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
});

export const trailSchema = withFieldDefaults(trailFields).describe("The organization trail.");
