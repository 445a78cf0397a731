import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GuardrailNames } from "../config/names";
import { NOTIFIER_PATTERN } from "../detection/patterns";
import { BreakGlassWindow, encodeWindows } from "../notifier/breakGlass";
import { NOTIFIER_ENV } from "../notifier/env";
import { lookupsPerSecond } from "../notifier/logGroupCallSource";
import { compactJson } from "../policies/document";
import {
  buildNotifierRolePolicy,
  buildNotifierTrustPolicy,
  PAGING_ALARM_NAMES,
} from "../policies/alertPolicies";

export interface RootActivityNotifierArgs {
  readonly names: GuardrailNames;
  /** The central log group the subscription filter reads. */
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly topic: aws.sns.Topic;
  readonly pagingTopic: aws.sns.Topic;
  readonly topicKey: aws.kms.Key;
  /** The accounts whose AssumeRoot calls prove a session: management and IAM delegated admins. */
  readonly assumeRootCallers: readonly string[];
  /** The open break-glass windows the notifier reports approved root use against. */
  readonly breakGlass: readonly BreakGlassWindow[];
  /** The bundled function code (notifier/lambda.ts). */
  readonly code: pulumi.asset.Archive;
  readonly logRetentionInDays: number;
  /** Concurrent executions reserved for the function; null reserves none. */
  readonly reservedConcurrency: number | null;
}

/**
 * One alert per root event, saying which account, who, what and from where: a subscription
 * filter on the central log group with the CIS pattern delivers each matching event to a
 * function that publishes to the alert topic. An alarm only counts; this names.
 */
/**
 * The log streams the organization trail writes the AssumeRoot callers' events to: the management
 * account's own stream (`<account>_CloudTrail_`, the shape AWS's delivery-role policy for
 * organization trails names), and `<organization id>_<account>_CloudTrail_` for a member (an IAM
 * delegated administrator). The region after the prefix is left open: AssumeRoot is called on a
 * regional STS endpoint, and the page says only "trail_region". When the trail belongs to the
 * log-archive account (the delegated location), the management account is one of the
 * organization's accounts to it, so its `<organization id>_` stream is searched as well.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-log-group-log-stream-naming-for-cloudtrail.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
 */
export function assumeRootStreamPrefixes(
  names: GuardrailNames,
  callers: readonly string[],
): string[] {
  return callers.flatMap((account) => {
    const member = `${names.organizationId}_${account}_CloudTrail_`;
    if (account !== names.managementAccountId) {
      return [member];
    }
    const own = `${account}_CloudTrail_`;
    return names.trailAccountId === names.managementAccountId ? [own] : [own, member];
  });
}

export class RootActivityNotifier extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly subscriptionFilter: aws.cloudwatch.LogSubscriptionFilter;
  readonly store: aws.dynamodb.Table;

  constructor(name: string, args: RootActivityNotifierArgs, opts: pulumi.ComponentResourceOptions) {
    super("aws-org-guardrails:detection:RootActivityNotifier", name, {}, opts);
    const { names } = args;
    const child = { parent: this };

    // The notifier's store: one item per alert sent and per forwarded AssumeRoot call, each
    // expiring by TTL. On demand (a burst of 20,000 root events is 20,000 writes, then nothing);
    // deletion protection, like the rest of the guardrails' state: the protection SCP cannot
    // cover this account's own principals.
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
    this.store = new aws.dynamodb.Table(
      `${name}-store`,
      {
        name: names.alertStoreName,
        billingMode: "PAY_PER_REQUEST",
        hashKey: "pk",
        attributes: [{ name: "pk", type: "S" }],
        ttl: { attributeName: "expiresAt", enabled: true },
        deletionProtectionEnabled: true,
      },
      child,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: names.notifierLogGroupName, retentionInDays: args.logRetentionInDays },
      child,
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: names.notifierFunctionName,
        description: "Runs the aws-org-guardrails root-activity notifier.",
        assumeRolePolicy: compactJson(buildNotifierTrustPolicy()),
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: role.name,
        policy: args.topicKey.arn.apply((keyArn) =>
          compactJson(buildNotifierRolePolicy(names, keyArn)),
        ),
      },
      child,
    );
    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        name: names.notifierFunctionName,
        description: "Publishes one alert per root-user event of the organization trail.",
        runtime: aws.lambda.Runtime.NodeJS22dX,
        handler: "index.handler",
        code: args.code,
        role: role.arn,
        memorySize: 256,
        timeout: 60,
        // Reserved, so the account's other functions cannot use up the concurrency it needs.
        // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
        ...(args.reservedConcurrency === null
          ? {}
          : { reservedConcurrentExecutions: args.reservedConcurrency }),
        environment: {
          variables: {
            [NOTIFIER_ENV.informationalTopic]: args.topic.arn,
            [NOTIFIER_ENV.pagingTopic]: args.pagingTopic.arn,
            [NOTIFIER_ENV.logGroup]: names.logGroupName,
            [NOTIFIER_ENV.callers]: JSON.stringify(args.assumeRootCallers),
            [NOTIFIER_ENV.streamPrefixes]: JSON.stringify(
              assumeRootStreamPrefixes(names, args.assumeRootCallers),
            ),
            [NOTIFIER_ENV.lookupsPerSecond]: String(lookupsPerSecond(args.reservedConcurrency)),
            [NOTIFIER_ENV.breakGlass]: encodeWindows(args.breakGlass),
            [NOTIFIER_ENV.alertStore]: this.store.name,
          },
        },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
      },
      { ...child, dependsOn: [logGroup, rolePolicy] },
    );
    const permission = new aws.lambda.Permission(
      `${name}-invoke-from-logs`,
      {
        action: "lambda:InvokeFunction",
        function: this.function.name,
        principal: "logs.amazonaws.com",
        // Only deliveries from the central log group, in this account, may invoke the function.
        sourceArn: `${names.logGroupArn}:*`,
        sourceAccount: names.trailAccountId,
      },
      child,
    );
    this.subscriptionFilter = new aws.cloudwatch.LogSubscriptionFilter(
      `${name}-subscription`,
      {
        name: "aws-org-guardrails-root-activity",
        logGroup: args.logGroup.name,
        filterPattern: NOTIFIER_PATTERN,
        destinationArn: this.function.arn,
      },
      { ...child, dependsOn: [permission] },
    );
    // Alerts that still fail after Lambda's retries are dropped: page on the function's errors.
    new aws.cloudwatch.MetricAlarm(
      `${name}-errors-alarm`,
      {
        name: PAGING_ALARM_NAMES.notifierErrors,
        alarmDescription:
          "The root-activity notifier failed: per-event root alerts may be missing. Check its log group.",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: names.notifierFunctionName },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        // Informational as a backstop, and paging: while the notifier fails nothing else pages.
        alarmActions: [args.topic.arn, args.pagingTopic.arn],
      },
      { ...child, dependsOn: [this.function] },
    );
    // Throttled invocations are retried by CloudWatch Logs for a while, then dropped: page on any.
    new aws.cloudwatch.MetricAlarm(
      `${name}-throttles-alarm`,
      {
        name: PAGING_ALARM_NAMES.notifierThrottles,
        alarmDescription:
          "The root-activity notifier was throttled: per-event root alerts are late or missing. Check the account's Lambda concurrency.",
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        dimensions: { FunctionName: names.notifierFunctionName },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        // Informational as a backstop, and paging: while the notifier fails nothing else pages.
        alarmActions: [args.topic.arn, args.pagingTopic.arn],
      },
      { ...child, dependsOn: [this.function] },
    );
    this.registerOutputs({ functionArn: this.function.arn });
  }
}
