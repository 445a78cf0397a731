import { describe, expect, it } from "vitest";
import { cloudTrailTable, projectedRegions } from "../detection/athena";
import { DEV } from "./support/fixtures";
import { accountOf, byType, one, runProgram, runProgramExpectingFailure } from "./support/program";

/**
 * The optional back-test infrastructure as the program plans it (issue 18): nothing unless
 * `backtest.enabled`; then, in the log-archive account, the Glue table `--print-sql` prints as DDL,
 * a workgroup whose settings every query must use, an encrypted results bucket that forgets, and
 * the reader role; guarded by the protection SCP.
 */

const REGION = "eu-west-1";
const ARCHIVE = `aws-org-guardrails-trail-${DEV.logArchive}-${REGION}`;
const RESULTS = `aws-org-guardrails-backtest-${DEV.logArchive}-${REGION}`;
const ENABLED = { "aws-org-guardrails:backtest": JSON.stringify({ enabled: true }) };
const isBacktest = (urn: string) => urn.includes("aws-org-guardrails:backtest:Backtest");
const parsed = (value: unknown): any => JSON.parse(String(value));
/** The archive key's ARN as the mocks give it: the results use the archive's own key. */
const ARCHIVE_KEY_ARN = "arn:aws:mock::aws:kms/key:Key:log-archive-key";

describe("the back-test infrastructure", async () => {
  const off = await runProgram();
  const { resources, outputs } = await runProgram({ config: ENABLED });
  const mine = resources.filter((r) => r.custom && isBacktest(r.urn));

  it("is not there unless backtest.enabled", () => {
    expect(off.resources.filter((r) => isBacktest(r.urn))).toEqual([]);
    expect(off.outputs.backtestWorkgroup).toBeUndefined();
    expect(mine.map((r) => r.type).sort()).toEqual([
      "aws:athena/workgroup:Workgroup",
      "aws:glue/catalogDatabase:CatalogDatabase",
      "aws:glue/catalogTable:CatalogTable",
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
      "aws:s3/bucketPolicy:BucketPolicy",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ]);
    expect(outputs.backtestWorkgroup).toBe("aws-org-guardrails-backtest");
    expect(outputs.backtestReaderRoleArn).toBe("arn:aws:mock::aws:iam/role:Role:backtest-reader");
  });

  it("sits in the log-archive account, beside the archive", () => {
    for (const resource of mine) {
      expect({ name: resource.name, account: accountOf(resources, resource) }).toEqual({
        name: resource.name,
        account: DEV.logArchive,
      });
    }
  });

  it("creates the very table --print-sql prints: the CloudTrail SerDe, input format, projection with an injected account", () => {
    const table = one(resources, "aws:glue/catalogTable:CatalogTable");
    const definition = cloudTrailTable({
      database: "aws_org_guardrails",
      table: "cloudtrail",
      bucketName: ARCHIVE,
      organizationId: DEV.organizationId,
      partition: "aws",
    });
    expect(table.inputs).toMatchObject({
      name: "cloudtrail",
      databaseName: "aws_org_guardrails",
      catalogId: DEV.logArchive,
      tableType: "EXTERNAL_TABLE",
      partitionKeys: definition.partitionKeys,
      storageDescriptor: {
        location: `s3://${ARCHIVE}/AWSLogs/${DEV.organizationId}/`,
        inputFormat: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
        serDeInfo: { serializationLibrary: "org.apache.hive.hcatalog.data.JsonSerDe" },
        columns: definition.columns,
      },
    });
    expect(table.inputs.parameters).toEqual({ EXTERNAL: "TRUE", ...definition.properties });
    expect(table.inputs.parameters).toMatchObject({
      "projection.account.type": "injected",
      "projection.region.values": projectedRegions("aws").join(","),
    });
  });

  it("enforces the workgroup's settings: results in the results bucket, encrypted with the archive key, a bytes-scanned cutoff", () => {
    const workgroup = one(resources, "aws:athena/workgroup:Workgroup");
    expect(workgroup.inputs.configuration).toMatchObject({
      enforceWorkgroupConfiguration: true,
      bytesScannedCutoffPerQuery: 1_000_000_000_000,
      engineVersion: { selectedEngineVersion: "Athena engine version 3" },
      resultConfiguration: {
        outputLocation: `s3://${RESULTS}/athena/`,
        expectedBucketOwner: DEV.logArchive,
        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: ARCHIVE_KEY_ARN },
      },
    });
  });

  it("keeps results encrypted, private and for a week", () => {
    const encryption = byType(
      mine,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )[0];
    expect((encryption.inputs.rules as any)[0].applyServerSideEncryptionByDefault).toEqual({
      sseAlgorithm: "aws:kms",
      kmsMasterKeyId: ARCHIVE_KEY_ARN,
    });
    const lifecycle = byType(
      mine,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    )[0];
    expect((lifecycle.inputs.rules as any)[0]).toMatchObject({
      status: "Enabled",
      expiration: { days: 7 },
    });
    const block = byType(mine, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0];
    expect(block.inputs).toMatchObject({ blockPublicPolicy: true, restrictPublicBuckets: true });
    const bucket = byType(mine, "aws:s3/bucket:Bucket")[0];
    expect(bucket.inputs.bucket).toBe(RESULTS);
  });

  it("lets the management account assume the reader role, or the named readers only", async () => {
    const role = one(resources, "aws:iam/role:Role", "backtest-reader");
    expect(parsed(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({
      AWS: `arn:aws:iam::${DEV.management}:root`,
    });
    const reader = `arn:aws:iam::${DEV.audit}:role/security-tooling`;
    const named = await runProgram({
      config: {
        "aws-org-guardrails:backtest": JSON.stringify({ enabled: true, readers: [reader] }),
      },
    });
    const trust = parsed(
      one(named.resources, "aws:iam/role:Role", "backtest-reader").inputs.assumeRolePolicy,
    );
    expect(trust.Statement[0]).toMatchObject({
      Principal: { AWS: [reader] },
      Condition: { StringEquals: { "aws:PrincipalOrgID": DEV.organizationId } },
    });
  });

  it("is guarded by the protection SCP, split within the character budget", () => {
    const parts = byType(resources, "aws:organizations/policy:Policy").filter((p) =>
      p.name.startsWith("guardrail-protection"),
    );
    expect(parts.length).toBe(2);
    for (const part of parts) {
      expect(String(part.inputs.content).length).toBeLessThanOrEqual(5120);
    }
    const statement = parts
      .flatMap((part) => parsed(part.inputs.content).Statement)
      .find((s: any) => s.Sid === "ProtectBacktest");
    expect(statement.Resource).toEqual([
      `arn:aws:s3:::${RESULTS}`,
      `arn:aws:s3:::${RESULTS}/*`,
      `arn:aws:athena:${REGION}:${DEV.logArchive}:workgroup/aws-org-guardrails-backtest`,
      `arn:aws:glue:${REGION}:${DEV.logArchive}:database/aws_org_guardrails`,
      `arn:aws:glue:${REGION}:${DEV.logArchive}:table/aws_org_guardrails/cloudtrail`,
      `arn:aws:iam::${DEV.logArchive}:role/aws-org-guardrails-backtest-reader`,
    ]);
  });

  it("refuses a cutoff below the provider's minimum and a results bucket that is the archive, before any resource", async () => {
    const failure = await runProgramExpectingFailure({
      config: {
        "aws-org-guardrails:backtest": JSON.stringify({
          enabled: true,
          bytesScannedCutoffPerQuery: 1_000_000,
          resultsBucketName: "team-archive",
        }),
        "aws-org-guardrails:logArchive": JSON.stringify({
          accountId: DEV.logArchive,
          bucketName: "team-archive",
        }),
      },
    });
    expect(failure.message).toContain(
      "backtest.bytesScannedCutoffPerQuery: must be at least 10485760",
    );
    expect(failure.message).toContain(
      "backtest.resultsBucketName: team-archive is the archive bucket",
    );
    expect(failure.message).toContain("no resource was registered");
  });
});
