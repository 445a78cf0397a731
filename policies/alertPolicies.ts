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
 * The paging topic's policy: only this account publishes (the notifier's role, through its own
 * policy); no service does; nothing without TLS.
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
        Sid: "LookUpAccountNames",
        Effect: "Allow",
        Action: "organizations:DescribeAccount",
        Resource: `arn:${names.partition}:organizations::${names.managementAccountId}:account/${names.organizationId}/*`,
      },
    ],
  };
}
