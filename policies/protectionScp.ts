import { GuardrailNames } from "../config/names";
import { PolicyDocument, PolicyStatement } from "./document";

/** Every KMS key the program creates carries an alias under this prefix; the SCP protects them by it. */
export const KEY_ALIAS_PREFIX = "alias/aws-org-guardrails/";

export interface ProtectionScpInput {
  readonly names: GuardrailNames;
  /**
   * Role ARN patterns (ArnLike) that may still change the protected resources: the role this
   * program deploys with. Never an account or a root user.
   */
  readonly exceptRoleArnPatterns: readonly string[];
  /** In the delegated-administrator mode the trail, log group and alerting sit in a member account. */
  readonly protectDetection: boolean;
}

// Actions that would delete the archive or weaken how it keeps logs. Validated against AWS's
// service authorization reference in the tests: an unknown action name in an SCP is not
// rejected, it silently never matches.
const ARCHIVE_BUCKET_ACTIONS = [
  "s3:DeleteBucket",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutBucketVersioning",
  "s3:PutBucketPublicAccessBlock",
  "s3:PutEncryptionConfiguration",
  "s3:PutBucketOwnershipControls",
  "s3:PutBucketAcl",
  "s3:PutReplicationConfiguration",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:BypassGovernanceRetention",
] as const;

const KEY_ACTIONS = [
  "kms:DisableKey",
  "kms:ScheduleKeyDeletion",
  "kms:PutKeyPolicy",
  "kms:DisableKeyRotation",
  "kms:CreateGrant",
] as const;

// DeleteAlias and UpdateAlias would strip the alias the key statement relies on.
const ALIAS_ACTIONS = ["kms:DeleteAlias", "kms:UpdateAlias"] as const;

const LOG_GROUP_ACTIONS = [
  "logs:DeleteLogGroup",
  "logs:PutRetentionPolicy",
  "logs:DeleteRetentionPolicy",
  "logs:AssociateKmsKey",
  "logs:DisassociateKmsKey",
  "logs:PutMetricFilter",
  "logs:DeleteMetricFilter",
  "logs:PutSubscriptionFilter",
  "logs:DeleteSubscriptionFilter",
  // Deleting streams empties the log group without deleting it.
  "logs:DeleteLogStream",
] as const;

const TRAIL_ACTIONS = [
  "cloudtrail:StopLogging",
  "cloudtrail:DeleteTrail",
  "cloudtrail:UpdateTrail",
  "cloudtrail:PutEventSelectors",
] as const;

const ALARM_ACTIONS = [
  "cloudwatch:DeleteAlarms",
  "cloudwatch:PutMetricAlarm",
  "cloudwatch:DisableAlarmActions",
  "cloudwatch:SetAlarmState",
  // A mute rule silences an alarm's actions for as long as it says.
  "cloudwatch:PutAlarmMuteRule",
] as const;

const TOPIC_ACTIONS = [
  "sns:DeleteTopic",
  "sns:SetTopicAttributes",
  "sns:AddPermission",
  "sns:RemovePermission",
  // Unsubscribing, or a filter policy that matches nothing, silences alerts without touching the topic.
  "sns:Unsubscribe",
  "sns:SetSubscriptionAttributes",
] as const;

const FUNCTION_ACTIONS = [
  "lambda:DeleteFunction",
  "lambda:UpdateFunctionCode",
  "lambda:UpdateFunctionConfiguration",
  "lambda:PutFunctionConcurrency",
  "lambda:AddPermission",
  "lambda:RemovePermission",
  // The resource policy carries the permission that lets CloudWatch Logs invoke the function.
  "lambda:PutResourcePolicy",
  "lambda:DeleteResourcePolicy",
] as const;

// A permissions boundary that denies everything stops a role as surely as deleting it. The same
// list guards the exempted deployment role: whoever could change its trust policy could assume it
// and then change everything the exemption lets it change.
const ROLE_ACTIONS = [
  "iam:CreateRole",
  "iam:DeleteRole",
  "iam:UpdateAssumeRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
] as const;

/** Every action the protection SCP names, for validation against AWS's reference data. */
export const PROTECTION_ACTIONS: readonly string[] = [
  "organizations:LeaveOrganization",
  ...ARCHIVE_BUCKET_ACTIONS,
  ...KEY_ACTIONS,
  ...ALIAS_ACTIONS,
  ...LOG_GROUP_ACTIONS,
  ...TRAIL_ACTIONS,
  ...ALARM_ACTIONS,
  ...TOPIC_ACTIONS,
  ...FUNCTION_ACTIONS,
  ...ROLE_ACTIONS,
];

/**
 * The SCP that keeps the guardrails on: member accounts cannot leave the organization, and
 * nobody but the deployment role can delete or weaken the log archive (bucket, policy, lifecycle,
 * Object Lock, versioning, public-access block, encryption) or its KMS key; in the
 * delegated-administrator mode the same holds for the trail, the central log group, its filters,
 * the alarms, the topic, the notifier function and the roles beside them.
 *
 * Every resource is named by a deterministic ARN, so the whole policy is known at plan time. KMS
 * keys are matched by their alias (`kms:ResourceAliases`), because a key's ARN exists only after
 * it is created. Exceptions are by role ARN (`ArnNotLike aws:PrincipalArn`), never by account.
 * SCPs never restrict service-linked roles, so S3 lifecycle expiry and CloudTrail delivery go on.
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
 */
export function buildProtectionScp(input: ProtectionScpInput): PolicyDocument {
  const { names } = input;
  const unlessDeployer = {
    ArnNotLike: { "aws:PrincipalArn": [...input.exceptRoleArnPatterns].sort() },
  };
  const deny = (
    sid: string,
    actions: readonly string[],
    resources: string | string[],
    extra: Record<string, Record<string, string | string[]>> = {},
  ): PolicyStatement => ({
    Sid: sid,
    Effect: "Deny",
    Action: [...actions],
    Resource: resources,
    Condition: { ...unlessDeployer, ...extra },
  });
  const arn = (service: string, account: string, rest: string): string =>
    `arn:${names.partition}:${service}:${names.region}:${account}:${rest}`;
  // Keys in the management account need no SCP (none applies there); the archive key, and in the
  // delegated-administrator mode every other key, sit in the log-archive account.
  const keyAccount = names.logArchiveAccountId;
  const statements: PolicyStatement[] = [
    {
      Sid: "DenyLeavingTheOrganization",
      Effect: "Deny",
      Action: "organizations:LeaveOrganization",
      Resource: "*",
    },
    deny("ProtectLogArchiveBucket", ARCHIVE_BUCKET_ACTIONS, [
      names.bucketArn,
      `${names.bucketArn}/*`,
    ]),
    deny("ProtectGuardrailKeys", KEY_ACTIONS, arn("kms", keyAccount, "key/*"), {
      "ForAnyValue:StringLike": { "kms:ResourceAliases": `${KEY_ALIAS_PREFIX}*` },
    }),
    deny(
      "ProtectGuardrailKeyAliases",
      ALIAS_ACTIONS,
      arn("kms", keyAccount, `${KEY_ALIAS_PREFIX}*`),
    ),
    // Nobody else may re-point the exempted role: changing its trust policy would let them
    // assume it, and then change everything the exemption allows.
    deny("ProtectDeploymentRole", ROLE_ACTIONS, [...input.exceptRoleArnPatterns].sort()),
  ];
  if (input.protectDetection) {
    const account = names.trailAccountId;
    statements.push(
      deny("ProtectCentralLogGroup", LOG_GROUP_ACTIONS, [
        names.logGroupArn,
        `${names.logGroupArn}:*`,
        names.notifierLogGroupArn,
        `${names.notifierLogGroupArn}:*`,
      ]),
      deny("ProtectOrganizationTrail", TRAIL_ACTIONS, names.trailArn),
      deny(
        "ProtectRootAlarms",
        ALARM_ACTIONS,
        arn("cloudwatch", account, "alarm:aws-org-guardrails-*"),
      ),
      deny("ProtectAlertTopic", TOPIC_ACTIONS, names.alertTopicArn),
      deny("ProtectNotifier", FUNCTION_ACTIONS, names.notifierFunctionArn),
      deny(
        "ProtectGuardrailRoles",
        ROLE_ACTIONS,
        `arn:${names.partition}:iam::${account}:role/aws-org-guardrails-*`,
      ),
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}
