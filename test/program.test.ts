import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readStackFile } from "../offline/stackFile";
import { DEV, DEV_STACK_FILE, devStackConfig, hoursFromNow } from "./support/fixtures";
import { byType, one, runProgram, runProgramExpectingFailure, TYPES } from "./support/program";

describe("the whole program under Pulumi mocks", () => {
  it("registers the providers and the root-access SCP attached at the organization's Root", async () => {
    const { resources, outputs } = await runProgram();

    const providers = byType(resources, TYPES.provider);
    expect(providers.map((p) => p.name).sort()).toEqual(["log-archive", "management"]);
    const management = one(resources, TYPES.provider, "management");
    expect(management.inputs.allowedAccountIds).toBe(JSON.stringify([DEV.management]));
    expect(management.inputs.region).toBe("eu-west-1");
    const logArchive = one(resources, TYPES.provider, "log-archive");
    expect(logArchive.inputs.allowedAccountIds).toBe(JSON.stringify([DEV.logArchive]));
    expect(JSON.parse(String(logArchive.inputs.assumeRoles))).toEqual([
      {
        roleArn: `arn:aws:iam::${DEV.logArchive}:role/OrganizationAccountAccessRole`,
        sessionName: "aws-org-guardrails",
      },
    ]);

    const guardrail = one(resources, TYPES.rootAccessGuardrail);
    const policy = one(resources, TYPES.policy, "root-access-policy");
    expect(policy.parent).toBe(guardrail.urn);
    expect(policy.provider.startsWith(`${management.urn}::`)).toBe(true);
    expect(policy.inputs.type).toBe("SERVICE_CONTROL_POLICY");
    const document = JSON.parse(String(policy.inputs.content));
    expect(document.Statement).toHaveLength(1);
    expect(document.Statement[0].Condition).toEqual({
      ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:root" },
      Null: { "aws:AssumedRoot": "true" },
    });

    const attachment = one(resources, TYPES.attachment, `root-access-${DEV.rootId}`);
    expect(attachment.inputs.targetId).toBe(DEV.rootId);
    expect(attachment.inputs.policyId).toBe("root-access-policy-id");
    expect(attachment.dependencies).toContain(policy.urn);
    expect(attachment.provider).toBe(policy.provider);
    expect(outputs.rootAccessTargets).toEqual([DEV.rootId]);
  });

  it("never touches FullAWSAccess: every SCP it registers and attaches is its own", async () => {
    const { resources } = await runProgram();
    const policies = byType(resources, TYPES.policy);
    expect(policies.every((p) => String(p.inputs.name).startsWith("aws-org-guardrails-"))).toBe(
      true,
    );
    for (const attachment of byType(resources, TYPES.attachment)) {
      expect(policies.some((p) => attachment.dependencies.includes(p.urn))).toBe(true);
    }
  });

  it("attaches the SCP to every configured OU target instead of the Root", async () => {
    const { resources } = await runProgram({
      config: {
        "aws-org-guardrails:rootAccess": JSON.stringify({
          targets: [DEV.workloadsOu, DEV.securityOu],
        }),
      },
    });
    expect(
      byType(resources, TYPES.attachment)
        .filter((a) => a.name.startsWith("root-access-"))
        .map((a) => a.inputs.targetId)
        .sort(),
    ).toEqual([DEV.securityOu, DEV.workloadsOu].sort());
  });

  it("writes open break-glass windows into the SCP", async () => {
    const expiresAt = hoursFromNow(6);
    const { resources } = await runProgram({
      config: {
        "aws-org-guardrails:rootAccess": JSON.stringify({
          breakGlass: [
            { accountId: DEV.paymentsProd, reason: "unlock S3 bucket policy", expiresAt },
          ],
        }),
      },
    });
    const document = JSON.parse(
      String(one(resources, TYPES.policy, "root-access-policy").inputs.content),
    );
    expect(document.Statement[0].Condition.StringNotEquals).toEqual({
      "aws:PrincipalAccount": [DEV.paymentsProd],
    });
    expect(document.Statement[1].Condition.DateGreaterThan).toEqual({
      "aws:CurrentTime": expiresAt,
    });
  });

  it("leaves ids unknown under preview, as pulumi preview does", async () => {
    const { resources } = await runProgram({ preview: true });
    expect(one(resources, TYPES.attachment, `root-access-${DEV.rootId}`).inputs.policyId).toBe(
      "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    );
  });

  it("should fail with every config error and register nothing when the config is bad", async () => {
    const failure = await runProgramExpectingFailure({
      config: {
        "aws-org-guardrails:managementAccountId": "1234",
        "aws-org-guardrails:alerts": JSON.stringify({ emails: ["bad"] }),
      },
    });
    // A RunError is what the Pulumi CLI prints as a message alone, without a stack trace.
    expect(pulumi.RunError.isInstance(failure.cause)).toBe(true);
    expect(failure.message).toContain("aws-org-guardrails:managementAccountId: must be 12 digits");
    expect(failure.message).toContain(
      'aws-org-guardrails:alerts.emails[bad]: must be an e-mail address, got "bad"',
    );
    expect(failure.resources.filter((r) => r.type !== TYPES.stack)).toEqual([]);
  });

  it("should refuse an unquoted top-level account id, which only the stack file shows, before registering anything", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "program-test-"));
    const file = path.join(dir, "Pulumi.dev.yaml");
    const text = readFileSync(DEV_STACK_FILE, "utf8");
    const unquoted = text.replace(
      'aws-org-guardrails:managementAccountId: "314159265358"',
      "aws-org-guardrails:managementAccountId: 314159265358",
    );
    expect(unquoted).not.toBe(text);
    writeFileSync(file, unquoted);
    // The CLI passes the same text either way: only the stack file tells the number apart.
    const config = readStackFile("dev", undefined, dir).config;
    expect(config["aws-org-guardrails:managementAccountId"]).toBe(DEV.management);
    const failure = await runProgramExpectingFailure({ config, stackFile: file });
    expect(failure.message.split("\n").slice(1)).toEqual([
      "  - aws-org-guardrails:managementAccountId: must be a quoted string of 12 digits (YAML reads an unquoted id as a number and drops leading zeros)",
    ]);
    expect(failure.resources.filter((r) => r.type !== TYPES.stack)).toEqual([]);
  });

  it("should name a key under a misspelt namespace before registering anything", async () => {
    const failure = await runProgramExpectingFailure({
      config: { "aws-org-guardrals:rootMfaRule": JSON.stringify({ enabled: true }) },
    });
    expect(failure.message.split("\n").slice(1)).toEqual([
      '  - aws-org-guardrals:rootMfaRule: "aws-org-guardrals" is not this project\'s namespace (aws-org-guardrails); did you mean aws-org-guardrails:rootMfaRule?',
    ]);
    expect(failure.resources.filter((r) => r.type !== TYPES.stack)).toEqual([]);
  });

  it("should fail before registering anything when the project config is missing", async () => {
    const failure = await runProgramExpectingFailure({
      without: Object.keys(devStackConfig()).filter((key) => key.startsWith("aws-org-guardrails:")),
    });
    expect(failure.message).toMatch(/^No aws-org-guardrails: config found/);
    expect(failure.resources.filter((r) => r.type !== TYPES.stack)).toEqual([]);
  });

  it("should fail before registering anything when the SCP is over its size budget", async () => {
    const failure = await runProgramExpectingFailure({
      config: { "aws-org-guardrails:scpLimits": JSON.stringify({ maxPolicyCharacters: 100 }) },
    });
    expect(failure.message).toBe(
      "The root-access SCP is 212 characters, over the budget of 100 (aws-org-guardrails:scpLimits.maxPolicyCharacters). Close break-glass entries that are no longer needed (aws-org-guardrails:rootAccess.breakGlass).",
    );
    expect(failure.resources.filter((r) => r.type !== TYPES.stack)).toEqual([]);
  });
});
