import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ServiceControlPolicy } from "../components/serviceControlPolicy";
import { SCP_DEFINITIONS } from "../policies/scpDefinitions";
import { PlannedScp } from "../policies/scpPlan";
import { evaluateComponent } from "./support/component";
import { plannedRootAccessScp } from "./support/fixtures";
import { byType, one, runProgram, TYPES } from "./support/program";

const [rootAccessDefinition] = SCP_DEFINITIONS;
const scp: PlannedScp = plannedRootAccessScp([
  { id: "r-4f8a", path: "Root" },
  { id: "ou-4f8a-w0rkl0ad", path: "Root/Workloads" },
]);

describe("ServiceControlPolicy component", () => {
  it("registers one SCP with the rendered content and one attachment per target, all children of the component", async () => {
    const { resources } = await evaluateComponent((provider) => {
      new ServiceControlPolicy(scp, { provider });
    });
    const component = one(resources, TYPES.rootAccessGuardrail, "root-access");
    const policy = one(resources, TYPES.policy, "root-access-policy");
    expect(policy.parent).toBe(component.urn);
    expect(policy.inputs).toMatchObject({
      name: "aws-org-guardrails-root-access",
      type: "SERVICE_CONTROL_POLICY",
      content: scp.rendered.content,
    });
    const attachments = byType(resources, TYPES.attachment);
    expect(attachments.map((a) => [a.name, a.inputs.targetId, a.inputs.policyId])).toEqual([
      ["root-access-r-4f8a", "r-4f8a", "root-access-policy-id"],
      ["root-access-ou-4f8a-w0rkl0ad", "ou-4f8a-w0rkl0ad", "root-access-policy-id"],
    ]);
    for (const child of [policy, ...attachments]) {
      expect(child.parent).toBe(component.urn);
      expect(child.provider).toMatch(/pulumi:providers:aws::test-provider::test-provider-id$/);
    }
  });

  it("takes its type token and names from the definition, and children are named after the component", async () => {
    const { resources } = await evaluateComponent((provider) => {
      new ServiceControlPolicy(
        { ...scp, resourceName: "prod-root", targets: [scp.targets[0]] },
        { provider },
      );
    });
    expect(one(resources, TYPES.rootAccessGuardrail).urn).toMatch(
      /::aws-org-guardrails:scp:RootAccessGuardrail::prod-root$/,
    );
    expect(byType(resources, TYPES.attachment).map((a) => a.name)).toEqual(["prod-root-r-4f8a"]);
    expect(one(resources, TYPES.policy).name).toBe("prod-root-policy");
  });

  it("turns a definition's earlier token and name into aliases, so a rename moves instead of replacing", async () => {
    const renamed: PlannedScp = {
      ...scp,
      resourceName: "member-root-2",
      definition: {
        ...rootAccessDefinition,
        componentType: "aws-org-guardrails:scp:MemberRoot",
        resourceName: "member-root",
        previously: [
          { componentType: rootAccessDefinition.componentType, resourceName: "root-access" },
        ],
      },
    };
    let aliases: string[] = [];
    await evaluateComponent((provider) => {
      const component = new ServiceControlPolicy(renamed, { provider });
      // Pulumi keeps a resource's aliases as URN outputs (and derives its children's from them).
      const held = (component as unknown as { __aliases: pulumi.Output<string>[] }).__aliases;
      pulumi.all(held).apply((urns) => {
        aliases = urns;
      });
    });
    // The split part keeps its suffix under the old name.
    expect(aliases).toEqual([
      expect.stringMatching(/::aws-org-guardrails:scp:RootAccessGuardrail::root-access-2$/),
    ]);
  });
});

describe("SCPs as data: what a deployed stack sees", async () => {
  const { resources, outputs } = await runProgram();
  const scpUrns = resources
    .filter((resource) => resource.urn.includes("::aws-org-guardrails:scp:"))
    .map((resource) => resource.urn)
    .sort();

  it("keeps every URN of the SCP components and their children exactly as deployed stacks have them", () => {
    // The URNs of the dev stack before the SCPs became data (two component classes); a changed
    // URN is a replacement of a live policy and its attachments.
    expect(scpUrns).toEqual(
      [
        "urn:pulumi:dev::aws-org-guardrails::aws-org-guardrails:scp:RootAccessGuardrail::root-access",
        "urn:pulumi:dev::aws-org-guardrails::aws-org-guardrails:scp:GuardrailProtection::guardrail-protection",
        "urn:pulumi:dev::aws-org-guardrails::aws-org-guardrails:scp:RootAccessGuardrail$aws:organizations/policy:Policy::root-access-policy",
        "urn:pulumi:dev::aws-org-guardrails::aws-org-guardrails:scp:GuardrailProtection$aws:organizations/policy:Policy::guardrail-protection-policy",
        "urn:pulumi:dev::aws-org-guardrails::aws-org-guardrails:scp:RootAccessGuardrail$aws:organizations/policyAttachment:PolicyAttachment::root-access-r-4f8a",
        "urn:pulumi:dev::aws-org-guardrails::aws-org-guardrails:scp:GuardrailProtection$aws:organizations/policyAttachment:PolicyAttachment::guardrail-protection-r-4f8a",
      ].sort(),
    );
  });

  it("derives the stack outputs of every definition, with the names deployed stacks export", () => {
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        "rootAccessPolicyId",
        "rootAccessTargets",
        "rootAccessPolicyCharacters",
        "protectionPolicyIds",
        "protectionPolicyCharacters",
      ]),
    );
    expect(outputs.rootAccessTargets).toEqual(["r-4f8a"]);
    expect(typeof outputs.rootAccessPolicyCharacters).toBe("number");
    expect(Array.isArray(outputs.protectionPolicyCharacters)).toBe(true);
  });

  it("has one entry per kind, each with a distinct type token, component name and policy name", () => {
    for (const field of ["kind", "componentType", "resourceName", "policyName"] as const) {
      const values = SCP_DEFINITIONS.map((definition) => definition[field]);
      expect(new Set(values).size, field).toBe(values.length);
    }
    for (const definition of SCP_DEFINITIONS) {
      expect(definition.componentType).toMatch(/^aws-org-guardrails:scp:[A-Z][A-Za-z]+$/);
    }
  });
});
