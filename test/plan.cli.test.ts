import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { expectCleanFailure, runCommand } from "./support/cli";
import { DEV, DEV_SNAPSHOT, FIXTURE_STACKS } from "./support/fixtures";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

interface Step {
  op: string;
  urn: string;
  newState: {
    type: string;
    urn: string;
    custom: boolean;
    parent?: string;
    provider?: string;
    protect: boolean;
    dependencies: string[];
    inputs: Record<string, unknown>;
  };
}

describe("npm run plan (the offline plan)", () => {
  const work = mkdtempSync(path.join(tmpdir(), "plan-cli-"));

  it("prints the SCP and its target and writes pulumi preview --json shaped steps", () => {
    const out = path.join(work, "plan.json");
    const result = runCommand("plan", [
      "--stack",
      "dev",
      "--stacks",
      FIXTURE_STACKS,
      "--json",
      out,
    ]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('SCP "aws-org-guardrails-root-access" (212 characters):');
    expect(result.stdout).toContain(`attached to: ${DEV.rootId}`);

    const { steps } = JSON.parse(readFileSync(out, "utf8")) as { steps: Step[] };
    expect(steps.every((step) => step.op === "create" && step.urn === step.newState.urn)).toBe(
      true,
    );
    const stack = steps.find((s) => s.newState.type === "pulumi:pulumi:Stack");
    expect(stack?.urn).toBe(
      "urn:pulumi:dev::aws-org-guardrails::pulumi:pulumi:Stack::aws-org-guardrails-dev",
    );

    const management = steps.find((s) => s.urn.endsWith("pulumi:providers:aws::management"));
    expect(management?.newState.inputs.allowedAccountIds).toBe(`["${DEV.management}"]`);
    const logArchive = steps.find((s) => s.urn.endsWith("pulumi:providers:aws::log-archive"));
    expect(logArchive?.newState.inputs.allowedAccountIds).toBe(`["${DEV.logArchive}"]`);
    expect(String(logArchive?.newState.inputs.assumeRoles)).toContain(
      `arn:aws:iam::${DEV.logArchive}:role/OrganizationAccountAccessRole`,
    );

    const policy = steps.find((s) => s.newState.type === "aws:organizations/policy:Policy");
    const attachment = steps.find(
      (s) => s.newState.type === "aws:organizations/policyAttachment:PolicyAttachment",
    );
    expect(policy?.newState.provider).toBe(`${management?.urn}::${UNKNOWN}`);
    expect(policy?.newState.parent).toBe(
      "urn:pulumi:dev::aws-org-guardrails::aws-org-guardrails:scp:RootAccessGuardrail::root-access",
    );
    expect(attachment?.urn).toBe(
      "urn:pulumi:dev::aws-org-guardrails::aws-org-guardrails:scp:RootAccessGuardrail$aws:organizations/policyAttachment:PolicyAttachment::root-access-r-4f8a",
    );
    expect(attachment?.newState.dependencies).toContain(policy?.urn);
    expect(attachment?.newState.inputs).toEqual({ policyId: UNKNOWN, targetId: DEV.rootId });
  });

  it("should end with the config errors, a non-zero exit and no plan when the config does not fit the organization", () => {
    const snapshot = JSON.parse(readFileSync(DEV_SNAPSHOT, "utf8"));
    snapshot.organization.MasterAccountId = DEV.audit;
    const otherOrg = path.join(work, "other-org.json");
    writeFileSync(otherOrg, JSON.stringify(snapshot));
    const out = path.join(work, "not-written.json");
    const result = runCommand("plan", [
      "--stack",
      "dev",
      "--stacks",
      FIXTURE_STACKS,
      "--org",
      otherOrg,
      "--json",
      out,
    ]);
    expectCleanFailure(result);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(
      "plan: Stack config has 1 error (test/fixtures/stacks/Pulumi.dev.yaml); no resource was registered: aws-org-guardrails:managementAccountId: 314159265358 is not the management account of o-7h2kq9x4mz (that is 161803398874)",
    );
    expect(existsSync(out)).toBe(false);
  });

  it("should name a missing snapshot in one line", () => {
    const missing = path.join(work, "nope.json");
    const result = runCommand("plan", [
      "--stack",
      "dev",
      "--stacks",
      FIXTURE_STACKS,
      "--org",
      missing,
    ]);
    expectCleanFailure(result);
    expect(result.stderr.trim()).toBe(
      `plan: ${missing}: organization snapshot not found; write one with npm run discover -- --out ${missing}`,
    );
  });

  it("should name an unknown stack and a missing --stack in one line", () => {
    const unknown = runCommand("plan", ["--stack", "nosuch", "--stacks", FIXTURE_STACKS]);
    expectCleanFailure(unknown);
    expect(unknown.stderr.trim()).toMatch(
      /^plan: .*stacks\/Pulumi\.nosuch\.yaml: stack file for stack "nosuch" not found$/,
    );
    const usage = runCommand("plan", []);
    expectCleanFailure(usage);
    expect(usage.stderr.trim()).toBe(
      "plan: --stack is required; usage: npm run plan -- --stack <env> [--org <snapshot.json>] [--stacks <dir>] [--baseline <file>] [--allow-destructive] [--json <file>] [--markdown <file>]",
    );
  });
});
