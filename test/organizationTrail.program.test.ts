import { describe, expect, it } from "vitest";
import { deriveNames } from "../config/names";
import { validateGuardrailConfig } from "../config/validate";
import { RecordedResource } from "../offline/engine";
import { longestCreationChain } from "../offline/plan";
import { planNotes } from "../offline/planNotes";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseSnapshot } from "../org/snapshot";
import { DEV, DEV_SNAPSHOT, devOrganization, devRawConfig } from "./support/fixtures";
import { DYNAMIC_RESOURCE_TYPE } from "../components/stackSetsAccess";
import {
  accountOf,
  byType,
  one,
  runProgram,
  runProgramExpectingFailure,
  TYPES,
} from "./support/program";

const TRAIL_ARN = `arn:aws:cloudtrail:eu-west-1:${DEV.management}:trail/aws-org-guardrails`;

function parsed(value: unknown): any {
  return JSON.parse(String(value));
}

describe("organization trail and log archive (dev stack, log group in the management account)", async () => {
  const { resources } = await runProgram();

  it("has exactly one organization trail with every setting scanners check", () => {
    const trails = byType(resources, TYPES.trail);
    expect(trails).toHaveLength(1);
    expect(trails[0].inputs).toMatchObject({
      name: "aws-org-guardrails",
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      kmsKeyId: "arn:aws:mock::aws:kms/key:Key:log-archive-key",
      s3BucketName: `aws-org-guardrails-trail-${DEV.logArchive}-eu-west-1`,
      cloudWatchLogsGroupArn: `arn:aws:logs:eu-west-1:${DEV.management}:log-group:/aws-org-guardrails/cloudtrail:*`,
    });
    // The default (all management events, read and write) comes from setting no selector at all:
    // the provider reads an explicit default selector back as empty and diffs forever.
    expect(trails[0].inputs.eventSelectors).toBeUndefined();
    expect(trails[0].inputs.advancedEventSelectors).toBeUndefined();
    expect(accountOf(resources, trails[0])).toBe(DEV.management);
  });

  it("encrypts the trail with the archive key and delivers through the delivery role", () => {
    const trail = one(resources, TYPES.trail);
    const archiveKey = one(resources, TYPES.key, "log-archive-key");
    const role = one(resources, TYPES.role, "organization-trail-delivery-role");
    expect(trail.dependencies).toContain(archiveKey.urn);
    expect(trail.dependencies).toContain(role.urn);
    expect(trail.inputs.kmsKeyId).toBe(`arn:aws:mock::aws:kms/key:Key:log-archive-key`);
    expect(trail.inputs.cloudWatchLogsRoleArn).toBe(
      `arn:aws:mock::aws:iam/role:Role:organization-trail-delivery-role`,
    );
  });

  it("enables trusted access for CloudTrail with its own resource, in the management account, before the trail", () => {
    const access = one(resources, TYPES.serviceAccess, "organization-trail-trusted-access");
    expect(access.inputs).toEqual({ servicePrincipal: "cloudtrail.amazonaws.com" });
    expect(accountOf(resources, access)).toBe(DEV.management);
    expect(one(resources, TYPES.trail).dependencies).toContain(access.urn);
    expect(byType(resources, "aws:organizations/organization:Organization")).toEqual([]);
    expect(byType(resources, TYPES.delegatedAdmin)).toEqual([]);
  });

  it("keeps the archive bucket, its policy and key in the log-archive account, and the trail waits for the bucket policy", () => {
    const bucket = one(resources, TYPES.bucket);
    const policy = one(resources, TYPES.bucketPolicy);
    expect(accountOf(resources, bucket)).toBe(DEV.logArchive);
    expect(accountOf(resources, policy)).toBe(DEV.logArchive);
    expect(accountOf(resources, one(resources, TYPES.key, "log-archive-key"))).toBe(DEV.logArchive);
    expect(bucket.inputs).toMatchObject({
      bucket: `aws-org-guardrails-trail-${DEV.logArchive}-eu-west-1`,
      forceDestroy: false,
      objectLockEnabled: false,
    });
    expect(one(resources, TYPES.trail).dependencies).toContain(policy.urn);
    const statements = parsed(policy.inputs.policy).Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual([
      "DenyInsecureTransport",
      "AWSCloudTrailAclCheck20150319",
      "AWSCloudTrailWrite20150319",
      "AWSCloudTrailOrganizationWrite20150319",
      "DenyAccessPoints",
    ]);
    expect(statements[1].Condition.StringEquals["aws:SourceArn"]).toBe(TRAIL_ARN);
  });

  it("sets ACLs off, every public-access block, versioning, SSE-KMS with a bucket key and a lifecycle", () => {
    expect(
      one(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule,
    ).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    expect(
      one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      one(resources, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
    ).toEqual({ status: "Enabled" });
    expect(
      one(
        resources,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      ).inputs.rules,
    ).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: "arn:aws:mock::aws:kms/key:Key:log-archive-key",
        },
        bucketKeyEnabled: true,
      },
    ]);
    const [rule] = one(
      resources,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    ).inputs.rules as any[];
    expect(rule).toMatchObject({
      status: "Enabled",
      transitions: [{ days: 90, storageClass: "GLACIER_IR" }],
      expiration: { days: 2557 },
      noncurrentVersionExpiration: { noncurrentDays: 90 },
    });
    expect(
      byType(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"),
    ).toEqual([]);
  });

  it("creates the trail last: provider, bucket, public-access block, bucket policy, trail", () => {
    expect(longestCreationChain(resources, one(resources, TYPES.trail)).map((r) => r.name)).toEqual(
      [
        "log-archive",
        "log-archive-bucket",
        "log-archive-public-access-block",
        "log-archive-bucket-policy",
        "organization-trail-trail",
      ],
    );
  });

  it("rotates every customer managed key", () => {
    const keys = byType(resources, TYPES.key);
    expect(keys.map((k) => k.name).sort()).toEqual([
      "log-archive-key",
      "organization-trail-log-group-key",
      "root-activity-topic-key",
    ]);
    for (const key of keys) {
      expect(key.inputs.enableKeyRotation).toBe(true);
    }
  });

  it("encrypts the central log group with its own key in the management account and keeps events for the configured days", () => {
    const logGroup = one(resources, TYPES.logGroup, "organization-trail-log-group");
    expect(logGroup.inputs).toMatchObject({
      name: "/aws-org-guardrails/cloudtrail",
      retentionInDays: 365,
      kmsKeyId: "arn:aws:mock::aws:kms/key:Key:organization-trail-log-group-key",
    });
    expect(accountOf(resources, logGroup)).toBe(DEV.management);
    const keyPolicy = parsed(
      one(resources, TYPES.key, "organization-trail-log-group-key").inputs.policy,
    );
    expect(keyPolicy.Statement[1].Principal).toEqual({ Service: "logs.eu-west-1.amazonaws.com" });
  });

  it("protects and retains the trail, the bucket, both keys and the log group", () => {
    const audit = [
      one(resources, TYPES.trail),
      one(resources, TYPES.bucket),
      one(resources, TYPES.logGroup, "organization-trail-log-group"),
      one(resources, TYPES.key, "log-archive-key"),
      one(resources, TYPES.key, "organization-trail-log-group-key"),
    ];
    for (const resource of audit) {
      expect({
        urn: resource.urn,
        protect: resource.protect,
        retain: resource.retainOnDelete,
      }).toEqual({
        urn: resource.urn,
        protect: true,
        retain: true,
      });
    }
  });
});

describe("organization trail in delegated-administrator mode", async () => {
  const { resources } = await runProgram({
    config: {
      "aws-org-guardrails:centralLogs": JSON.stringify({
        retentionInDays: 400,
        location: "delegatedAdministrator",
      }),
    },
  });

  it("registers the log-archive account as CloudTrail delegated administrator from the management account", () => {
    const registration = one(resources, TYPES.delegatedAdmin);
    expect(registration.inputs).toEqual({ accountId: DEV.logArchive });
    expect(accountOf(resources, registration)).toBe(DEV.management);
    expect(registration.dependencies).toContain(
      one(resources, TYPES.serviceAccess, "organization-trail-trusted-access").urn,
    );
  });

  it("creates the trail, the log group, its key and the delivery role through the log-archive provider", () => {
    const trail = one(resources, TYPES.trail);
    expect(accountOf(resources, trail)).toBe(DEV.logArchive);
    expect(trail.dependencies).toContain(one(resources, TYPES.delegatedAdmin).urn);
    expect(trail.inputs.cloudWatchLogsGroupArn).toBe(
      `arn:aws:logs:eu-west-1:${DEV.logArchive}:log-group:/aws-org-guardrails/cloudtrail:*`,
    );
    for (const resource of [
      one(resources, TYPES.logGroup, "organization-trail-log-group"),
      one(resources, TYPES.role, "organization-trail-delivery-role"),
      one(resources, TYPES.key, "organization-trail-log-group-key"),
    ]) {
      expect(accountOf(resources, resource)).toBe(DEV.logArchive);
    }
    expect(
      one(resources, TYPES.logGroup, "organization-trail-log-group").inputs.retentionInDays,
    ).toBe(400);
    // The trail has its own name in this location, so a move can create it before the old one is
    // retired; its ARN still names the management account: it owns the trail.
    const delegatedTrailArn = `arn:aws:cloudtrail:eu-west-1:${DEV.management}:trail/aws-org-guardrails-delegated`;
    expect(trail.inputs.name).toBe("aws-org-guardrails-delegated");
    const archiveKey = parsed(one(resources, TYPES.key, "log-archive-key").inputs.policy);
    expect(
      archiveKey.Statement[1].Condition.StringEquals["kms:EncryptionContext:aws:cloudtrail:arn"],
    ).toBe(delegatedTrailArn);
  });

  it("keeps the same logical names as the default mode, so switching modes moves resources instead of renaming them", async () => {
    const defaults = await runProgram();
    const names = (list: typeof resources) =>
      list
        // The registration exists only there, and the protection SCP, longer there, is split.
        .filter(
          (r) => r.type !== TYPES.delegatedAdmin && !r.name.startsWith("guardrail-protection-2"),
        )
        .map((r) => r.urn)
        .sort();
    expect(names(resources)).toEqual(names(defaults.resources));
  });
});

describe("audit-data settings", () => {
  it("turns protect and retainOnDelete off for throw-away sandboxes when protectAuditData is false", async () => {
    const { resources } = await runProgram({
      config: { "aws-org-guardrails:protectAuditData": "false" },
    });
    // Only declared member accounts and organization-wide switches keep retainOnDelete: removing
    // an entry never closes an account, and a destroy never disables trusted access.
    const organizationWide = [
      TYPES.serviceAccess,
      "aws:iam/organizationsFeatures:OrganizationsFeatures",
      // StackSets' trusted access (components/stackSetsAccess.ts).
      DYNAMIC_RESOURCE_TYPE,
    ];
    expect(resources.filter((r) => r.protect)).toEqual([]);
    expect(
      resources
        .filter((r) => r.retainOnDelete && r.type !== "aws:organizations/account:Account")
        .map((r) => r.type)
        .filter((type) => !organizationWide.includes(type)),
    ).toEqual([]);
  });

  it("never disables trusted access or centralized root access on destroy: every organization-wide switch is retained", async () => {
    const { resources } = await runProgram({
      config: {
        "aws-org-guardrails:protectAuditData": "false",
        "aws-org-guardrails:rootMfaRule": JSON.stringify({ enabled: true }),
      },
    });
    const switches = resources.filter(
      (r) =>
        r.type === TYPES.serviceAccess ||
        r.type === "aws:iam/organizationsFeatures:OrganizationsFeatures",
    );
    expect(switches.map((r) => r.name).sort()).toEqual([
      "centralized-root-access-features",
      "centralized-root-access-trusted-access",
      "organization-trail-trusted-access",
      "root-mfa-rule-trusted-access",
    ]);
    for (const resource of switches) {
      expect(resource.retainOnDelete, resource.name).toBe(true);
    }
  });

  it("configures Object Lock at bucket creation when enabled", async () => {
    const { resources } = await runProgram({
      config: {
        "aws-org-guardrails:logArchive": JSON.stringify({
          accountId: DEV.logArchive,
          objectLock: { enabled: true, mode: "COMPLIANCE", days: 365 },
        }),
      },
    });
    expect(one(resources, TYPES.bucket).inputs.objectLockEnabled).toBe(true);
    expect(
      one(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs
        .rule,
    ).toEqual({
      defaultRetention: { mode: "COMPLIANCE", days: 365 },
    });
  });

  it("should reject Object Lock days without Object Lock before registering anything", async () => {
    const failure = await runProgramExpectingFailure({
      config: {
        "aws-org-guardrails:logArchive": JSON.stringify({
          accountId: DEV.logArchive,
          objectLock: { days: 30 },
        }),
      },
    });
    expect(failure.message).toContain(
      "aws-org-guardrails:logArchive.objectLock.days: is set but objectLock.enabled is false: turn Object Lock on, or remove this key",
    );
    expect(failure.resources.filter((r) => r.type !== TYPES.stack)).toEqual([]);
  });
});

describe('moving the central log group between locations (README, "Moving the central log group")', async () => {
  /** The dev organization with these organization trails recorded, as a snapshot file and model. */
  const withTrails = (names: string[]) => {
    const snapshot = JSON.parse(readFileSync(DEV_SNAPSHOT, "utf8"));
    snapshot.trails = names.map((name) => ({
      Name: name,
      TrailARN: `arn:aws:cloudtrail:eu-west-1:${DEV.management}:trail/${name}`,
      HomeRegion: "eu-west-1",
      IsOrganizationTrail: true,
    }));
    const file = path.join(mkdtempSync(path.join(tmpdir(), "trails-")), "org.json");
    writeFileSync(file, JSON.stringify(snapshot));
    return { file, model: parseSnapshot(snapshot, file) };
  };
  const OLD = withTrails(["aws-org-guardrails"]);
  const BOTH = withTrails(["aws-org-guardrails", "aws-org-guardrails-delegated"]);
  const NEW = withTrails(["aws-org-guardrails-delegated"]);
  const logs = (extra: Record<string, string>) => ({
    "aws-org-guardrails:centralLogs": JSON.stringify({ retentionInDays: 365, ...extra }),
  });
  const notesFor = (
    resources: readonly RecordedResource[],
    edit: (raw: any) => void,
    organization = BOTH.model,
  ): string[] => {
    const raw = devRawConfig() as any;
    edit(raw);
    const config = validateGuardrailConfig(raw, { organization, now: new Date() });
    return planNotes({
      stack: "dev",
      config,
      names: deriveNames(config, organization),
      organization,
      resources,
    }).filter((line) => !line.startsWith("Paging:"));
  };
  const before = await runProgram({ snapshot: OLD.file });
  const during = await runProgram({
    snapshot: BOTH.file,
    config: logs({ location: "delegatedAdministrator", movingFrom: "management" }),
  });
  const after = await runProgram({
    snapshot: NEW.file,
    config: logs({ location: "delegatedAdministrator" }),
  });
  const oldArn = TRAIL_ARN;
  const newArn = `${TRAIL_ARN}-delegated`;
  const protectedParts = [
    "organization-trail-trail",
    "organization-trail-log-group",
    "organization-trail-log-group-key",
  ];

  it("replaces the trail, log group and key in place (same URNs, another account) under a new trail name, so the new trail can exist beside the old", () => {
    for (const name of protectedParts) {
      const old = before.resources.find((r) => r.name === name);
      const moved = during.resources.find((r) => r.name === name);
      expect(moved?.urn, name).toBe(old?.urn);
      expect(accountOf(during.resources, moved!), name).toBe(DEV.logArchive);
      expect(accountOf(before.resources, old!), name).toBe(DEV.management);
    }
    expect(one(before.resources, TYPES.trail).inputs.name).toBe("aws-org-guardrails");
    expect(one(during.resources, TYPES.trail).inputs.name).toBe("aws-org-guardrails-delegated");
  });

  it("lets the archive accept both trails during the move, and only the new one after it", () => {
    const sourceArns = (resources: readonly RecordedResource[]) => {
      const bucket = parsed(one(resources, TYPES.bucketPolicy).inputs.policy).Statement;
      const key = parsed(one(resources, TYPES.key, "log-archive-key").inputs.policy).Statement;
      return [...bucket, ...key]
        .filter((s: any) => s.Principal?.Service === "cloudtrail.amazonaws.com")
        .map((s: any) => s.Condition.StringEquals["aws:SourceArn"]);
    };
    expect(new Set(sourceArns(before.resources).map(String))).toEqual(new Set([oldArn]));
    for (const arns of sourceArns(during.resources)) {
      expect(arns).toEqual([newArn, oldArn]);
    }
    expect(new Set(sourceArns(after.resources).map(String))).toEqual(new Set([newArn]));
  });

  it("prints the runbook: unprotect exactly the protected parts, up, delete the old trail, drop movingFrom", () => {
    const notes = notesFor(during.resources, (raw) => {
      raw.centralLogs.location = "delegatedAdministrator";
      raw.centralLogs.movingFrom = "management";
    });
    const unprotect = notes.filter((line) => line.includes("pulumi state unprotect"));
    expect(unprotect.map((line) => line.trim()).sort()).toEqual(
      protectedParts
        .map((name) => during.resources.find((r) => r.name === name)!.urn)
        .map((urn) => `pulumi state unprotect --stack dev --yes '${urn}'`)
        .sort(),
    );
    expect(notes.join("\n")).toContain(
      `aws cloudtrail delete-trail --name ${oldArn} --region eu-west-1`,
    );
    expect(notes.at(-1)).toContain("Remove aws-org-guardrails:centralLogs.movingFrom");
    expect(
      notesFor(
        after.resources,
        (raw) => (raw.centralLogs.location = "delegatedAdministrator"),
        NEW.model,
      ).some((line) => line.includes("Moving")),
    ).toBe(false);
  });

  it("refuses to move without movingFrom while the old trail exists, naming the key and the runbook", async () => {
    const failure = await runProgramExpectingFailure({
      snapshot: OLD.file,
      config: logs({ location: "delegatedAdministrator" }),
    });
    expect(failure.message).toContain(
      'aws-org-guardrails:centralLogs.location: the organization trail aws-org-guardrails still exists (this program\'s trail of the management location); set centralLogs.movingFrom: management so the archive keeps accepting it until it is deleted (README, "Moving the central log group")',
    );
    expect(failure.resources.filter((r) => r.type !== TYPES.stack)).toEqual([]);
  });

  it("says when the old trail is gone and movingFrom can go", () => {
    const notes = notesFor(
      during.resources,
      (raw) => {
        raw.centralLogs.location = "delegatedAdministrator";
        raw.centralLogs.movingFrom = "management";
      },
      NEW.model,
    );
    expect(notes).toContain(
      "Moving the central log group: the snapshot shows no trail aws-org-guardrails any more; remove aws-org-guardrails:centralLogs.movingFrom and run pulumi up.",
    );
  });

  it("works the other way round, and without the unprotect and delete steps when audit data is not protected", async () => {
    const back = await runProgram({
      snapshot: BOTH.file,
      config: {
        ...logs({ location: "management", movingFrom: "delegatedAdministrator" }),
        "aws-org-guardrails:protectAuditData": "false",
      },
    });
    expect(one(back.resources, TYPES.trail).inputs.name).toBe("aws-org-guardrails");
    const notes = notesFor(back.resources, (raw) => {
      raw.centralLogs.movingFrom = "delegatedAdministrator";
      raw.protectAuditData = false;
    });
    expect(notes.find((line) => line.startsWith("Moving"))).toContain(
      "from delegatedAdministrator to management",
    );
    expect(notes.some((line) => line.includes("unprotect"))).toBe(false);
    expect(notes.some((line) => line.includes("delete-trail"))).toBe(false);
  });
});

describe("trusted access in the plan", async () => {
  const { resources } = await runProgram();
  const organization = devOrganization();
  const config = validateGuardrailConfig(devRawConfig(), { organization, now: new Date() });
  const allNotes = (org: typeof organization) =>
    planNotes({
      stack: "dev",
      config,
      names: deriveNames(config, org),
      organization: org,
      resources,
    });
  const notes = (org: typeof organization) =>
    allNotes(org).filter((line) => !line.startsWith("Paging:"));

  it("says which service principals are adopted (already enabled in the snapshot) and which are turned on", () => {
    expect(notes(organization)).toEqual([
      "Trusted access (organization-wide; retained on delete, so this stack never turns it off):",
      "  cloudtrail.amazonaws.com: already enabled: adopted as it is",
      "  iam.amazonaws.com: to be enabled",
    ]);
  });

  it("says when the on-call would be paged for approved work too (alerts.paging not set), and not once it is", () => {
    expect(allNotes(organization).filter((line) => line.startsWith("Paging:"))).toEqual([
      "Paging: alerts.paging is not set, so aws-org-guardrails-root-unexplained pages the alert subscribers, who also receive approved root use and the root-usage alarms. Set alerts.paging to the on-call's address or endpoint so that only unexplained root use and a failing notifier page them.",
    ]);
    const raw = devRawConfig() as any;
    raw.alerts.paging = { emails: ["oncall@example.com"] };
    const withPaging = validateGuardrailConfig(raw, { organization, now: new Date() });
    expect(
      planNotes({
        stack: "dev",
        config: withPaging,
        names: deriveNames(withPaging, organization),
        organization,
        resources,
      }).filter((line) => line.startsWith("Paging:")),
    ).toEqual([]);
  });

  it("says it cannot tell when the snapshot does not record trusted access", () => {
    const snapshot = JSON.parse(readFileSync(DEV_SNAPSHOT, "utf8"));
    delete snapshot.enabledServicePrincipals;
    const lines = notes(parseSnapshot(snapshot, "older snapshot"));
    expect(
      lines
        .slice(1)
        .every((line) =>
          line.includes("unknown: the organization snapshot does not record trusted access"),
        ),
    ).toBe(true);
  });
});

describe("the CloudTrail delegated-administrator registration", async () => {
  const delegated = {
    "aws-org-guardrails:centralLogs": JSON.stringify({ location: "delegatedAdministrator" }),
  };
  const { resources } = await runProgram({ config: delegated });
  const registration = one(resources, TYPES.delegatedAdmin);
  const notesWith = (accountIds: string[] | undefined) => {
    const snapshot = JSON.parse(readFileSync(DEV_SNAPSHOT, "utf8"));
    if (accountIds === undefined) {
      delete snapshot.delegatedAdministrators;
    } else {
      snapshot.delegatedAdministrators = [
        { ServicePrincipal: "cloudtrail.amazonaws.com", AccountIds: accountIds },
      ];
    }
    const organization = parseSnapshot(snapshot, "snapshot");
    const raw = devRawConfig() as any;
    raw.centralLogs.location = "delegatedAdministrator";
    const config = validateGuardrailConfig(raw, { organization, now: new Date() });
    return planNotes({
      stack: "dev",
      config,
      names: deriveNames(config, organization),
      organization,
      resources,
    }).filter((line) => line.includes("delegated administrator") || line.includes("pulumi import"));
  };

  it("is organization-wide, so a destroy never deregisters it", () => {
    expect(registration.retainOnDelete).toBe(true);
  });

  it("is adopted with pulumi import when the snapshot shows the log-archive account registered already", () => {
    const notes = notesWith([DEV.logArchive]);
    expect(notes[0]).toBe(
      `CloudTrail delegated administrator: ${DEV.logArchive} is registered already; unless the stack's state has it, import it once before pulumi up:`,
    );
    expect(notes[1].trim()).toBe(
      `pulumi import --stack dev --yes --parent organization-trail=${registration.parent} --provider management=urn:pulumi:dev::aws-org-guardrails::pulumi:providers:aws::management ${TYPES.delegatedAdmin} organization-trail-delegated-admin ${DEV.logArchive}`,
    );
    expect(notesWith([])).toEqual([
      `CloudTrail delegated administrator: ${DEV.logArchive} to be registered (retained on delete).`,
    ]);
    expect(notesWith(undefined)[0]).toContain("the snapshot does not record it");
  });
});
