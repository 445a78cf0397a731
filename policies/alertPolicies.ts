import { GuardrailNames } from "../config/names";
import { PolicyDocument } from "./document";

/**
 * Policies of the alerting path: the encrypted SNS topic, its key, and the notifier function's
 * role. All of it lives in the account of the central log group.
 */

function accountRoot(names: GuardrailNames): string {
  return `arn:${names.partition}:iam::${names.trailAccountId}:root`;
}

/** The program's alarms only: an alarm anyone else creates cannot publish to the alert topic. */
function alarmsOfThisAccount(names: GuardrailNames): string {
  return `arn:${names.partition}:cloudwatch:${names.region}:${names.trailAccountId}:alarm:aws-org-guardrails-*`;
}

/**
 * The alarms that page, beside the informational topic: the notifier failing or throttled (then
 * nothing else pages) and the root-usage metric written by something other than its filter. The
 * root-usage alarms themselves stay informational: the notifier pages for each unexplained event.
 */
export const PAGING_ALARM_NAMES = {
  notifierErrors: "aws-org-guardrails-NotifierErrors",
  notifierThrottles: "aws-org-guardrails-NotifierThrottles",
  tampered: (metric: string) => `aws-org-guardrails-${metric}-Tampered`,
} as const;

/** The ARN patterns of the paging alarms, for the paging topic's policy. */
export function pagingAlarmArns(names: GuardrailNames): string[] {
  const alarm = `arn:${names.partition}:cloudwatch:${names.region}:${names.trailAccountId}:alarm:`;
  return [
    `${alarm}${PAGING_ALARM_NAMES.notifierErrors}`,
    `${alarm}${PAGING_ALARM_NAMES.notifierThrottles}`,
    `${alarm}${PAGING_ALARM_NAMES.tampered("*")}`,
  ];
}

/**
 * The topic key: CloudWatch alarms must be able to use a customer managed key to publish to an
 * encrypted topic (the AWS managed aws/sns key does not allow it).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function buildAlertTopicKeyPolicy(names: GuardrailNames): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EnableIamPoliciesOfKeyAccount",
        Effect: "Allow",
        Principal: { AWS: accountRoot(names) },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "AllowCloudWatchAlarmsToPublishEncrypted",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { ArnLike: { "aws:SourceArn": alarmsOfThisAccount(names) } },
      },
    ],
  };
}

/**
 * The topic policy: the account's alarms may publish, the account keeps control of its topic,
 * and nothing is delivered to or published from the topic without TLS.
 */
export function buildAlertTopicPolicy(names: GuardrailNames): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountManagesTopic",
        Effect: "Allow",
        Principal: { AWS: accountRoot(names) },
        Action: [
          "sns:GetTopicAttributes",
          "sns:SetTopicAttributes",
          "sns:AddPermission",
          "sns:RemovePermission",
          "sns:DeleteTopic",
          "sns:Subscribe",
          "sns:ListSubscriptionsByTopic",
          "sns:Publish",
        ],
        Resource: names.alertTopicArn,
      },
      {
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: names.alertTopicArn,
        Condition: { ArnLike: { "aws:SourceArn": alarmsOfThisAccount(names) } },
      },
      {
        Sid: "DenyPublishWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: names.alertTopicArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/**
 * The paging topic's policy: this account publishes (the notifier's role, through its own policy),
 * and of the services only CloudWatch for the paging alarms (`pagingAlarmArns`); nothing without
 * TLS. https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
 */
export function buildPagingTopicPolicy(names: GuardrailNames): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountManagesTopic",
        Effect: "Allow",
        Principal: { AWS: accountRoot(names) },
        Action: [
          "sns:GetTopicAttributes",
          "sns:SetTopicAttributes",
          "sns:AddPermission",
          "sns:RemovePermission",
          "sns:DeleteTopic",
          "sns:Subscribe",
          "sns:ListSubscriptionsByTopic",
          "sns:Publish",
        ],
        Resource: names.pagingTopicArn,
      },
      {
        Sid: "PagingAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: names.pagingTopicArn,
        Condition: { ArnLike: { "aws:SourceArn": pagingAlarmArns(names) } },
      },
      {
        Sid: "DenyPublishWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: names.pagingTopicArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

export function buildNotifierTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "LambdaAssumesRole",
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ],
  };
}

/**
 * Least privilege for the notifier: write its own logs, publish to the two topics (with the topic
 * key), look up AssumeRoot calls in the central log group only (FilterLogEvents, and its key
 * through CloudWatch Logs), and look up account names. DescribeAccount works from the management
 * account; in the delegated-administrator mode it is denied and alerts carry the account id alone.
 */
export function buildNotifierRolePolicy(
  names: GuardrailNames,
  topicKeyArn: string,
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${names.notifierLogGroupArn}:*`,
      },
      {
        Sid: "PublishAlerts",
        Effect: "Allow",
        Action: "sns:Publish",
        Resource: [names.alertTopicArn, names.pagingTopicArn],
      },
      {
        Sid: "LookUpAssumeRootCalls",
        Effect: "Allow",
        Action: "logs:FilterLogEvents",
        Resource: [names.logGroupArn, `${names.logGroupArn}:*`],
      },
      {
        Sid: "ReadTheCentralLogGroupThroughItsKey",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: {
          StringEquals: { "kms:ViaService": `logs.${names.region}.amazonaws.com` },
          ArnEquals: { "kms:EncryptionContext:aws:logs:arn": names.logGroupArn },
        },
      },
      {
        Sid: "UseAlertTopicKey",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: topicKeyArn,
      },
      {
        // The store (notifier/alertStore.ts): claims of alerts sent, forwarded AssumeRoot calls.
        Sid: "UseTheAlertStore",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        Resource: names.alertStoreArn,
      },
      {
        Sid: "LookUpAccountNames",
        Effect: "Allow",
        Action: "organizations:DescribeAccount",
        Resource: `arn:${names.partition}:organizations::${names.managementAccountId}:account/${names.organizationId}/*`,
      },
    ],
  };
}
