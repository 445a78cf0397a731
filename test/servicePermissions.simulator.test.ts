import { describe, expect, it } from "vitest";
import { RecordedResource } from "../offline/engine";
import { DEV, devOrganization } from "./support/fixtures";
import { ownArns, PlanContext } from "./support/deploymentRole";
import { byType, one, runProgram, TYPES } from "./support/program";
import {
  chainOf,
  Decision,
  NamedPolicy,
  orgInfoOf,
  principals,
  RequestPrincipal,
} from "./support/scpSimulator";
import { decidePrincipalRequest, decideServiceRequest } from "./support/servicePermissions";

/**
 * Every interaction in which AWS acts on the program's resources, evaluated with
 * @cloud-copilot/iam-simulate against the planned policies for the exact request AWS documents
 * (principal, action, resource ARN, source ARN and account, encryption context), each row citing
 * the page. Rows whose principal is a role in a member account (the delivery role and the notifier
 * in the delegated-administrator location, the log readers) are evaluated under the planned SCPs
 * too, so a later guardrail cannot silently cut the program off from its own logs. Each row has
 * its twin without the source (or from another trail, alarm, log group, account): it must fail,
 * so no service is let in without its source condition.
 */

const organization = devOrganization();
const REGION = "eu-west-1";
const NOW = "2026-12-01T12:00:00Z";
const OUTSIDER = "999999999999";
const PAGES = {
  orgTrailBucket:
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html#org-trail-bucket-policy",
  trailKey:
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
  kmsContext:
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-kms-works-with-cloudtrail.html",
  bucketKey: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html",
  delivery:
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html",
  logGroupKey: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
  alarmTopic:
    "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
  subscription:
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample",
  publisher:
    "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#send-to-encrypted-topic",
  readers: "https://repost.aws/knowledge-center/cross-account-access-denied-error-s3",
} as const;

const parsed = (value: unknown): any => JSON.parse(String(value));

/** The chain of an account (root, OUs from the top, the account), the planned SCPs at the root. */
const chainIn = (accountId: string, scps: readonly NamedPolicy[]) =>
  chainOf(organization, accountId, scps);

function roleSession(accountId: string, roleName: string): RequestPrincipal {
  return principals.roleSession(orgInfoOf(organization, accountId), accountId, roleName, "session");
}

/** The resource-based policy Lambda writes for a Permission (AddPermission). */
function lambdaPermissionPolicy(permission: RecordedResource, functionArn: string): unknown {
  const condition: Record<string, Record<string, string>> = {};
  if (typeof permission.inputs.sourceAccount === "string") {
    condition.StringEquals = { "AWS:SourceAccount": permission.inputs.sourceAccount };
  }
  if (typeof permission.inputs.sourceArn === "string") {
    condition.ArnLike = { "AWS:SourceArn": permission.inputs.sourceArn };
  }
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "InvokeFromLogs",
        Effect: "Allow",
        Principal: { Service: permission.inputs.principal },
        Action: permission.inputs.action,
        Resource: functionArn,
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      },
    ],
  };
}

interface Row {
  readonly name: string;
  readonly page: string;
  readonly expect: "Allowed" | "denied";
  readonly decide: () => Promise<Decision>;
}

async function rowsFor(mode: "management" | "delegatedAdministrator"): Promise<Row[]> {
  const config: Record<string, string> =
    mode === "management"
      ? {
          "aws-org-guardrails:logArchive": JSON.stringify({
            accountId: DEV.logArchive,
            readers: [`arn:aws:iam::${DEV.audit}:role/security-tooling`],
          }),
        }
      : {
          "aws-org-guardrails:logArchive": JSON.stringify({
            accountId: DEV.logArchive,
            readers: [`arn:aws:iam::${DEV.audit}:role/security-tooling`],
          }),
          "aws-org-guardrails:centralLogs": JSON.stringify({ location: "delegatedAdministrator" }),
        };
  const { resources } = await runProgram({ config });
  const ctx: PlanContext = {
    partition: "aws",
    region: REGION,
    managementAccountId: DEV.management,
    organization,
    defaultTags: {},
    resources,
  };
  const arn = (type: string, name: string, kind: string) =>
    ownArns(one(resources, type, name), ctx)[kind];
  const trailAccount = mode === "management" ? DEV.management : DEV.logArchive;
  const trailArn = arn(TYPES.trail, "organization-trail-trail", "cloudtrail:trail");
  const otherTrail = `arn:aws:cloudtrail:${REGION}:${DEV.management}:trail/someone-elses`;
  const bucketName = String(one(resources, TYPES.bucket).inputs.bucket);
  const bucketArn = `arn:aws:s3:::${bucketName}`;
  const archiveKeyArn = arn(TYPES.key, "log-archive-key", "kms:key");
  const logGroupKeyArn = arn(TYPES.key, "organization-trail-log-group-key", "kms:key");
  const topicKeyArn = arn(TYPES.key, "root-activity-topic-key", "kms:key");
  const logGroupArn = arn(TYPES.logGroup, "organization-trail-log-group", "logs:log-group");
  const topicArn = arn(TYPES.topic, "root-activity-topic", "sns:topic");
  const functionArn = arn(TYPES.lambda, "root-activity-notifier-function", "lambda:function");
  const alarmArn = arn(TYPES.alarm, "root-activity-root-account-usage-alarm", "cloudwatch:alarm");
  // Mock ARNs the plan's inputs carry, as the real ARNs of the same resources.
  const real = (text: string): string =>
    text.replaceAll("arn:aws:mock::aws:kms/key:Key:root-activity-topic-key", topicKeyArn);

  const bucketPolicy = parsed(one(resources, TYPES.bucketPolicy).inputs.policy);
  const archiveKeyPolicy = parsed(one(resources, TYPES.key, "log-archive-key").inputs.policy);
  const logGroupKeyPolicy = parsed(
    one(resources, TYPES.key, "organization-trail-log-group-key").inputs.policy,
  );
  const topicKeyPolicy = parsed(one(resources, TYPES.key, "root-activity-topic-key").inputs.policy);
  const topicPolicy = parsed(
    one(resources, TYPES.topicPolicy, "root-activity-topic-policy").inputs.policy,
  );
  const pagingTopicPolicy = parsed(
    one(resources, TYPES.topicPolicy, "root-activity-paging-topic-policy").inputs.policy,
  );
  const pagingTopicArn = arn(TYPES.topic, "root-activity-paging-topic", "sns:topic");
  const deliveryTrust = parsed(
    one(resources, TYPES.role, "organization-trail-delivery-role").inputs.assumeRolePolicy,
  );
  const deliveryPolicy = parsed(
    one(resources, TYPES.rolePolicy, "organization-trail-delivery-policy").inputs.policy,
  );
  const notifierPolicy = JSON.parse(
    real(
      String(one(resources, TYPES.rolePolicy, "root-activity-notifier-role-policy").inputs.policy),
    ),
  );
  const permissionPolicy = lambdaPermissionPolicy(
    one(resources, TYPES.lambdaPermission, "root-activity-notifier-invoke-from-logs"),
    functionArn,
  );
  const scps: NamedPolicy[] = resources
    .filter((r) => r.type === TYPES.policy)
    .map((r) => ({ name: String(r.inputs.name), policy: parsed(r.inputs.content) }));
  expect(scps.map((s) => s.name)).toContain("aws-org-guardrails-protection");

  const logFile = (prefix: string) =>
    `${bucketArn}/AWSLogs/${prefix}/CloudTrail/${REGION}/2026/12/01/${DEV.management}_CloudTrail_${REGION}_20261201T1200Z_a1b2c3d4e5f6g7h8.json.gz`;
  const managementLog = logFile(DEV.management);
  const memberLog = logFile(`${DEV.organizationId}/${DEV.paymentsProd}`);
  const memberDigest = `${bucketArn}/AWSLogs/${DEV.organizationId}/${DEV.paymentsProd}/CloudTrail-Digest/${REGION}/2026/12/01/${DEV.paymentsProd}_CloudTrail-Digest_${REGION}_aws-org-guardrails_${REGION}_20261201T120000Z.json.gz`;
  const tls = { "aws:SecureTransport": "true" };
  const fromTrail = (source: string) => ({
    ...tls,
    "aws:SourceArn": source,
    "aws:SourceAccount": DEV.management,
  });
  const put = (key: string, source: string, acl = true) =>
    decideServiceRequest({
      service: "cloudtrail.amazonaws.com",
      action: "s3:PutObject",
      resource: { arn: key, accountId: DEV.logArchive },
      context: {
        ...fromTrail(source),
        ...(acl ? { "s3:x-amz-acl": "bucket-owner-full-control" } : {}),
      },
      resourcePolicy: bucketPolicy,
    });
  const archiveKey = (action: string, source: string, encryptionContext: Record<string, string>) =>
    decideServiceRequest({
      service: "cloudtrail.amazonaws.com",
      action,
      resource: { arn: archiveKeyArn, accountId: DEV.logArchive },
      context: { "aws:SourceArn": source, "aws:SourceAccount": DEV.management },
      resourcePolicy: archiveKeyPolicy,
      encryptionContext,
    });
  const trailContext = (trail: string, object = memberLog) => ({
    "aws:cloudtrail:arn": trail,
    "aws:s3:arn": object,
  });

  const deliveryRoleArn = `arn:aws:iam::${trailAccount}:role/aws-org-guardrails-trail-to-cloudwatch`;
  const inTrailAccount = (principal: RequestPrincipal) => ({
    chain: chainIn(trailAccount, scps),
    managementAccount: trailAccount === DEV.management,
    principal,
    context: { "aws:CurrentTime": NOW, ...tls },
  });
  const deliveryWrite = (action: string, stream: string) =>
    decidePrincipalRequest({
      ...inTrailAccount(roleSession(trailAccount, "aws-org-guardrails-trail-to-cloudwatch")),
      action,
      resource: { arn: `${logGroupArn}:log-stream:${stream}`, accountId: trailAccount },
      identityPolicies: [{ name: "DeliveryPolicy", policy: deliveryPolicy }],
    });
  const logsKey = (action: string, group: string) =>
    decideServiceRequest({
      service: `logs.${REGION}.amazonaws.com`,
      action,
      resource: { arn: logGroupKeyArn, accountId: trailAccount },
      context: { "aws:SourceAccount": trailAccount, "aws:SourceArn": group },
      resourcePolicy: logGroupKeyPolicy,
      encryptionContext: { "aws:logs:arn": group },
    });
  const alarmPublish = (alarm: string, account: string) =>
    decideServiceRequest({
      service: "cloudwatch.amazonaws.com",
      action: "sns:Publish",
      resource: { arn: topicArn, accountId: trailAccount },
      context: { ...tls, "aws:SourceArn": alarm, "aws:SourceAccount": account },
      resourcePolicy: topicPolicy,
    });
  const pagingPublish = (alarm: string) =>
    decideServiceRequest({
      service: "cloudwatch.amazonaws.com",
      action: "sns:Publish",
      resource: { arn: pagingTopicArn, accountId: trailAccount },
      context: { ...tls, "aws:SourceArn": alarm, "aws:SourceAccount": trailAccount },
      resourcePolicy: pagingTopicPolicy,
    });
  const alarmKey = (action: string, alarm: string, account: string) =>
    decideServiceRequest({
      service: "cloudwatch.amazonaws.com",
      action,
      resource: { arn: topicKeyArn, accountId: trailAccount },
      context: { "aws:SourceArn": alarm, "aws:SourceAccount": account },
      resourcePolicy: topicKeyPolicy,
    });
  const invoke = (source: string, account: string) =>
    decideServiceRequest({
      service: "logs.amazonaws.com",
      action: "lambda:InvokeFunction",
      resource: { arn: functionArn, accountId: trailAccount },
      context: { "aws:SourceArn": source, "aws:SourceAccount": account },
      resourcePolicy: permissionPolicy,
    });
  // AWS sets kms:ResourceAliases on every request for a key with aliases: the SCPs match by it.
  const aliased = (alias: string) => ({
    "kms:ResourceAliases": [`alias/aws-org-guardrails/${alias}`],
  });
  const notifierSession = roleSession(trailAccount, "aws-org-guardrails-root-activity-notifier");
  const notifier = (
    action: string,
    resource: string,
    resourcePolicy: unknown,
    context: Record<string, string | string[]> = {},
  ) =>
    decidePrincipalRequest({
      ...inTrailAccount(notifierSession),
      action,
      resource: { arn: resource, accountId: trailAccount },
      context: { ...inTrailAccount(notifierSession).context, ...context },
      identityPolicies: [{ name: "NotifierPolicy", policy: notifierPolicy }],
      ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
      encryptionContext: { "aws:sns:topicArn": topicArn },
    });
  const notifierLogGroupArn = `arn:aws:logs:${REGION}:${trailAccount}:log-group:/aws/lambda/aws-org-guardrails-root-activity-notifier`;
  const deliveryKey = (group: string) =>
    decidePrincipalRequest({
      ...inTrailAccount(roleSession(trailAccount, "aws-org-guardrails-trail-to-cloudwatch")),
      context: {
        ...inTrailAccount(roleSession(trailAccount, "aws-org-guardrails-trail-to-cloudwatch"))
          .context,
        "kms:ViaService": `logs.${REGION}.amazonaws.com`,
        ...aliased("central-log-group"),
      },
      action: "kms:GenerateDataKey",
      resource: { arn: logGroupKeyArn, accountId: trailAccount },
      identityPolicies: [{ name: "DeliveryPolicy", policy: deliveryPolicy }],
      resourcePolicy: logGroupKeyPolicy,
      encryptionContext: { "aws:logs:arn": group },
    });
  const reader = (principal: RequestPrincipal, account: string, member: boolean) => ({
    chain: member ? chainIn(account, scps) : [{ id: account }],
    // An account outside the organization: no SCPs of this organization apply to it.
    managementAccount: !member,
    principal,
    context: { "aws:CurrentTime": NOW, ...tls },
  });
  const securityTooling = roleSession(DEV.audit, "security-tooling");
  const otherAuditor = roleSession(DEV.audit, "intern");
  const outsider = principals.role(
    { partition: "aws", organizationId: "o-outsider000", orgPath: "o-outsider000/r-0000/" },
    OUTSIDER,
    "siem",
  );
  const read = (
    principal: RequestPrincipal,
    account: string,
    member: boolean,
    action: string,
    resource: string,
  ) =>
    decidePrincipalRequest({
      ...reader(principal, account, member),
      action,
      resource: { arn: resource, accountId: DEV.logArchive },
      resourcePolicy: bucketPolicy,
    });
  const decrypt = (
    principal: RequestPrincipal,
    account: string,
    member: boolean,
    trail = trailArn,
  ) =>
    decidePrincipalRequest({
      ...reader(principal, account, member),
      context: { ...reader(principal, account, member).context, ...aliased("trail-archive") },
      action: "kms:Decrypt",
      resource: { arn: archiveKeyArn, accountId: DEV.logArchive },
      resourcePolicy: archiveKeyPolicy,
      encryptionContext: trailContext(trail),
    });

  const rows: Row[] = [
    // CloudTrail -> archive bucket
    {
      name: "CloudTrail checks the archive bucket's ACL for this trail",
      page: PAGES.orgTrailBucket,
      expect: "Allowed",
      decide: () =>
        decideServiceRequest({
          service: "cloudtrail.amazonaws.com",
          action: "s3:GetBucketAcl",
          resource: { arn: bucketArn, accountId: DEV.logArchive },
          context: fromTrail(trailArn),
          resourcePolicy: bucketPolicy,
        }),
    },
    {
      name: "...but not for another trail",
      page: PAGES.orgTrailBucket,
      expect: "denied",
      decide: () =>
        decideServiceRequest({
          service: "cloudtrail.amazonaws.com",
          action: "s3:GetBucketAcl",
          resource: { arn: bucketArn, accountId: DEV.logArchive },
          context: fromTrail(otherTrail),
          resourcePolicy: bucketPolicy,
        }),
    },
    {
      name: "CloudTrail writes the management account's log files under AWSLogs/<management account>/",
      page: PAGES.orgTrailBucket,
      expect: "Allowed",
      decide: () => put(managementLog, trailArn),
    },
    {
      name: "CloudTrail writes member accounts' log files under AWSLogs/<organization id>/",
      page: PAGES.orgTrailBucket,
      expect: "Allowed",
      decide: () => put(memberLog, trailArn),
    },
    {
      name: "CloudTrail writes digest files under AWSLogs/<organization id>/",
      page: PAGES.orgTrailBucket,
      expect: "Allowed",
      decide: () => put(memberDigest, trailArn),
    },
    {
      name: "...never for another trail",
      page: PAGES.orgTrailBucket,
      expect: "denied",
      decide: () => put(memberLog, otherTrail),
    },
    {
      name: "...never without bucket-owner-full-control",
      page: PAGES.orgTrailBucket,
      expect: "denied",
      decide: () => put(memberLog, trailArn, false),
    },
    {
      name: "...never outside AWSLogs/",
      page: PAGES.orgTrailBucket,
      expect: "denied",
      decide: () => put(`${bucketArn}/elsewhere/x.json.gz`, trailArn),
    },
    {
      name: "...never without TLS",
      page: PAGES.orgTrailBucket,
      expect: "denied",
      decide: () =>
        decideServiceRequest({
          service: "cloudtrail.amazonaws.com",
          action: "s3:PutObject",
          resource: { arn: memberLog, accountId: DEV.logArchive },
          context: {
            ...fromTrail(trailArn),
            "aws:SecureTransport": "false",
            "s3:x-amz-acl": "bucket-owner-full-control",
          },
          resourcePolicy: bucketPolicy,
        }),
    },
    // CloudTrail -> archive key
    {
      name: "CloudTrail generates data keys with this trail's encryption context",
      page: PAGES.kmsContext,
      expect: "Allowed",
      decide: () => archiveKey("kms:GenerateDataKey", trailArn, trailContext(trailArn)),
    },
    {
      // With an S3 Bucket Key, S3 names the bucket in aws:s3:arn; the trail's ARN is CloudTrail's.
      name: "...also with an S3 Bucket Key's context (the bucket in aws:s3:arn)",
      page: PAGES.bucketKey,
      expect: "Allowed",
      decide: () => archiveKey("kms:GenerateDataKey", trailArn, trailContext(trailArn, bucketArn)),
    },
    {
      name: "...not with another trail's context",
      page: PAGES.trailKey,
      expect: "denied",
      decide: () => archiveKey("kms:GenerateDataKey", trailArn, trailContext(otherTrail)),
    },
    {
      name: "...not on behalf of another trail",
      page: PAGES.trailKey,
      expect: "denied",
      decide: () => archiveKey("kms:GenerateDataKey", otherTrail, trailContext(trailArn)),
    },
    {
      name: "CloudTrail decrypts through the S3 Bucket Key (context: the bucket), for this trail",
      page: PAGES.trailKey,
      expect: "Allowed",
      decide: () => archiveKey("kms:Decrypt", trailArn, { "aws:s3:arn": bucketArn }),
    },
    {
      name: "...not for another trail",
      page: PAGES.bucketKey,
      expect: "denied",
      decide: () => archiveKey("kms:Decrypt", otherTrail, { "aws:s3:arn": bucketArn }),
    },
    {
      name: "CloudTrail describes the archive key for this trail",
      page: PAGES.trailKey,
      expect: "Allowed",
      decide: () => archiveKey("kms:DescribeKey", trailArn, {}),
    },
    {
      name: "...not for another trail",
      page: PAGES.trailKey,
      expect: "denied",
      decide: () => archiveKey("kms:DescribeKey", otherTrail, {}),
    },
    // CloudTrail -> delivery role -> central log group
    {
      name: "CloudTrail assumes the delivery role",
      page: PAGES.delivery,
      expect: "Allowed",
      decide: () =>
        decideServiceRequest({
          service: "cloudtrail.amazonaws.com",
          action: "sts:AssumeRole",
          resource: { arn: deliveryRoleArn, accountId: trailAccount },
          context: {},
          resourcePolicy: deliveryTrust,
        }),
    },
    {
      name: "...which no other service may assume",
      page: PAGES.delivery,
      expect: "denied",
      decide: () =>
        decideServiceRequest({
          service: "lambda.amazonaws.com",
          action: "sts:AssumeRole",
          resource: { arn: deliveryRoleArn, accountId: trailAccount },
          context: {},
          resourcePolicy: deliveryTrust,
        }),
    },
    ...(["logs:CreateLogStream", "logs:PutLogEvents"] as const).flatMap((action): Row[] => [
      {
        name: `the delivery role: ${action} on the management account's stream`,
        page: PAGES.delivery,
        expect: "Allowed",
        decide: () => deliveryWrite(action, `${DEV.management}_CloudTrail_${REGION}`),
      },
      {
        name: `the delivery role: ${action} on a member account's stream`,
        page: PAGES.delivery,
        expect: "Allowed",
        decide: () =>
          deliveryWrite(action, `${DEV.organizationId}_${DEV.paymentsProd}_CloudTrail_${REGION}`),
      },
      {
        name: `the delivery role: ${action} on no other stream`,
        page: PAGES.delivery,
        expect: "denied",
        decide: () => deliveryWrite(action, "someone-elses-stream"),
      },
    ]),
    // CloudWatch Logs -> log-group key
    // AWS's statement also grants kms:Describe* under the same condition; DescribeKey carries no
    // encryption context, so it is no row here.
    ...(["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"] as const).flatMap((action): Row[] => [
      {
        name: `CloudWatch Logs: ${action} for the central log group`,
        page: PAGES.logGroupKey,
        expect: "Allowed",
        decide: () => logsKey(action, logGroupArn),
      },
      {
        name: `CloudWatch Logs: ${action} for no other log group`,
        page: PAGES.logGroupKey,
        expect: "denied",
        decide: () => logsKey(action, `${logGroupArn}-other`),
      },
    ]),
    // CloudWatch alarms -> topic -> topic key
    {
      name: "CloudWatch alarms of this account publish to the alert topic",
      page: PAGES.alarmTopic,
      expect: "Allowed",
      decide: () => alarmPublish(alarmArn, trailAccount),
    },
    {
      name: "...no alarm of another account",
      page: PAGES.alarmTopic,
      expect: "denied",
      decide: () => alarmPublish(`arn:aws:cloudwatch:${REGION}:${OUTSIDER}:alarm:x`, OUTSIDER),
    },
    ...(["kms:GenerateDataKey", "kms:Decrypt"] as const).flatMap((action): Row[] => [
      {
        name: `CloudWatch alarms use the topic key: ${action}`,
        page: PAGES.alarmTopic,
        expect: "Allowed",
        decide: () => alarmKey(action, alarmArn, trailAccount),
      },
      {
        name: `...no alarm of another account: ${action}`,
        page: PAGES.alarmTopic,
        expect: "denied",
        decide: () =>
          alarmKey(action, `arn:aws:cloudwatch:${REGION}:${OUTSIDER}:alarm:x`, OUTSIDER),
      },
    ]),
    // CloudWatch Logs -> notifier function
    {
      name: "CloudWatch Logs invokes the notifier for the central log group",
      page: PAGES.subscription,
      expect: "Allowed",
      decide: () => invoke(`${logGroupArn}:*`, trailAccount),
    },
    {
      name: "...not for another log group",
      page: PAGES.subscription,
      expect: "denied",
      decide: () => invoke(`${logGroupArn}-other:*`, trailAccount),
    },
    {
      name: "...not from another account",
      page: PAGES.subscription,
      expect: "denied",
      decide: () =>
        invoke(
          `arn:aws:logs:${REGION}:${OUTSIDER}:log-group:/aws-org-guardrails/cloudtrail:*`,
          OUTSIDER,
        ),
    },
    // The notifier role -> topic and topic key
    {
      name: "the notifier publishes alerts",
      page: PAGES.publisher,
      expect: "Allowed",
      decide: () => notifier("sns:Publish", topicArn, topicPolicy),
    },
    {
      name: "the notifier pages through the paging topic",
      page: PAGES.publisher,
      expect: "Allowed",
      decide: () => notifier("sns:Publish", pagingTopicArn, pagingTopicPolicy),
    },
    {
      name: "the root-usage alarms do not publish to the paging topic (the notifier pages per event)",
      page: PAGES.alarmTopic,
      expect: "denied",
      decide: () => pagingPublish(alarmArn),
    },
    // Every alarm the plan routes to the paging topic (the notifier's health, tampering) may
    // publish to it: CloudWatch sends the alarm's ARN as aws:SourceArn.
    ...byType(resources, TYPES.alarm)
      .filter((alarm) =>
        (alarm.inputs.alarmActions as string[]).some((action) => action.includes("paging-topic")),
      )
      .map((alarm): Row => ({
        name: `the ${String(alarm.inputs.name)} alarm pages through the paging topic`,
        page: PAGES.alarmTopic,
        expect: "Allowed",
        decide: () => pagingPublish(arn(TYPES.alarm, alarm.name, "cloudwatch:alarm")),
      })),
    {
      name: "the notifier looks AssumeRoot calls up in the central log group",
      page: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html",
      expect: "Allowed",
      decide: () => notifier("logs:FilterLogEvents", logGroupArn, undefined),
    },
    {
      name: "...and reads it through the log-group key, via CloudWatch Logs",
      page: PAGES.logGroupKey,
      expect: "Allowed",
      decide: () =>
        decidePrincipalRequest({
          ...inTrailAccount(notifierSession),
          context: {
            ...inTrailAccount(notifierSession).context,
            "kms:ViaService": `logs.${REGION}.amazonaws.com`,
            ...aliased("central-log-group"),
          },
          action: "kms:Decrypt",
          resource: { arn: logGroupKeyArn, accountId: trailAccount },
          identityPolicies: [{ name: "NotifierPolicy", policy: notifierPolicy }],
          resourcePolicy: logGroupKeyPolicy,
          encryptionContext: { "aws:logs:arn": logGroupArn },
        }),
    },
    {
      name: "...and no other log group",
      page: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html",
      expect: "denied",
      decide: () => notifier("logs:FilterLogEvents", `${logGroupArn}-other`, undefined),
    },
    ...(["kms:GenerateDataKey", "kms:Decrypt"] as const).map((action): Row => ({
      name: `the notifier uses the topic key: ${action}`,
      page: PAGES.publisher,
      expect: "Allowed",
      decide: () => notifier(action, topicKeyArn, topicKeyPolicy, aliased("alert-topic")),
    })),
    ...(["logs:CreateLogStream", "logs:PutLogEvents"] as const).map((action): Row => ({
      name: `the notifier writes its own log group: ${action}`,
      page: PAGES.delivery,
      expect: "Allowed",
      decide: () =>
        notifier(
          action,
          `${notifierLogGroupArn}:log-stream:2026/12/01/[$LATEST]0123456789abcdef`,
          undefined,
        ),
    })),
    {
      name: "the delivery role uses the log-group key through CloudWatch Logs for the central log group",
      page: PAGES.logGroupKey,
      expect: "Allowed",
      decide: () => deliveryKey(logGroupArn),
    },
    {
      name: "...for no other log group",
      page: PAGES.logGroupKey,
      expect: "denied",
      decide: () => deliveryKey(`${logGroupArn}-other`),
    },
    // Readers -> archive objects and key
    ...(["s3:CreateAccessPoint", "s3:PutObject"] as const).map((action): Row => ({
      // An access point of the log-archive account would be a second way in, its policy its
      // own. (The bucket policy also denies every request through an access point; the
      // simulator cannot evaluate one request against both, so the SCP is what is shown here.)
      name: `an administrator of the log-archive account: ${action} through an access point -> denied`,
      page: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html",
      expect: "denied",
      decide: () =>
        decidePrincipalRequest({
          chain: chainIn(DEV.logArchive, scps),
          managementAccount: false,
          principal: roleSession(DEV.logArchive, "AdminRole"),
          context: { "aws:CurrentTime": NOW, ...tls },
          action,
          resource: {
            arn:
              action === "s3:PutObject"
                ? `arn:aws:s3:${REGION}:${DEV.logArchive}:accesspoint/back-door/object/AWSLogs/x.json.gz`
                : `arn:aws:s3:${REGION}:${DEV.logArchive}:accesspoint/back-door`,
            accountId: DEV.logArchive,
          },
        }),
    })),
    {
      name: "a configured reader lists the archive",
      page: PAGES.readers,
      expect: "Allowed",
      decide: () => read(securityTooling, DEV.audit, true, "s3:ListBucket", bucketArn),
    },
    {
      name: "a configured reader reads a log file",
      page: PAGES.readers,
      expect: "Allowed",
      decide: () => read(securityTooling, DEV.audit, true, "s3:GetObject", memberLog),
    },
    {
      name: "a configured reader decrypts a log file of this trail",
      page: PAGES.trailKey,
      expect: "Allowed",
      decide: () => decrypt(securityTooling, DEV.audit, true),
    },
    {
      name: "another role of the reader's account reads nothing",
      page: PAGES.readers,
      expect: "denied",
      decide: () => read(otherAuditor, DEV.audit, true, "s3:GetObject", memberLog),
    },
    {
      name: "...decrypts nothing",
      page: PAGES.trailKey,
      expect: "denied",
      decide: () => decrypt(otherAuditor, DEV.audit, true),
    },
    // A principal outside the organization
    ...(
      [
        ["s3:GetObject", memberLog],
        ["s3:ListBucket", bucketArn],
        ["s3:PutObject", memberLog],
      ] as const
    ).map(([action, resource]): Row => ({
      name: `a principal outside the organization: ${action} on the archive`,
      page: PAGES.readers,
      expect: "denied",
      decide: () => read(outsider, OUTSIDER, false, action, resource),
    })),
    {
      name: "a principal outside the organization decrypts nothing",
      page: PAGES.trailKey,
      expect: "denied",
      decide: () => decrypt(outsider, OUTSIDER, false),
    },
    {
      name: "a principal outside the organization publishes nothing",
      page: PAGES.publisher,
      expect: "denied",
      decide: () =>
        decidePrincipalRequest({
          ...reader(outsider, OUTSIDER, false),
          action: "sns:Publish",
          resource: { arn: topicArn, accountId: trailAccount },
          resourcePolicy: topicPolicy,
        }),
    },
    {
      name: "a principal outside the organization invokes nothing",
      page: PAGES.subscription,
      expect: "denied",
      decide: () =>
        decidePrincipalRequest({
          ...reader(outsider, OUTSIDER, false),
          action: "lambda:InvokeFunction",
          resource: { arn: functionArn, accountId: trailAccount },
          resourcePolicy: permissionPolicy,
        }),
    },
    {
      name: "a principal outside the organization uses no log-group key",
      page: PAGES.logGroupKey,
      expect: "denied",
      decide: () =>
        decidePrincipalRequest({
          ...reader(outsider, OUTSIDER, false),
          action: "kms:Decrypt",
          resource: { arn: logGroupKeyArn, accountId: trailAccount },
          resourcePolicy: logGroupKeyPolicy,
          encryptionContext: { "aws:logs:arn": logGroupArn },
        }),
    },
  ];
  return rows;
}

for (const mode of ["management", "delegatedAdministrator"] as const) {
  describe(`service-to-service permissions, log group in the ${mode} location`, async () => {
    const rows = await rowsFor(mode);
    it("has a row for every interaction and its twin", () => {
      expect(rows.length).toBeGreaterThanOrEqual(50);
    });
    for (const row of rows) {
      it(`${row.name} -> ${row.expect} (${row.page})`, async () => {
        const decision = await row.decide();
        if (row.expect === "Allowed") {
          expect(decision).toBe("Allowed");
        } else {
          expect(decision).not.toBe("Allowed");
        }
      });
    }
  });
}

describe("every service the planned resource policies let in comes with its source condition", async () => {
  const SOURCE_KEYS = ["aws:sourcearn", "aws:sourceaccount", "kms:encryptioncontext:aws:logs:arn"];
  // Reviewed exceptions: trust policies of roles whose service documents no source condition.
  const TRUST_WITHOUT_SOURCE: Record<string, string> = {
    "organization-trail-delivery-role":
      "CloudTrail's role for CloudWatch Logs: \"The role policy doesn't support the use of aws:SourceArn and aws:SourceAccount\" (cloudtrail-required-policy-for-cloudwatch-logs.html)",
    "root-activity-notifier-role":
      "a Lambda execution role is assumed by the Lambda service for this function only; AWS documents no source condition for it",
  };
  for (const mode of ["management", "delegatedAdministrator"] as const) {
    const { resources } = await runProgram({
      config:
        mode === "management"
          ? {}
          : {
              "aws-org-guardrails:centralLogs": JSON.stringify({
                location: "delegatedAdministrator",
              }),
            },
    });
    it(`${mode}: no Allow statement names a service principal without aws:SourceArn, aws:SourceAccount or the log group's encryption context`, () => {
      const documents = resources.flatMap((resource): [string, any][] => {
        const text = resource.inputs.policy ?? resource.inputs.assumeRolePolicy;
        return typeof text === "string" && text.startsWith("{")
          ? [[resource.name, JSON.parse(text)]]
          : [];
      });
      expect(documents.length).toBeGreaterThan(6);
      const unguarded = documents.flatMap(([name, document]) =>
        (document.Statement as any[])
          .filter((s) => s.Effect === "Allow" && s.Principal?.Service !== undefined)
          .filter((s) => {
            const keys = Object.values(s.Condition ?? {}).flatMap((block: any) =>
              Object.keys(block).map((key) => key.toLowerCase()),
            );
            return !keys.some((key) => SOURCE_KEYS.includes(key));
          })
          .filter(() => TRUST_WITHOUT_SOURCE[name] === undefined)
          .map((s) => `${name}/${s.Sid ?? "?"}`),
      );
      expect(unguarded).toEqual([]);
      const permissions = byType(resources, TYPES.lambdaPermission);
      expect(permissions.length).toBeGreaterThanOrEqual(2);
      for (const permission of permissions) {
        expect(permission.inputs.sourceArn, permission.name).toBeDefined();
        expect(permission.inputs.sourceAccount, permission.name).toBeDefined();
      }
    });
  }
});
