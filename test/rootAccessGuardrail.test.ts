import { describe, expect, it } from "vitest";
import { RootAccessGuardrail } from "../components/rootAccessGuardrail";
import { buildRootAccessScp } from "../policies/rootAccessScp";
import { renderScp } from "../policies/scpBudget";
import { evaluateComponent } from "./support/component";
import { byType, one, TYPES } from "./support/program";

const scp = {
  name: "aws-org-guardrails-root-access",
  resourceName: "root-access",
  description: "Denies member root.",
  rendered: renderScp(
    "root-access",
    buildRootAccessScp({ partition: "aws", breakGlass: [] }),
    5120,
    "",
  ),
  targets: [
    { id: "r-4f8a", path: "Root" },
    { id: "ou-4f8a-w0rkl0ad", path: "Root/Workloads" },
  ],
};

describe("RootAccessGuardrail component", () => {
  it("registers one SCP with the rendered content and one attachment per target, all children of the component", async () => {
    const { resources } = await evaluateComponent((provider) => {
      new RootAccessGuardrail("root-access", { scp }, { provider });
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

  it("uses the type token aws-org-guardrails:scp:RootAccessGuardrail and names children after the component", async () => {
    const { resources } = await evaluateComponent((provider) => {
      new RootAccessGuardrail(
        "prod-root",
        { scp: { ...scp, targets: [scp.targets[0]] } },
        { provider },
      );
    });
    expect(one(resources, TYPES.rootAccessGuardrail).urn).toMatch(
      /::aws-org-guardrails:scp:RootAccessGuardrail::prod-root$/,
    );
    expect(byType(resources, TYPES.attachment).map((a) => a.name)).toEqual(["prod-root-r-4f8a"]);
    expect(one(resources, TYPES.policy).name).toBe("prod-root-policy");
  });
});
