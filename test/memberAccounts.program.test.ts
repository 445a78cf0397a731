import { describe, expect, it } from "vitest";
import { importCommands } from "../coverage/adoption";
import { RecordedResource } from "../offline/engine";
import { loadStackInputs } from "../offline/stackInputs";
import { DEV, devRawConfig, FIXTURE_STACKS } from "./support/fixtures";
import { byType, one, runProgram, runProgramExpectingFailure } from "./support/program";

const ACCOUNT = "aws:organizations/account:Account";
const OU = "aws:organizations/organizationalUnit:OrganizationalUnit";

function withAccounts(accounts: unknown[], units?: unknown[]): Record<string, string> {
  return {
    "aws-org-guardrails:accounts": JSON.stringify(accounts),
    ...(units === undefined
      ? {}
      : { "aws-org-guardrails:organizationalUnits": JSON.stringify(units) }),
  };
}

/** Every resource by URN, with the inputs it would be created with. */
function byUrn(resources: readonly RecordedResource[]): Map<string, string> {
  return new Map(
    resources.map((r) => [
      r.urn,
      JSON.stringify({ inputs: r.inputs, dependencies: r.dependencies, provider: r.provider }),
    ]),
  );
}

describe("declared member accounts", async () => {
  const devAccounts = devRawConfig().accounts as unknown[];
  const before = await runProgram({ preview: true });

  it("creates the dev stack's declared accounts in their OU, with tags, never closing them and remembering nothing AWS cannot read back", () => {
    const alice = one(before.resources, ACCOUNT, "member-accounts-sandbox-alice");
    expect(alice.inputs).toMatchObject({
      name: "sandbox-alice",
      email: "aws-sandbox-alice@example.com",
      parentId: DEV.sandboxOu,
      closeOnDeletion: false,
      tags: { owner: "alice", "cost-center": "4711" },
    });
    expect(alice.retainOnDelete).toBe(true);
    expect(alice.ignoreChanges).toEqual(["roleName", "iamUserAccessToBilling"]);
    expect(alice.provider).toMatch(/pulumi:providers:aws::management::/);
  });

  it("creates every new account only after every SCP attachment exists, so it is under the guardrails from its first minute", () => {
    const attachments = byType(
      before.resources,
      "aws:organizations/policyAttachment:PolicyAttachment",
    );
    expect(attachments.length).toBeGreaterThanOrEqual(2);
    for (const account of byType(before.resources, ACCOUNT)) {
      for (const attachment of attachments) {
        expect(account.dependencies, `${account.name} waits for ${attachment.name}`).toContain(
          attachment.urn,
        );
      }
    }
  });

  it("onboarding one account is one new config entry and exactly one new resource; nothing else changes", async () => {
    const after = await runProgram({
      preview: true,
      config: withAccounts([
        ...devAccounts,
        { name: "payments-dr", email: "aws-payments-dr@example.com", ou: DEV.prodOu },
      ]),
    });
    const old = byUrn(before.resources);
    const added = after.resources.filter((r) => !old.has(r.urn));
    expect(added.map((r) => [r.type, r.name])).toEqual([[ACCOUNT, "member-accounts-payments-dr"]]);
    for (const resource of after.resources.filter((r) => old.has(r.urn))) {
      expect({ urn: resource.urn, state: byUrn([resource]).get(resource.urn) }).toEqual({
        urn: resource.urn,
        state: old.get(resource.urn),
      });
    }
  });

  it("adds the OU too when the account goes into a new one, and the account waits for it", async () => {
    const after = await runProgram({
      preview: true,
      config: withAccounts(
        [
          ...devAccounts,
          { name: "ml-research", email: "aws-ml-research@example.com", ou: "Research" },
        ],
        [{ name: "Research", parent: DEV.workloadsOu }],
      ),
    });
    const old = byUrn(before.resources);
    const added = after.resources.filter((r) => !old.has(r.urn));
    expect(added.map((r) => [r.type, r.name]).sort()).toEqual([
      [ACCOUNT, "member-accounts-ml-research"],
      [OU, "member-accounts-ou-research"],
    ]);
    const ou = one(after.resources, OU);
    expect(ou.inputs).toEqual({ name: "Research", parentId: DEV.workloadsOu });
    expect(one(after.resources, ACCOUNT, "member-accounts-ml-research").dependencies).toContain(
      ou.urn,
    );
  });

  it("should reject duplicate e-mails, an e-mail of another existing account, an unknown OU and duplicate names, before registering anything", async () => {
    const failure = await runProgramExpectingFailure({
      config: withAccounts([
        ...devAccounts,
        { name: "x1", email: "aws-x@example.com", ou: DEV.prodOu },
        { name: "x1", email: "AWS-X@example.com", ou: "Nowhere" },
        { name: "x3", email: "aws-audit@example.com", ou: DEV.prodOu },
      ]),
    });
    expect(failure.message.split("\n").slice(1)).toEqual([
      '  - aws-org-guardrails:accounts[3].name: repeats "x1"; declare each account once',
      "  - aws-org-guardrails:accounts[3].email: AWS-X@example.com is already used by accounts[2]; every account needs its own address",
      '  - aws-org-guardrails:accounts[3].ou: "Nowhere" is not an OU of this organization or this stack; use "Root", an OU id of o-7h2kq9x4mz, or the name of an OU declared in organizationalUnits',
      "  - aws-org-guardrails:accounts[x3].email: aws-audit@example.com belongs to the existing account 161803398874 (audit); an address can only be used once in AWS",
    ]);
    expect(failure.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });

  it("should reject declared OUs that form a cycle", async () => {
    const failure = await runProgramExpectingFailure({
      config: withAccounts(devAccounts, [
        { name: "A", parent: "B" },
        { name: "B", parent: "A" },
      ]),
    });
    expect(failure.message).toContain(
      "aws-org-guardrails:organizationalUnits[A].parent: the declared OUs A -> B form a cycle",
    );
  });

  it("keeps guardrail resources independent of the number of declared accounts", () => {
    const guardrails = byType(
      before.resources,
      "aws:organizations/policyAttachment:PolicyAttachment",
    );
    expect(guardrails.map((a) => a.inputs.targetId)).toEqual([DEV.rootId, DEV.rootId]);
  });

  it("prints pulumi import commands whose names, parent and provider match the plan", () => {
    const inputs = loadStackInputs({ stack: "dev", stacksDir: FIXTURE_STACKS });
    const commands = importCommands("dev", "aws-org-guardrails", inputs.topology);
    const alice = one(before.resources, ACCOUNT, "member-accounts-sandbox-alice");
    const component = one(before.resources, "aws-org-guardrails:accounts:MemberAccounts");
    const provider = alice.provider.split("::").slice(0, -1).join("::");
    expect(commands).toContain(
      `pulumi import --stack dev --yes --parent member-accounts=${component.urn} --provider management=${provider} ${ACCOUNT} member-accounts-sandbox-alice ${DEV.sandboxAlice}`,
    );
    expect(commands).toHaveLength(2);
  });
});
