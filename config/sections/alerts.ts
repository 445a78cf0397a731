import { z } from "zod";
import { emailSchema, logRetentionDaysSchema } from "../rules";

/** `alerts`: who hears of root activity (the informational topic) and who is paged. */

/**
 * SNS subscription protocols accepted for alerts, with what an endpoint must look like.
 * `http` is left out on purpose: alerts name accounts and IP addresses and must not travel in clear.
 * https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
export const ALERT_PROTOCOLS = {
  email: { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expected: "an e-mail address" },
  "email-json": { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expected: "an e-mail address" },
  https: { pattern: /^https:\/\/[^\s]+$/, expected: "an https:// URL" },
  sms: {
    pattern: /^\+[1-9]\d{6,14}$/,
    expected: "a phone number in E.164 form, such as +442071838750",
  },
  sqs: {
    pattern: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]+(\.fifo)?$/,
    expected: "an SQS queue ARN",
  },
  lambda: {
    pattern: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/,
    expected: "a Lambda function ARN",
  },
} as const;

const subscriptionSchema = z
  .strictObject({
    protocol: z
      .enum(
        Object.keys(ALERT_PROTOCOLS) as [
          keyof typeof ALERT_PROTOCOLS,
          ...(keyof typeof ALERT_PROTOCOLS)[],
        ],
        {
          error: (issue) =>
            `must be one of ${Object.keys(ALERT_PROTOCOLS).join(", ")} (http is refused: alerts must not travel in clear), got "${String(issue.input)}"`,
        },
      )
      .describe("An SNS protocol."),
    endpoint: z
      .string()
      .describe("Where the protocol delivers: address, URL, phone number or ARN."),
  })
  .superRefine((subscription, context) => {
    const rule = ALERT_PROTOCOLS[subscription.protocol];
    if (rule !== undefined && !rule.pattern.test(subscription.endpoint)) {
      context.addIssue({
        code: "custom",
        path: ["endpoint"],
        message: `must be ${rule.expected} for protocol ${subscription.protocol}, got "${subscription.endpoint}"`,
      });
    }
  });

const pagingSchema = z
  .strictObject({
    emails: z
      .array(emailSchema)
      .default([])
      .describe("E-mail addresses paged for unexplained root use."),
    subscriptions: z
      .array(subscriptionSchema)
      .default([])
      .describe("Other SNS subscriptions of the paging topic, as { protocol, endpoint }."),
  })
  .superRefine((paging, context) => {
    if (paging.emails.length === 0 && paging.subscriptions.length === 0) {
      context.addIssue({
        code: "custom",
        path: ["emails"],
        message:
          "must list at least one address (or add paging.subscriptions): a page nobody receives protects nothing; leave paging out to page alerts.emails and alerts.subscriptions",
      });
    }
  })
  .optional()
  .describe(
    "Who is paged for unexplained root use (its own SNS topic, one message per event). Default: the same emails and subscriptions as the informational topic.",
  );

export const alertsSchema = z
  .strictObject({
    paging: pagingSchema,
    emails: z
      .array(emailSchema)
      .default([])
      .describe("E-mail addresses subscribed to root-activity alerts."),
    subscriptions: z
      .array(subscriptionSchema)
      .default([])
      .describe(
        `Other SNS subscriptions for alerts, as { protocol, endpoint }: protocol one of ${Object.keys(ALERT_PROTOCOLS).join(", ")}.`,
      ),
    notifierLogRetentionInDays: logRetentionDaysSchema(
      90,
      "How long the notifier function's own log group keeps its logs, in days",
    ),
    notifierReservedConcurrency: z
      .number()
      .int({ error: "must be a whole number of concurrent executions, or null" })
      .min(1, { error: "must be at least 1 (or null to reserve none)" })
      .max(100, { error: "must be at most 100: the notifier needs a few, not the account's" })
      .nullable()
      .default(2)
      .describe(
        "Concurrent executions reserved for the notifier, so other functions of the account can never starve it (it pages on throttles either way). null reserves none: for accounts whose Lambda concurrency quota is too low to reserve any (AWS keeps 100 unreserved).",
      ),
  })
  .superRefine((alerts, context) => {
    const seen = new Set<string>();
    alerts.emails.forEach((email, index) => {
      if (seen.has(`email ${email}`)) {
        context.addIssue({ code: "custom", path: ["emails", index], message: `repeats ${email}` });
      }
      seen.add(`email ${email}`);
    });
    alerts.subscriptions.forEach((subscription, index) => {
      const key = `${subscription.protocol} ${subscription.endpoint}`;
      if (seen.has(key)) {
        context.addIssue({
          code: "custom",
          path: ["subscriptions", index],
          message: `repeats ${key}`,
        });
      }
      seen.add(key);
    });
    if (alerts.emails.length === 0 && alerts.subscriptions.length === 0) {
      context.addIssue({
        code: "custom",
        path: ["emails"],
        message:
          "must list at least one address (or add alerts.subscriptions): an alarm nobody receives protects nothing",
      });
    }
  })
  .describe("Where root-activity alerts go: the SNS topic's subscriptions.");
