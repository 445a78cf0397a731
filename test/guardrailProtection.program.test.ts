import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DEV, DEV_SNAPSHOT } from "./support/fixtures";
import {
  accountOf,
  byType,
  one,
  runProgram,
  runProgramExpectingFailure,
  TYPES,
} from "./support/program";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function statements(content: unknown): any[] {
  return JSON.parse(String(content)).Statement;
}

describe("guardrail protection and centralized root access (dev stack, preview)", async () => {
  const { resources } = await runProgram({ preview: true });
  const protection = one(resources, TYPES.policy, "guardrail-protection-policy");

  it("attaches the protection SCP wherever the root-access SCP goes", () => {
    const targetsOf = (prefix: string) =>
      byType(resources, TYPES.attachment)
        .filter((a) => a.name.startsWith(prefix))
        .map((a) => a.inputs.targetId);
    expect(targetsOf("guardrail-protection-")).toEqual(targetsOf("root-access-"));
    expect(targetsOf("guardrail-protection-")).toEqual([DEV.rootId]);
    const attachment = one(resources, TYPES.attachment, `guardrail-protection-${DEV.rootId}`);
    expect(attachment.dependencies).toContain(protection.urn);
  });

  it("is fully readable in the offline plan: no value known only after apply", () => {
    for (const policy of byType(resources, TYPES.policy)) {
      expect(String(policy.inputs.content)).not.toContain(UNKNOWN);
      expect(() => JSON.parse(String(policy.inputs.content))).not.toThrow();
    }
  });

  it("keeps members in the organization and the archive in the hands of the deployment role only", () => {
    const list = statements(protection.inputs.content);
    expect(list.map((s) => s.Sid)).toEqual([
      "DenyLeavingTheOrganization",
      "DenyMemberPolicyManagement",
      "DenyMemberPolicyTypeChanges",
      "ProtectLogArchiveBucket",
      "ProtectLogArchiveAccount",
      "ProtectGuardrailKeys",
      "ProtectGuardrailKeyAliases",
      "ProtectDeploymentRole",
      "ProtectOrganizationTrail",
      "DenyExemptRoleTakeover",
      "ProtectFastPath",
      "ProtectGuardrailRoles",
    ]);
    const bucket = list.find((s) => s.Sid === "ProtectLogArchiveBucket");
    expect(bucket.Resource).toEqual([
      `arn:aws:s3:::aws-org-guardrails-trail-${DEV.logArchive}-eu-west-1`,
      `arn:aws:s3:::aws-org-guardrails-trail-${DEV.logArchive}-eu-west-1/*`,
      `arn:aws:s3:*:${DEV.logArchive}:accesspoint/*`,
    ]);
    expect(bucket.Condition).toEqual({
      ArnNotLike: {
        "aws:PrincipalArn": `arn:aws:iam::${DEV.logArchive}:role/OrganizationAccountAccessRole`,
      },
    });
    // Everything but reading: the sweep (protectionSweep.simulator.test.ts) shows what that denies.
    expect(bucket.NotAction).toEqual(["s3:Get*", "s3:List*", "s3:RestoreObject"]);
    expect(bucket.Action).toBeUndefined();
    const keys = list.find((s) => s.Sid === "ProtectGuardrailKeys");
    expect(keys.Condition["ForAnyValue:StringLike"]).toEqual({
      "kms:ResourceAliases": "alias/aws-org-guardrails/*",
    });
    expect(keys.NotAction).not.toContain("kms:ScheduleKeyDeletion");
  });

  it("gives every guardrail key the alias the SCP protects it by", () => {
    const aliases = byType(resources, "aws:kms/alias:Alias")
      .map((a) => a.inputs.name)
      .sort();
    expect(aliases).toEqual([
      "alias/aws-org-guardrails/alert-topic",
      "alias/aws-org-guardrails/central-log-group",
      "alias/aws-org-guardrails/trail-archive",
    ]);
    expect(byType(resources, "aws:kms/alias:Alias")).toHaveLength(
      byType(resources, TYPES.key).length,
    );
  });

  it("enables centralized root access in the management account: trusted access for IAM, then both features", () => {
    const access = one(resources, TYPES.serviceAccess, "centralized-root-access-trusted-access");
    const features = one(resources, "aws:iam/organizationsFeatures:OrganizationsFeatures");
    expect(access.inputs).toEqual({ servicePrincipal: "iam.amazonaws.com" });
    expect(features.inputs.enabledFeatures).toEqual(["RootCredentialsManagement", "RootSessions"]);
    expect(features.dependencies).toContain(access.urn);
    expect(accountOf(resources, features)).toBe(DEV.management);
  });

  it("leaves the root MFA Config rule off by default", () => {
    expect(byType(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule")).toEqual(
      [],
    );
  });
});

describe("guardrail protection in delegated-administrator mode", async () => {
  const { resources } = await runProgram({
    preview: true,
    config: {
      "aws-org-guardrails:centralLogs": JSON.stringify({ location: "delegatedAdministrator" }),
      "aws-org-guardrails:rootMfaRule": JSON.stringify({ enabled: true }),
      "aws-org-guardrails:centralizedRootAccess": JSON.stringify({ enabled: false }),
    },
  });

  it("also protects the trail, log group, alarms, topic, notifier and roles in the log-archive account", () => {
    // Split over two SCPs at 5,120 characters: read them together.
    const list = byType(resources, TYPES.policy)
      .filter((policy) => String(policy.inputs.name).startsWith("aws-org-guardrails-protection"))
      .flatMap((policy) => statements(policy.inputs.content));
    expect(list.map((s) => s.Sid)).toEqual(
      expect.arrayContaining([
        "ProtectCentralLogGroup",
        "ProtectOrganizationTrail",
        "ProtectRootAlarms",
        "ProtectAlertTopic",
        "ProtectNotifier",
        "ProtectGuardrailRoles",
      ]),
    );
    expect(list.find((s) => s.Sid === "ProtectCentralLogGroup").Resource).toEqual([
      `arn:aws:logs:eu-west-1:${DEV.logArchive}:log-group:/aws-org-guardrails/cloudtrail`,
      `arn:aws:logs:eu-west-1:${DEV.logArchive}:log-group:/aws-org-guardrails/cloudtrail:*`,
      `arn:aws:logs:eu-west-1:${DEV.logArchive}:log-group:/aws/lambda/aws-org-guardrails-root-activity-notifier`,
      `arn:aws:logs:eu-west-1:${DEV.logArchive}:log-group:/aws/lambda/aws-org-guardrails-root-activity-notifier:*`,
    ]);
  });

  it("deploys the root MFA rule when enabled, and no IAM organization features when centralized root access is off", () => {
    const rule = one(resources, "aws:cfg/organizationManagedRule:OrganizationManagedRule");
    expect(rule.inputs).toMatchObject({ ruleIdentifier: "ROOT_ACCOUNT_MFA_ENABLED" });
    expect(accountOf(resources, rule)).toBe(DEV.management);
    expect(byType(resources, "aws:iam/organizationsFeatures:OrganizationsFeatures")).toEqual([]);
  });
});

describe("SCP budget per target", () => {
  it("should fail before registering anything when the program's SCPs do not fit the per-target quota", async () => {
    const failure = await runProgramExpectingFailure({
      config: { "aws-org-guardrails:scpLimits": JSON.stringify({ maxPoliciesPerTarget: 2 }) },
    });
    expect(failure.message).toBe(
      "r-4f8a (Root) would have 3 SCPs attached directly (FullAWSAccess and 2 of this program's), over aws-org-guardrails:scpLimits.maxPoliciesPerTarget (2).",
    );
    expect(failure.resources.filter((r) => r.type !== TYPES.stack)).toEqual([]);
  });
});

describe("SCP budget counts the SCPs already attached", () => {
  it("should fail before registering anything when existing SCPs leave no room at a target", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "quota-"));
    const snapshot = JSON.parse(readFileSync(DEV_SNAPSHOT, "utf8"));
    snapshot.policies.push(
      ...["p-aaaaaaaa1", "p-aaaaaaaa2", "p-aaaaaaaa3"].map((id, index) => ({
        Id: id,
        Name: `team-scp-${index}`,
        AwsManaged: false,
        Targets: [DEV.workloadsOu],
      })),
    );
    const org = path.join(dir, "org.json");
    writeFileSync(org, JSON.stringify(snapshot));
    const failure = await runProgramExpectingFailure({
      snapshot: org,
      config: {
        "aws-org-guardrails:rootAccess": JSON.stringify({ targets: ["Root", DEV.workloadsOu] }),
      },
    });
    expect(failure.message).toBe(
      `${DEV.workloadsOu} (Root/Workloads) would have 7 SCPs attached directly (FullAWSAccess, 4 already there (deny-unapproved-regions, team-scp-0, team-scp-1, team-scp-2) and 2 of this program's), over aws-org-guardrails:scpLimits.maxPoliciesPerTarget (5).`,
    );
    expect(failure.resources.filter((r) => r.type !== TYPES.stack)).toEqual([]);
  });
});

describe("protection SCP over the size budget", () => {
  it("splits into more SCPs at the same targets, each within budget, denying together what it denied alone", async () => {
    const patterns = [
      `arn:aws:iam::${DEV.logArchive}:role/OrganizationAccountAccessRole`,
      `arn:aws:iam::${DEV.logArchive}:role/platform/pipelines/aws-org-guardrails-deployer-prod`,
    ];
    const { resources } = await runProgram({
      preview: true,
      config: {
        "aws-org-guardrails:centralLogs": JSON.stringify({ location: "delegatedAdministrator" }),
        "aws-org-guardrails:protection": JSON.stringify({ exceptRoleArnPatterns: patterns }),
      },
    });
    const parts = byType(resources, TYPES.policy)
      .filter((policy) => String(policy.inputs.name).startsWith("aws-org-guardrails-protection"))
      .sort((a, b) => String(a.inputs.name).localeCompare(String(b.inputs.name)));
    expect(parts.map((policy) => policy.inputs.name)).toEqual([
      "aws-org-guardrails-protection",
      "aws-org-guardrails-protection-2",
      "aws-org-guardrails-protection-3",
    ]);
    for (const part of parts) {
      expect(String(part.inputs.content).length).toBeLessThanOrEqual(5120);
    }
    const sids = parts.flatMap((part) => statements(part.inputs.content).map((s) => s.Sid));
    expect(sids).toEqual([
      "DenyLeavingTheOrganization",
      "DenyMemberPolicyManagement",
      "DenyMemberPolicyTypeChanges",
      "ProtectLogArchiveBucket",
      "ProtectLogArchiveAccount",
      "ProtectGuardrailKeys",
      "ProtectGuardrailKeyAliases",
      "ProtectDeploymentRole",
      "ProtectOrganizationTrail",
      "DenyExemptRoleTakeover",
      "ProtectFastPath",
      "ProtectGuardrailRoles",
      "ProtectCentralLogGroup",
      "OnlyTheTrailWritesTheCentralLogGroup",
      "OnlyTheNotifierWritesItsLogGroup",
      "DenyAccountLogPolicies",
      "ProtectRootAlarms",
      "DenyAlarmMuteRules",
      "DenyFeedingTheRootMetrics",
      "ProtectAlertTopic",
      "OnlyTheNotifierPublishes",
      "ProtectNotifier",
      "ProtectAlertStore",
    ]);
    const targets = byType(resources, TYPES.attachment)
      .filter((a) => a.name.startsWith("guardrail-protection-2-"))
      .map((a) => a.inputs.targetId);
    expect(targets).toEqual([DEV.rootId]);
  });
});
