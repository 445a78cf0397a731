import { GuardrailNames } from "../config/names";
import { bucketGuardStatements } from "./auditLogPolicies";
import { PolicyDocument, PolicyStatement } from "./document";
import { ARCHIVE_KEY_ALIAS } from "./protectionScp";

/**
 * The back-test's policies (issue 18), in the log-archive account: who may assume the reader role,
 * what the reader may do, and the results bucket's policy. Pure functions of names known at plan
 * time. Athena has no resource policy on a workgroup, so the reader role is the only way in; Athena
 * reads the archive and writes the results with the reader's own permissions (forward access
 * sessions: S3 sees the reader, KMS sees the reader through S3).
 * https://docs.aws.amazon.com/athena/latest/ug/s3-permissions.html
 * https://docs.aws.amazon.com/athena/latest/ug/encryption.html
 */

/**
 * Who may assume the reader role: the named readers while their account is in the organization,
 * or, with none named, the management account (its principals whose own policies allow
 * sts:AssumeRole on the role).
 */
export function buildBacktestReaderTrustPolicy(
  names: GuardrailNames,
  readers: readonly string[],
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      readers.length === 0
        ? {
            Sid: "ManagementAccountRunsBacktests",
            Effect: "Allow",
            Principal: { AWS: `arn:${names.partition}:iam::${names.managementAccountId}:root` },
            Action: "sts:AssumeRole",
          }
        : {
            Sid: "NamedReadersRunBacktests",
            Effect: "Allow",
            Principal: { AWS: [...readers].sort() },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:PrincipalOrgID": names.organizationId } },
          },
    ],
  };
}

/**
 * What a back-test needs and nothing more: run and read queries in the back-test workgroup; read
 * the CloudTrail table's definition; list and read the organization's log files and decrypt them
 * (the reader statement AWS gives for CloudTrail keys, through S3 only); write and read its results
 * in the results bucket, encrypted with the archive key under the results bucket's context only.
 * No Glue write: the table is the program's (components/backtest.ts), so a reader cannot re-point
 * it or change its projection. The actions are those of Athena's "Access to Amazon S3" and
 * "Fine-grained access to databases and tables" pages.
 * https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
 */
export function buildBacktestReaderPolicy(names: GuardrailNames): PolicyDocument {
  const backtest = names.backtest;
  const logFiles = `AWSLogs/${names.organizationId}/`;
  const viaAthena = { "ForAnyValue:StringEquals": { "aws:CalledVia": "athena.amazonaws.com" } };
  // The archive key, by the alias the program gives it (its ARN exists only after it is created),
  // used through S3 only, under the encryption context `context` names.
  const archiveKeyUse = (
    sid: string,
    actions: string | string[],
    context: Record<string, Record<string, string | string[]>>,
  ): PolicyStatement => ({
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: `arn:${names.partition}:kms:${names.region}:${names.logArchiveAccountId}:key/*`,
    Condition: {
      StringEquals: { "kms:ViaService": `s3.${names.region}.amazonaws.com` },
      "ForAnyValue:StringEquals": { "kms:ResourceAliases": ARCHIVE_KEY_ALIAS },
      ...context,
    },
  });
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RunBacktestQueries",
        Effect: "Allow",
        Action: [
          "athena:GetWorkGroup",
          "athena:StartQueryExecution",
          "athena:GetQueryExecution",
          "athena:GetQueryResults",
          "athena:StopQueryExecution",
        ],
        Resource: backtest.workgroupArn,
      },
      {
        Sid: "ReadTheCloudTrailTable",
        Effect: "Allow",
        Action: [
          "glue:GetDatabase",
          "glue:GetTable",
          "glue:GetPartition",
          "glue:GetPartitions",
          "glue:BatchGetPartition",
        ],
        Resource: [backtest.catalogArn, backtest.databaseArn, backtest.tableArn],
      },
      // "Mandatory: access policy to the default database and catalog per AWS Region": Athena
      // reads (and on first use creates) the `default` database whatever the query names.
      // https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html#full-access-to-default-db-per-region
      {
        Sid: "UseTheDefaultDatabase",
        Effect: "Allow",
        Action: ["glue:GetDatabase", "glue:CreateDatabase"],
        Resource: [backtest.catalogArn, backtest.defaultDatabaseArn],
      },
      // Inert while the Data Catalog is IAM-only (the default); where Lake Formation governs it,
      // Athena needs this besides Lake Formation's grants on the table.
      // https://docs.aws.amazon.com/athena/latest/ug/lf-athena-user-permissions.html
      {
        Sid: "LakeFormationDataAccess",
        Effect: "Allow",
        Action: "lakeformation:GetDataAccess",
        Resource: "*",
      },
      {
        Sid: "LocateTheBuckets",
        Effect: "Allow",
        Action: "s3:GetBucketLocation",
        Resource: [names.bucketArn, backtest.resultsBucketArn],
      },
      {
        Sid: "ListTheOrganizationsLogFiles",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: names.bucketArn,
        Condition: { StringLike: { "s3:prefix": `${logFiles}*` } },
      },
      // Contents only through Athena (`aws:CalledVia`): the role runs back-tests, it is not a way
      // to download the archive. Listing stays direct: the command lists the account folders. The
      // key's Decrypt below has no such condition: which services a KMS request made by S3 for
      // Athena lists in aws:CalledVia is not documented, and ciphertext comes only from GetObject.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-calledvia
      {
        Sid: "ReadTheOrganizationsLogFiles",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: `${names.bucketArn}/${logFiles}*`,
        Condition: viaAthena,
      },
      archiveKeyUse("DecryptTheOrganizationsLogFiles", "kms:Decrypt", {
        StringLike: {
          "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${names.partition}:cloudtrail:*:${names.managementAccountId}:trail/*`,
        },
      }),
      // The archive uses an S3 Bucket Key: S3 decrypts the bucket-level key under the bucket's ARN
      // as context, not the trail's ("the encryption context is the bucket ARN").
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
      archiveKeyUse("DecryptTheArchivesBucketKey", "kms:Decrypt", {
        ArnEquals: { "kms:EncryptionContext:aws:s3:arn": names.bucketArn },
      }),
      {
        Sid: "UseTheResultsBucket",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
        Resource: backtest.resultsBucketArn,
      },
      {
        Sid: "WriteAndReadResults",
        Effect: "Allow",
        Action: [
          "s3:GetObject",
          "s3:PutObject",
          "s3:AbortMultipartUpload",
          "s3:ListMultipartUploadParts",
        ],
        Resource: `${backtest.resultsBucketArn}/*`,
        // Athena writes and reads them as the reader; no reader writes one by hand (every named
        // reader shares the role: one could otherwise overwrite another's result before it is read).
        Condition: viaAthena,
      },
      // With an S3 Bucket Key the context is the bucket's ARN, without one the object's.
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
      archiveKeyUse("EncryptAndDecryptResults", ["kms:GenerateDataKey", "kms:Decrypt"], {
        StringLike: {
          "kms:EncryptionContext:aws:s3:arn": [
            backtest.resultsBucketArn,
            `${backtest.resultsBucketArn}/*`,
          ],
        },
      }),
    ],
  };
}

/** The results bucket: TLS only, and no access points, as the archive. */
export function buildBacktestResultsBucketPolicy(names: GuardrailNames): PolicyDocument {
  const guard = bucketGuardStatements(names.backtest.resultsBucketArn);
  return {
    Version: "2012-10-17",
    Statement: [guard.denyInsecureTransport, guard.denyAccessPoints],
  };
}
