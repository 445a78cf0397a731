import { z } from "zod";
import { regionSchema, withFieldDefaults } from "../rules";

/**
 * `fastPath`: root events through EventBridge within seconds, from every account and listed
 * region, by one service-managed StackSet (issue 16). The CIS filter and alarms on the central
 * log group stay as the backstop and for the scanners.
 */

/**
 * The default quota of stack instances per stack set ("Maximum number of stack instances you can
 * create per stack set: 100,000"), which AWS can raise on request.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
export const DEFAULT_STACK_INSTANCE_QUOTA = 100_000;

export const fastPathFields = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe(
      "Forward root events to the notifier through EventBridge within seconds: a StackSet deploys a rule to every member account and listed region, the management account gets the same rules from this program.",
    ),
  regions: z
    .array(regionSchema)
    .default([])
    .describe(
      "Regions whose root activity is forwarded, besides the partition's global-events region (us-east-1 in aws: IAM, sign-in and global STS events) and homeRegion, which are always included. List every region your organization uses: a root call in an unlisted region waits for the log group's path.",
    ),
  stackInstanceQuota: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_STACK_INSTANCE_QUOTA)
    .describe(
      "Stack instances per stack set your account may create (AWS's default quota is 100,000; raise it with AWS first). The StackSet makes one per member account and region: config is refused when member accounts x regions exceed it.",
    ),
});

export const fastPathSchema = withFieldDefaults(fastPathFields).describe(
  "Root alerts within a minute: EventBridge rules in every account and region, deployed by one service-managed StackSet, forwarding to a central bus in the notifier's account.",
);
