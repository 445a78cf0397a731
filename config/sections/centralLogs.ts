import { z } from "zod";
import { logRetentionDaysSchema, withFieldDefaults } from "../rules";

/** `centralLogs`: the central CloudWatch Logs group the organization trail streams into. */

/** Where the central log group, its key and the trail's delivery role live. */
export const LOG_GROUP_LOCATIONS = ["management", "delegatedAdministrator"] as const;
export type LogGroupLocation = (typeof LOG_GROUP_LOCATIONS)[number];

export const centralLogsFields = z
  .strictObject({
    retentionInDays: logRetentionDaysSchema(
      365,
      "How long the central CloudWatch Logs group keeps CloudTrail events, in days",
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
  });

export const centralLogsSchema = withFieldDefaults(centralLogsFields).describe(
  "The central CloudWatch Logs group that the organization trail streams into.",
);
