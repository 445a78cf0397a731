import { describe, expect, it } from "vitest";
import { deriveNames, GuardrailNames } from "../config/names";
import { validateGuardrailConfig } from "../config/validate";
import {
  buildArchiveBucketPolicy,
  buildArchiveKeyPolicy,
  buildLogGroupKeyPolicy,
  buildTrailDeliveryRolePolicy,
  buildTrailDeliveryTrustPolicy,
} from "../policies/auditLogPolicies";
import { PolicyStatement } from "../policies/document";
import { DEV, devOrganization, devRawConfig } from "./support/fixtures";

const organization = devOrganization();

function namesFor(edit: (raw: any) => void = () => undefined): GuardrailNames {
  const raw = devRawConfig();
  edit(raw);
  return deriveNames(validateGuardrailConfig(raw, { organization, now: new Date() }), organization);
}

function statement(statements: readonly PolicyStatement[], sid: string): PolicyStatement {
  const found = statements.find((s) => s.Sid === sid);
  if (found === undefined) {
    throw new Error(`no statement ${sid}`);
  }
  return found;
}

const TRAIL_ARN = `arn:aws:cloudtrail:eu-west-1:${DEV.management}:trail/aws-org-guardrails`;
const BUCKET_ARN = `arn:aws:s3:::aws-org-guardrails-trail-${DEV.logArchive}-eu-west-1`;

describe("derived names", () => {
  it("are deterministic and known before anything exists", () => {
    const names = namesFor();
    expect(names.trailArn).toBe(TRAIL_ARN);
    expect(names.bucketArn).toBe(BUCKET_ARN);
    expect(names.logGroupArn).toBe(
      `arn:aws:logs:eu-west-1:${DEV.management}:log-group:/aws-org-guardrails/cloudtrail`,
    );
    expect(names.trailAccountId).toBe(DEV.management);
  });

  it("put the log group in the log-archive account in delegated-administrator mode, the trail still owned by management under its own name", () => {
    const names = namesFor((raw) => (raw.centralLogs.location = "delegatedAdministrator"));
    expect(names.trailAccountId).toBe(DEV.logArchive);
    expect(names.logGroupArn).toBe(
      `arn:aws:logs:eu-west-1:${DEV.logArchive}:log-group:/aws-org-guardrails/cloudtrail`,
    );
    expect(names.trailName).toBe("aws-org-guardrails-delegated");
    expect(names.trailArn).toBe(`${TRAIL_ARN}-delegated`);
    expect(names.retiringTrailArn).toBeUndefined();
    expect(names.archiveTrailArns).toEqual([`${TRAIL_ARN}-delegated`]);
  });

  it("use a configured bucket name", () => {
    expect(namesFor((raw) => (raw.logArchive.bucketName = "acme-org-trail")).bucketArn).toBe(
      "arn:aws:s3:::acme-org-trail",
    );
  });
});

describe("archive bucket policy", () => {
  const { Statement } = buildArchiveBucketPolicy(namesFor());

  it("denies every request without TLS, on the bucket and its objects", () => {
    expect(statement(Statement, "DenyInsecureTransport")).toEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("lets CloudTrail check the ACL only for this trail", () => {
    expect(statement(Statement, "AWSCloudTrailAclCheck20150319")).toEqual({
      Sid: "AWSCloudTrailAclCheck20150319",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: BUCKET_ARN,
      Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
    });
  });

  it("lets CloudTrail write only under AWSLogs/<management account>/ and AWSLogs/<organization id>/, with bucket-owner-full-control, for this trail", () => {
    const writes = Statement.filter((s) => s.Action === "s3:PutObject");
    expect(writes.map((s) => s.Resource)).toEqual([
      `${BUCKET_ARN}/AWSLogs/${DEV.management}/*`,
      `${BUCKET_ARN}/AWSLogs/${DEV.organizationId}/*`,
    ]);
    for (const write of writes) {
      expect(write.Effect).toBe("Allow");
      expect(write.Principal).toEqual({ Service: "cloudtrail.amazonaws.com" });
      expect(write.Condition).toEqual({
        StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN },
      });
    }
  });

  it("grants nothing else", () => {
    expect(Statement.filter((s) => s.Effect === "Allow")).toHaveLength(3);
    expect(Statement.some((s) => s.Principal === "*" && s.Effect === "Allow")).toBe(false);
  });
});

describe("archive key policy", () => {
  it("lets CloudTrail encrypt only with this trail's encryption context, on behalf of this trail", () => {
    const { Statement } = buildArchiveKeyPolicy(namesFor(), []);
    expect(statement(Statement, "AllowCloudTrailToEncryptLogs")).toEqual({
      Sid: "AllowCloudTrailToEncryptLogs",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: {
        StringEquals: {
          "aws:SourceArn": TRAIL_ARN,
          "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL_ARN,
        },
      },
    });
    expect(statement(Statement, "EnableIamPoliciesOfKeyAccount").Principal).toEqual({
      AWS: `arn:aws:iam::${DEV.logArchive}:root`,
    });
    expect(Statement.some((s) => s.Sid === "AllowLogReadersToDecrypt")).toBe(false);
  });

  it("lets the configured readers, while in the organization, decrypt log files of the management account's trails and nothing else", () => {
    const readers = [
      `arn:aws:iam::${DEV.audit}:role/security-tooling`,
      `arn:aws:iam::${DEV.audit}:role/auditor`,
    ];
    const { Statement } = buildArchiveKeyPolicy(namesFor(), readers);
    expect(statement(Statement, "AllowLogReadersToDecrypt")).toEqual({
      Sid: "AllowLogReadersToDecrypt",
      Effect: "Allow",
      Principal: { AWS: [...readers].sort() },
      Action: ["kms:Decrypt", "kms:ReEncryptFrom"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:PrincipalOrgID": DEV.organizationId },
        StringLike: {
          "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${DEV.management}:trail/*`,
        },
      },
    });
  });

  it("lets CloudTrail decrypt on behalf of this trail, which creating a trail on a bucket with an S3 Bucket Key requires", () => {
    const { Statement } = buildArchiveKeyPolicy(namesFor(), []);
    expect(statement(Statement, "AllowCloudTrailToDecryptWithBucketKey")).toEqual({
      Sid: "AllowCloudTrailToDecryptWithBucketKey",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
    });
  });

  it("accepts the retiring trail too while the central log group moves", () => {
    const names = namesFor((raw) => {
      raw.centralLogs.location = "delegatedAdministrator";
      raw.centralLogs.movingFrom = "management";
    });
    const both = [`${TRAIL_ARN}-delegated`, TRAIL_ARN];
    expect(names.archiveTrailArns).toEqual(both);
    const key = buildArchiveKeyPolicy(names, []).Statement;
    expect(statement(key, "AllowCloudTrailToEncryptLogs").Condition).toEqual({
      StringEquals: { "aws:SourceArn": both, "kms:EncryptionContext:aws:cloudtrail:arn": both },
    });
    expect(statement(key, "AllowCloudTrailToDecryptWithBucketKey").Condition).toEqual({
      StringEquals: { "aws:SourceArn": both },
    });
    const bucket = buildArchiveBucketPolicy(names).Statement;
    for (const sid of [
      "AWSCloudTrailAclCheck20150319",
      "AWSCloudTrailWrite20150319",
      "AWSCloudTrailOrganizationWrite20150319",
    ]) {
      expect(statement(bucket, sid).Condition?.StringEquals?.["aws:SourceArn"], sid).toEqual(both);
    }
  });
});

describe("archive bucket policy for log readers", () => {
  const readers = [`arn:aws:iam::${DEV.audit}:role/security-tooling`];
  const { Statement } = buildArchiveBucketPolicy(namesFor(), readers);

  it("lets readers list the bucket and read log and digest files under AWSLogs/, while in the organization", () => {
    expect(statement(Statement, "AllowLogReadersToList")).toEqual({
      Sid: "AllowLogReadersToList",
      Effect: "Allow",
      Principal: { AWS: readers },
      Action: "s3:ListBucket",
      Resource: BUCKET_ARN,
      Condition: { StringEquals: { "aws:PrincipalOrgID": DEV.organizationId } },
    });
    expect(statement(Statement, "AllowLogReadersToRead")).toEqual({
      Sid: "AllowLogReadersToRead",
      Effect: "Allow",
      Principal: { AWS: readers },
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:RestoreObject"],
      Resource: `${BUCKET_ARN}/AWSLogs/*`,
      Condition: { StringEquals: { "aws:PrincipalOrgID": DEV.organizationId } },
    });
  });

  it("adds no reader statement without readers", () => {
    expect(buildArchiveBucketPolicy(namesFor()).Statement.map((s) => s.Sid)).not.toContain(
      "AllowLogReadersToRead",
    );
  });
});

describe("central log group", () => {
  it("key policy lets only the regional CloudWatch Logs principal use the key, only for the central log group", () => {
    const names = namesFor();
    const { Statement } = buildLogGroupKeyPolicy(names);
    expect(statement(Statement, "AllowCloudWatchLogsForTheCentralLogGroup")).toMatchObject({
      Principal: { Service: "logs.eu-west-1.amazonaws.com" },
      Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": names.logGroupArn } },
    });
    expect(statement(Statement, "EnableIamPoliciesOfKeyAccount").Principal).toEqual({
      AWS: `arn:aws:iam::${DEV.management}:root`,
    });
  });

  it("delivery role may write both stream name shapes of an organization trail and nothing else", () => {
    const names = namesFor();
    const { Statement } = buildTrailDeliveryRolePolicy(names);
    const streams = [
      `${names.logGroupArn}:log-stream:${DEV.management}_CloudTrail_eu-west-1*`,
      `${names.logGroupArn}:log-stream:${DEV.organizationId}_*`,
    ];
    expect(Statement).toEqual([
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
          StringEquals: { "kms:ViaService": "logs.eu-west-1.amazonaws.com" },
          ArnEquals: { "kms:EncryptionContext:aws:logs:arn": names.logGroupArn },
        },
      },
    ]);
  });

  it("delivery role is assumable by CloudTrail only", () => {
    expect(buildTrailDeliveryTrustPolicy().Statement).toEqual([
      {
        Sid: "CloudTrailAssumesRole",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ]);
  });
});
