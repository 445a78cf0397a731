/**
 * The back-test's interactions (issue 18), evaluated with @cloud-copilot/iam-simulate against the
 * planned policies and SCPs, for the requests AWS documents: who may assume the reader role; and,
 * as the reader, what Athena does with the reader's own permissions (forward access sessions: S3
 * sees the reader, and KMS sees the reader through S3), each with its twin that must fail.
 * https://docs.aws.amazon.com/athena/latest/ug/s3-permissions.html (Athena reads and writes S3 as the caller)
 * https://docs.aws.amazon.com/athena/latest/ug/encryption.html (SSE_KMS results: GenerateDataKey, Decrypt)
 * https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html (catalog, database, table)
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html (decrypting log files)
 */
import { describe, expect, it } from "vitest";
import { deriveNames } from "../config/names";
import { validateGuardrailConfig } from "../config/validate";
import { buildArchiveKeyPolicy } from "../policies/auditLogPolicies";
import {
  buildBacktestReaderPolicy,
  buildBacktestReaderTrustPolicy,
  buildBacktestResultsBucketPolicy,
} from "../policies/backtestPolicies";
import { ARCHIVE_KEY_ALIAS } from "../policies/protectionScp";
import { planServiceControlPolicies } from "../policies/scpPlan";
import { DEV, devOrganization, devRawConfig } from "./support/fixtures";
import { chainOf, NamedPolicy, orgInfoOf, principals } from "./support/scpSimulator";
import { decidePrincipalRequest } from "./support/servicePermissions";

const organization = devOrganization();
const NOW = new Date("2026-12-01T12:00:00Z");
const REGION = "eu-west-1";
const SECURITY_TOOLING = `arn:aws:iam::${DEV.audit}:role/security-tooling`;

function plan(readers: readonly string[] = []) {
  const raw = devRawConfig() as any;
  raw.backtest = { enabled: true, readers };
  const config = validateGuardrailConfig(raw, { organization, now: NOW });
  const names = deriveNames(config, organization);
  const scps: NamedPolicy[] = planServiceControlPolicies(config, organization, names).all.map(
    (scp) => ({ name: scp.name, policy: JSON.parse(scp.rendered.content) }),
  );
  return { config, names, scps };
}

const { names, scps } = plan();
const backtest = names.backtest;
const orgInfo = (accountId: string) => orgInfoOf(organization, accountId);
const chainIn = (accountId: string) => chainOf(organization, accountId, scps);
const now = { "aws:CurrentTime": NOW.toISOString(), "aws:SecureTransport": "true" };

describe("who may assume the back-test reader role", () => {
  const assume = async (
    principal: ReturnType<typeof principals.roleSession>,
    account: string,
    trust: unknown,
  ) =>
    decidePrincipalRequest({
      chain: chainIn(account),
      managementAccount: account === DEV.management,
      principal,
      action: "sts:AssumeRole",
      resource: { arn: backtest.readerRoleArn, accountId: DEV.logArchive },
      context: now,
      resourcePolicy: trust,
    });
  const platform = principals.roleSession(
    orgInfo(DEV.management),
    DEV.management,
    "AWSReservedSSO_PlatformAdmin_0123456789abcdef",
    "ada@example.com",
    "/aws-reserved/sso.amazonaws.com/eu-west-1/",
  );
  const tooling = principals.roleSession(
    orgInfo(DEV.audit),
    DEV.audit,
    "security-tooling",
    "scanner",
  );
  const otherAuditRole = principals.roleSession(
    orgInfo(DEV.audit),
    DEV.audit,
    "AWSReservedSSO_AdministratorAccess_0123456789abcdef",
    "mallory@example.com",
    "/aws-reserved/sso.amazonaws.com/eu-west-1/",
  );

  it("by default, a principal of the management account whose own policy allows it", async () => {
    const trust = buildBacktestReaderTrustPolicy(names, []);
    expect(await assume(platform, DEV.management, trust)).toBe("Allowed");
    expect(await assume(tooling, DEV.audit, trust)).toBe("ImplicitlyDenied");
  });

  it("with named readers, those readers (through the SCPs of their member account) and nobody else", async () => {
    const { names: named } = plan([SECURITY_TOOLING]);
    const trust = buildBacktestReaderTrustPolicy(named, [SECURITY_TOOLING]);
    expect(await assume(tooling, DEV.audit, trust)).toBe("Allowed");
    expect(await assume(otherAuditRole, DEV.audit, trust)).toBe("ImplicitlyDenied");
    expect(await assume(platform, DEV.management, trust)).toBe("ImplicitlyDenied");
  });
});

describe("what a back-test does as the reader, in the log-archive account under the SCPs", () => {
  const reader = principals.roleSession(
    orgInfo(DEV.logArchive),
    DEV.logArchive,
    backtest.readerRoleName,
    "aws-org-guardrails-backtest",
  );
  const readerPolicy = buildBacktestReaderPolicy(names);
  const archiveKey = `arn:aws:kms:${REGION}:${DEV.logArchive}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const keyPolicy = buildArchiveKeyPolicy(names, []);
  const logFile = `${names.bucketArn}/AWSLogs/${DEV.organizationId}/${DEV.paymentsProd}/CloudTrail/${REGION}/2026/11/03/${DEV.paymentsProd}_CloudTrail_${REGION}_20261103T1000Z_a1b2c3.json.gz`;
  const resultFile = `${backtest.resultsBucketArn}/athena/0a1b2c3d-4e5f-6789-abcd-ef0123456789.csv`;
  const asReader = (
    action: string,
    arn: string,
    context: Record<string, string | string[]> = {},
    extra: { resourcePolicy?: unknown; encryptionContext?: Record<string, string> } = {},
  ) =>
    decidePrincipalRequest({
      chain: chainIn(DEV.logArchive),
      managementAccount: false,
      principal: reader,
      action,
      resource: { arn, accountId: DEV.logArchive },
      context: { ...now, ...context },
      identityPolicies: [{ name: "run-backtests", policy: readerPolicy }],
      ...extra,
    });
  const throughS3 = {
    "kms:ViaService": `s3.${REGION}.amazonaws.com`,
    "kms:ResourceAliases": [ARCHIVE_KEY_ALIAS],
    "aws:CalledVia": ["athena.amazonaws.com"],
  };

  it("runs and reads queries in the back-test workgroup, and no other", async () => {
    for (const action of [
      "athena:StartQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:StopQueryExecution",
    ]) {
      expect({ action, decision: await asReader(action, backtest.workgroupArn) }).toEqual({
        action,
        decision: "Allowed",
      });
    }
    expect(
      await asReader(
        "athena:StartQueryExecution",
        `arn:aws:athena:${REGION}:${DEV.logArchive}:workgroup/primary`,
      ),
    ).toBe("ImplicitlyDenied");
    // Denied by the protection SCP itself, whatever the role's own policy says.
    expect(await asReader("athena:UpdateWorkGroup", backtest.workgroupArn)).toBe(
      "ExplicitlyDenied",
    );
  });

  it("reads the table's definition (catalog, database, table) and cannot change it", async () => {
    for (const arn of [backtest.catalogArn, backtest.databaseArn, backtest.tableArn]) {
      expect(await asReader("glue:GetTable", arn)).toBe("Allowed");
    }
    expect(await asReader("glue:UpdateTable", backtest.tableArn)).toBe("ExplicitlyDenied");
    expect(await asReader("glue:DeleteTable", backtest.tableArn)).toBe("ExplicitlyDenied");
    // Athena reads the region's default database whatever a query names.
    expect(await asReader("glue:GetDatabase", backtest.defaultDatabaseArn)).toBe("Allowed");
    expect(
      await asReader("glue:GetDatabase", `arn:aws:glue:${REGION}:${DEV.logArchive}:database/team`),
    ).toBe("ImplicitlyDenied");
  });

  it("cannot change the table, the workgroup, the results bucket or itself under the SCPs, even with an administrator's policy", async () => {
    const asAdministratorReader = (action: string, arn: string) =>
      decidePrincipalRequest({
        chain: chainIn(DEV.logArchive),
        managementAccount: false,
        principal: reader,
        action,
        resource: { arn, accountId: DEV.logArchive },
        context: now,
      });
    for (const [action, arn] of [
      ["athena:UpdateWorkGroup", backtest.workgroupArn],
      ["glue:UpdateTable", backtest.tableArn],
      ["s3:PutBucketPolicy", backtest.resultsBucketArn],
      ["s3:PutLifecycleConfiguration", backtest.resultsBucketArn],
      ["iam:UpdateAssumeRolePolicy", backtest.readerRoleArn],
      ["iam:PutRolePolicy", backtest.readerRoleArn],
    ] as const) {
      expect({ action, decision: await asAdministratorReader(action, arn) }).toEqual({
        action,
        decision: "ExplicitlyDenied",
      });
    }
  });

  it("lists and reads the organization's log files, nothing else of the archive", async () => {
    const prefix = `AWSLogs/${DEV.organizationId}/${DEV.paymentsProd}/CloudTrail/${REGION}/2026/11/03/`;
    expect(await asReader("s3:ListBucket", names.bucketArn, { "s3:prefix": prefix })).toBe(
      "Allowed",
    );
    expect(await asReader("s3:ListBucket", names.bucketArn, { "s3:prefix": "" })).toBe(
      "ImplicitlyDenied",
    );
    // The command's own listing of the account folders (ListObjectsV2, delimiter "/").
    expect(
      await asReader("s3:ListBucket", names.bucketArn, {
        "s3:prefix": `AWSLogs/${DEV.organizationId}/`,
        "s3:delimiter": "/",
      }),
    ).toBe("Allowed");
    const viaAthena = { "aws:CalledVia": ["athena.amazonaws.com"] };
    expect(await asReader("s3:GetObject", logFile, viaAthena)).toBe("Allowed");
    // Not a way to download the archive: only Athena reads the files for it.
    expect(await asReader("s3:GetObject", logFile)).toBe("ImplicitlyDenied");
    expect(await asReader("s3:GetObject", `${names.bucketArn}/elsewhere/x.json`, viaAthena)).toBe(
      "ImplicitlyDenied",
    );
    expect(await asReader("s3:PutObject", logFile)).toBe("ExplicitlyDenied");
  });

  it("decrypts log files with the archive key through S3 only", async () => {
    const decrypt = (context: Record<string, string | string[]>) =>
      asReader("kms:Decrypt", archiveKey, context, {
        resourcePolicy: keyPolicy,
        encryptionContext: { "aws:cloudtrail:arn": names.trailArn, "aws:s3:arn": logFile },
      });
    expect(await decrypt(throughS3)).toBe("Allowed");
    // Through the archive's S3 Bucket Key, whose context is the bucket's ARN alone.
    const bucketKey = (s3Arn: string) =>
      asReader("kms:Decrypt", archiveKey, throughS3, {
        resourcePolicy: keyPolicy,
        encryptionContext: { "aws:s3:arn": s3Arn },
      });
    expect(await bucketKey(names.bucketArn)).toBe("Allowed");
    expect(await bucketKey(`arn:aws:s3:::team-data-${DEV.logArchive}`)).toBe("ImplicitlyDenied");
    const direct = Object.fromEntries(
      Object.entries(throughS3).filter(([key]) => key !== "kms:ViaService"),
    );
    expect(await decrypt(direct)).toBe("ImplicitlyDenied");
  });

  it("writes and reads its results, encrypted with the archive key under the results bucket's context only", async () => {
    for (const action of ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"]) {
      expect({
        action,
        viaAthena: await asReader(action, resultFile, {
          "aws:CalledVia": ["athena.amazonaws.com"],
        }),
        byHand: await asReader(action, resultFile),
      }).toEqual({ action, viaAthena: "Allowed", byHand: "ImplicitlyDenied" });
    }
    const dataKey = (s3Arn: string) =>
      asReader("kms:GenerateDataKey", archiveKey, throughS3, {
        resourcePolicy: keyPolicy,
        encryptionContext: { "aws:s3:arn": s3Arn },
      });
    expect(await dataKey(backtest.resultsBucketArn)).toBe("Allowed");
    expect(await dataKey(names.bucketArn)).toBe("ImplicitlyDenied");
  });

  it("the results bucket refuses plain HTTP, also to the reader", async () => {
    const outcome = await asReader(
      "s3:GetObject",
      resultFile,
      { "aws:SecureTransport": "false", "aws:CalledVia": ["athena.amazonaws.com"] },
      { resourcePolicy: buildBacktestResultsBucketPolicy(names) },
    );
    expect(outcome).toBe("ExplicitlyDenied");
  });
});
