import { GuardrailNames } from "../config/names";
import { PolicyDocument, PolicyStatement } from "./document";

/**
 * Resource policies for the audit-log path: archive bucket, archive key, central log group key,
 * and the role CloudTrail uses to write to the log group. Pure functions of names known at plan
 * time, so every document is complete in the offline plan.
 */

const CLOUDTRAIL = { Service: "cloudtrail.amazonaws.com" } as const;

function accountRoot(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** A condition value: one string as itself (the documents AWS shows), several as a list. */
function oneOrMany(values: readonly string[]): string | string[] {
  return values.length === 1 ? values[0] : [...values];
}

/** Every trail of the management account: only this program's trails may use the archive key. */
function trailsOfManagementAccount(names: GuardrailNames): string {
  return `arn:${names.partition}:cloudtrail:*:${names.managementAccountId}:trail/*`;
}

/**
 * What every bucket of the program denies to everyone: requests over plain HTTP, and requests
 * through an access point (a second way in, with a policy of its own).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html (deny non-TLS)
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
 */
export function bucketGuardStatements(bucketArn: string): {
  readonly denyInsecureTransport: PolicyStatement;
  readonly denyAccessPoints: PolicyStatement;
} {
  const everything = [bucketArn, `${bucketArn}/*`];
  return {
    denyInsecureTransport: {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: everything,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    denyAccessPoints: {
      Sid: "DenyAccessPoints",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: everything,
      Condition: { Null: { "s3:DataAccessPointArn": "false" } },
    },
  };
}

/**
 * The archive bucket's policy: TLS only, and CloudTrail may check the ACL and write only under
 * `AWSLogs/<management account>/` and `AWSLogs/<organization id>/`, only for this trail. These
 * are the statements AWS documents for organization trails, each pinned with `aws:SourceArn` to
 * the trail's ARN (confused-deputy protection); while the log group moves, the retiring trail's ARN
 * too, so the old trail keeps delivering until it is deleted. The configured readers may list the
 * bucket and read the log files (bucket owner enforced: ACLs grant nothing, so the bucket policy is
 * the only S3 grant a reader in another account can have; it also needs the key, below), and only
 * while their account is in the organization.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html#org-trail-bucket-policy
 */
export function buildArchiveBucketPolicy(
  names: GuardrailNames,
  readers: readonly string[] = [],
): PolicyDocument {
  const pinned = { "aws:SourceArn": oneOrMany(names.archiveTrailArns) };
  const guard = bucketGuardStatements(names.bucketArn);
  const write = (sid: string, prefix: string): PolicyStatement => ({
    Sid: sid,
    Effect: "Allow",
    Principal: CLOUDTRAIL,
    Action: "s3:PutObject",
    Resource: `${names.bucketArn}/AWSLogs/${prefix}/*`,
    Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", ...pinned } },
  });
  return {
    Version: "2012-10-17",
    Statement: [
      guard.denyInsecureTransport,
      {
        Sid: "AWSCloudTrailAclCheck20150319",
        Effect: "Allow",
        Principal: CLOUDTRAIL,
        Action: "s3:GetBucketAcl",
        Resource: names.bucketArn,
        Condition: { StringEquals: pinned },
      },
      write("AWSCloudTrailWrite20150319", names.managementAccountId),
      write("AWSCloudTrailOrganizationWrite20150319", names.organizationId),
      ...readerStatements(names, readers),
      // Access points are a second way in, with policies of their own: none may reach the archive.
      guard.denyAccessPoints,
    ],
  };
}

/**
 * The readers' S3 grants: list the bucket, read log and digest files (current and noncurrent
 * versions) under `AWSLogs/`, nothing else.
 * https://repost.aws/knowledge-center/cross-account-access-denied-error-s3
 */
function readerStatements(names: GuardrailNames, readers: readonly string[]): PolicyStatement[] {
  if (readers.length === 0) {
    return [];
  }
  const principal = { AWS: [...readers].sort() };
  const inOrganization = { StringEquals: { "aws:PrincipalOrgID": names.organizationId } };
  return [
    {
      Sid: "AllowLogReadersToList",
      Effect: "Allow",
      Principal: principal,
      Action: "s3:ListBucket",
      Resource: names.bucketArn,
      Condition: inOrganization,
    },
    {
      Sid: "AllowLogReadersToRead",
      Effect: "Allow",
      Principal: principal,
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:RestoreObject"],
      Resource: `${names.bucketArn}/AWSLogs/*`,
      Condition: inOrganization,
    },
  ];
}

/**
 * The archive key's policy (in the log-archive account). CloudTrail may generate data keys only
 * with the encryption context of this organization's trail (`aws:cloudtrail:arn`) and only on
 * behalf of this trail (`aws:SourceArn`). It may also decrypt, on behalf of this trail: the archive
 * bucket uses an S3 Bucket Key, and "if you are using an existing S3 bucket with an S3 Bucket Key,
 * kms:Decrypt permissions are required to create or update a trail with SSE-KMS encryption
 * enabled"; the statement AWS gives for it names the CloudTrail service principal, whose calls at
 * CreateTrail/UpdateTrail are its own (`invokedBy: cloudtrail.amazonaws.com`), so the deployment role
 * needs no key permission. No encryption-context condition there: S3 Bucket Keys use the bucket's
 * ARN as context, and AWS's statement has none. The `aws:SourceArn` pin is AWS's advice for every
 * statement of a CloudTrail key policy. The named readers may decrypt log files of this
 * organization's trails (AWS's reader statement, narrowed to the management account's trails and to
 * readers still in the organization).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 * The account statement keeps the key manageable by IAM in its own account, as AWS's default
 * key policy does; without it a key can become unmanageable.
 */
export function buildArchiveKeyPolicy(
  names: GuardrailNames,
  readers: readonly string[],
): PolicyDocument {
  const thisTrail = { "aws:SourceArn": oneOrMany(names.archiveTrailArns) };
  const statements: PolicyStatement[] = [
    {
      Sid: "EnableIamPoliciesOfKeyAccount",
      Effect: "Allow",
      Principal: { AWS: accountRoot(names.partition, names.logArchiveAccountId) },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "AllowCloudTrailToEncryptLogs",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: {
        StringEquals: {
          ...thisTrail,
          "kms:EncryptionContext:aws:cloudtrail:arn": oneOrMany(names.archiveTrailArns),
        },
      },
    },
    {
      Sid: "AllowCloudTrailToDecryptWithBucketKey",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: thisTrail },
    },
    {
      Sid: "AllowCloudTrailToDescribeKey",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: "kms:DescribeKey",
      Resource: "*",
      Condition: { StringEquals: thisTrail },
    },
  ];
  if (readers.length > 0) {
    statements.push({
      Sid: "AllowLogReadersToDecrypt",
      Effect: "Allow",
      Principal: { AWS: [...readers].sort() },
      Action: ["kms:Decrypt", "kms:ReEncryptFrom"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:PrincipalOrgID": names.organizationId },
        StringLike: {
          "kms:EncryptionContext:aws:cloudtrail:arn": trailsOfManagementAccount(names),
        },
      },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The central log group's key policy (in the account of the log group). CloudWatch Logs uses the
 * key only for this log group: the regional service principal with the `aws:logs:arn` context.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function buildLogGroupKeyPolicy(names: GuardrailNames): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EnableIamPoliciesOfKeyAccount",
        Effect: "Allow",
        Principal: { AWS: accountRoot(names.partition, names.trailAccountId) },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "AllowCloudWatchLogsForTheCentralLogGroup",
        Effect: "Allow",
        Principal: { Service: `logs.${names.region}.amazonaws.com` },
        Action: [
          "kms:Encrypt*",
          "kms:Decrypt*",
          "kms:ReEncrypt*",
          "kms:GenerateDataKey*",
          "kms:Describe*",
        ],
        Resource: "*",
        Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": names.logGroupArn } },
      },
    ],
  };
}

/**
 * Trust policy of the role CloudTrail assumes to write to CloudWatch Logs. Only the CloudTrail
 * service principal, as AWS documents for this role; no source condition is documented for
 * organization-trail delivery, and a wrong one would silently stop delivery.
 */
export function buildTrailDeliveryTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "CloudTrailAssumesRole",
        Effect: "Allow",
        Principal: CLOUDTRAIL,
        Action: "sts:AssumeRole",
      },
    ],
  };
}

/**
 * What the delivery role may do: create streams and put events in the central log group, under
 * the two stream-name shapes an organization trail uses: `<management account>_CloudTrail_<region>*`
 * for the management account's own events and `<organization id>_*` for member accounts.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
 * The log group is encrypted with a customer managed key, and CloudWatch Logs documents that "the
 * caller role" needs the key too, through `kms:ViaService`: granted for this log group only.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function buildTrailDeliveryRolePolicy(names: GuardrailNames): PolicyDocument {
  const streams = [
    `${names.logGroupArn}:log-stream:${names.managementAccountId}_CloudTrail_${names.region}*`,
    `${names.logGroupArn}:log-stream:${names.organizationId}_*`,
  ];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "CreateTrailLogStreams",
        Effect: "Allow",
        Action: "logs:CreateLogStream",
        Resource: streams,
      },
      { Sid: "PutTrailLogEvents", Effect: "Allow", Action: "logs:PutLogEvents", Resource: streams },
      {
        Sid: "UseLogGroupKeyThroughCloudWatchLogs",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
        Resource: "*",
        Condition: {
          StringEquals: { "kms:ViaService": `logs.${names.region}.amazonaws.com` },
          ArnEquals: { "kms:EncryptionContext:aws:logs:arn": names.logGroupArn },
        },
      },
    ],
  };
}
