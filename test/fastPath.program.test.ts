import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DYNAMIC_RESOURCE_TYPE } from "../components/stackSetsAccess";
import {
  ASSUME_ROOT_EVENT_PATTERN,
  cloudTrailEventOf,
  matchesEventPattern,
  ROOT_ACTIVITY_EVENT_PATTERN,
} from "../detection/eventPattern";
import { RecordedResource } from "../offline/engine";
import { validateTemplate } from "./support/cloudFormationSpec";
import { CORPUS_EVENTS, DEV, DEV_SNAPSHOT } from "./support/fixtures";
import { growOrganization } from "./support/organizationGenerator";
import { byType, one, runProgram, TYPES } from "./support/program";
import { decideServiceRequest } from "./support/servicePermissions";

/**
 * The fast path as the program plans it (issue 16): the central bus beside the notifier, one
 * service-managed StackSet deployed to the Root in every listed region, the management account's
 * own rules per region, trusted access that is never taken back; O(1) in the organization's size.
 */

const REGION = "eu-west-1";
const BUS = `arn:aws:events:${REGION}:${DEV.management}:event-bus/aws-org-guardrails-root-activity`;
const parsed = (value: unknown): any => JSON.parse(String(value));
const isFastPath = (r: RecordedResource) => r.urn.includes("FastPath");

describe("the fast path in the plan", async () => {
  const { resources } = await runProgram();
  const stackSet = one(resources, "aws:cloudformation/stackSet:StackSet");
  const instances = one(resources, "aws:cloudformation/stackInstances:StackInstances");

  it("deploys one service-managed StackSet, automatically, to the Root in every listed region", () => {
    expect(stackSet.inputs).toMatchObject({
      name: "aws-org-guardrails-root-activity-fast-path",
      permissionModel: "SERVICE_MANAGED",
      callAs: "SELF",
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ["CAPABILITY_NAMED_IAM"],
    });
    expect(instances.inputs).toMatchObject({
      stackSetName: "aws-org-guardrails-root-activity-fast-path",
      deploymentTargets: { organizationalUnitIds: [DEV.rootId] },
      regions: ["us-east-1", REGION],
    });
    // A large organization: every account of a region at once, regions one after another;
    // failures counted without stopping the rest. Nothing in them follows the region list.
    for (const resource of [stackSet, instances]) {
      expect(resource.inputs.operationPreferences).toEqual({
        concurrencyMode: "SOFT_FAILURE_TOLERANCE",
        maxConcurrentPercentage: 100,
        failureTolerancePercentage: 10,
        regionConcurrencyType: "SEQUENTIAL",
      });
    }
  });

  it("ships a template CloudFormation accepts, forwarding to the bus the plan creates", () => {
    const template = parsed(stackSet.inputs.templateBody);
    expect(validateTemplate(template)).toEqual([]);
    expect(template.Resources.RootActivityRule.Properties.Targets[0].Arn).toBe(BUS);
    expect(template.Resources.RootActivityRule.Properties.EventPattern).toEqual(
      ROOT_ACTIVITY_EVENT_PATTERN,
    );
    const bus = one(resources, "aws:cloudwatch/eventBus:EventBus");
    expect(bus.inputs.name).toBe("aws-org-guardrails-root-activity");
  });

  it("activates StackSets' trusted access in the management account and never takes it back", () => {
    const access = one(resources, DYNAMIC_RESOURCE_TYPE);
    expect(access.inputs).toMatchObject({ managementAccountId: DEV.management, region: REGION });
    expect(access.retainOnDelete).toBe(true);
    expect(stackSet.dependencies).toContain(access.urn);
  });

  it("gives the management account the rules itself, per region: root activity and AssumeRoot calls", () => {
    const rules = byType(resources, "aws:cloudwatch/eventRule:EventRule").filter(
      (r) => r.inputs.eventBusName === "default",
    );
    expect(rules.map((r) => `${String(r.inputs.region)} ${String(r.inputs.name)}`).sort()).toEqual([
      `${REGION} aws-org-guardrails-assume-root-forward`,
      `${REGION} aws-org-guardrails-root-activity-forward`,
      "us-east-1 aws-org-guardrails-assume-root-forward",
      "us-east-1 aws-org-guardrails-root-activity-forward",
    ]);
    for (const rule of rules) {
      // Without it read-only calls (AssumeRoot among them) never reach a rule.
      expect(rule.inputs.state).toBe("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
    }
    const targets = byType(resources, "aws:cloudwatch/eventTarget:EventTarget").filter(
      (r) => r.inputs.eventBusName === "default",
    );
    expect(targets).toHaveLength(4);
    for (const target of targets) {
      expect(target.inputs.arn).toBe(BUS);
      expect(target.inputs.roleArn).toBe(
        "arn:aws:mock::aws:iam/role:Role:fast-path-forwarder-role",
      );
    }
  });

  it("the central bus's rule invokes the notifier, and only it may (the permission, as AWS evaluates it)", async () => {
    const permission = one(resources, TYPES.lambdaPermission, "fast-path-invoke-from-bus");
    const functionArn = `arn:aws:lambda:${REGION}:${DEV.management}:function:aws-org-guardrails-root-activity-notifier`;
    // The statement AddPermission writes: principal, SourceArn and SourceAccount conditions.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: permission.inputs.principal },
          Action: permission.inputs.action,
          Resource: functionArn,
          Condition: {
            ArnLike: { "AWS:SourceArn": permission.inputs.sourceArn },
            StringEquals: { "AWS:SourceAccount": permission.inputs.sourceAccount },
          },
        },
      ],
    };
    const invoke = (rule: string) =>
      decideServiceRequest({
        service: "events.amazonaws.com",
        action: "lambda:InvokeFunction",
        resource: { arn: functionArn, accountId: DEV.management },
        context: { "aws:SourceArn": rule, "aws:SourceAccount": DEV.management },
        resourcePolicy: policy,
      });
    const busRule = `arn:aws:events:${REGION}:${DEV.management}:rule/aws-org-guardrails-root-activity/aws-org-guardrails-root-activity-to-notifier`;
    expect(await invoke(busRule)).toBe("Allowed");
    expect(
      await invoke(
        `arn:aws:events:${REGION}:${DEV.management}:rule/aws-org-guardrails-root-activity/aws-org-guardrails-assume-root-to-notifier`,
      ),
    ).toBe("Allowed");
    // A rule of the default bus (anyone's in that account) may not.
    expect(
      await invoke(`arn:aws:events:${REGION}:${DEV.management}:rule/aws-org-guardrails-x`),
    ).not.toBe("Allowed");
    expect(
      await invoke(`arn:aws:events:${REGION}:${DEV.management}:rule/someone-elses-rule`),
    ).not.toBe("Allowed");
    const busTarget = one(
      resources,
      "aws:cloudwatch/eventTarget:EventTarget",
      "fast-path-bus-target",
    );
    expect(busTarget.dependencies).toContain(permission.urn);
  });

  it("the central bus invokes the notifier for root activity and AssumeRoot calls only, read-only ones included", () => {
    const busRules = byType(resources, "aws:cloudwatch/eventRule:EventRule").filter(
      (r) => r.inputs.eventBusName === "aws-org-guardrails-root-activity",
    );
    expect(
      Object.fromEntries(busRules.map((r) => [r.inputs.name, parsed(r.inputs.eventPattern)])),
    ).toEqual({
      "aws-org-guardrails-root-activity-to-notifier": ROOT_ACTIVITY_EVENT_PATTERN,
      "aws-org-guardrails-assume-root-to-notifier": ASSUME_ROOT_EVENT_PATTERN,
    });
    for (const rule of busRules) {
      expect(rule.inputs.state).toBe("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
    }
    // Every account's template forwards AssumeRoot calls too (IAM delegated administrators).
    const template = parsed(stackSet.inputs.templateBody);
    expect(template.Resources.AssumeRootRule.Properties).toMatchObject({
      Name: "aws-org-guardrails-assume-root-forward",
      State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
      EventPattern: ASSUME_ROOT_EVENT_PATTERN,
    });
  });

  it("hands the notifier its store", () => {
    const fn = one(resources, TYPES.lambda);
    const variables = (fn.inputs.environment as any).variables;
    expect(variables.ALERT_STORE_TABLE).toBe("aws-org-guardrails-root-alerts");
    const table = one(resources, "aws:dynamodb/table:Table");
    expect(table.inputs).toMatchObject({
      billingMode: "PAY_PER_REQUEST",
      hashKey: "pk",
      ttl: { attributeName: "expiresAt", enabled: true },
      deletionProtectionEnabled: true,
    });
    const policy = parsed(
      one(resources, TYPES.rolePolicy, "root-activity-notifier-role-policy").inputs.policy,
    );
    expect(policy.Statement.find((s: any) => s.Sid === "UseTheAlertStore")).toEqual({
      Sid: "UseTheAlertStore",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      Resource: `arn:aws:dynamodb:${REGION}:${DEV.management}:table/aws-org-guardrails-root-alerts`,
    });
  });

  it("plans nothing of it when fastPath.enabled is false", async () => {
    const off = await runProgram({
      config: { "aws-org-guardrails:fastPath": JSON.stringify({ enabled: false }) },
    });
    expect(off.resources.filter(isFastPath)).toEqual([]);
    expect(off.resources.filter((r) => r.type === DYNAMIC_RESOURCE_TYPE)).toEqual([]);
  });

  it("adds a region's two rules and targets, and one stack instance region, per listed region, and changes nothing else of the StackSet", async () => {
    const more = await runProgram({
      config: {
        "aws-org-guardrails:fastPath": JSON.stringify({ regions: ["eu-central-1", "us-west-2"] }),
      },
    });
    expect(more.resources.filter(isFastPath).length - resources.filter(isFastPath).length).toBe(8);
    const moreInstances = one(more.resources, "aws:cloudformation/stackInstances:StackInstances");
    expect(moreInstances.inputs.regions).toEqual([
      "us-east-1",
      REGION,
      "eu-central-1",
      "us-west-2",
    ]);
    // Any other change to these two would be an operation on every instance of every region.
    expect(moreInstances.inputs.operationPreferences).toEqual(
      instances.inputs.operationPreferences,
    );
    expect(one(more.resources, "aws:cloudformation/stackSet:StackSet").inputs).toEqual(
      stackSet.inputs,
    );
  });

  it("stays O(1) in the organization's size: the same resources at 3,000 accounts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fast-path-scale-"));
    const big = path.join(dir, "org.json");
    writeFileSync(
      big,
      JSON.stringify(growOrganization(parsed(readFileSync(DEV_SNAPSHOT, "utf8")), 3_000, 50)),
    );
    const large = await runProgram({ snapshot: big });
    const shape = (list: readonly RecordedResource[]) =>
      list
        .filter(isFastPath)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
    expect(shape(large.resources)).toEqual(shape(resources));
  });
});

describe("the patterns the fast path's rules use, on the labelled corpus", () => {
  const records = readFileSync(CORPUS_EVENTS, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

  it("the AssumeRoot rule takes exactly the AssumeRoot calls", () => {
    const taken = records.filter((r) =>
      matchesEventPattern(ASSUME_ROOT_EVENT_PATTERN, cloudTrailEventOf(r)),
    );
    expect(taken.length).toBeGreaterThan(0);
    expect(taken.every((r) => r.eventName === "AssumeRoot")).toBe(true);
    expect(records.filter((r) => r.eventName === "AssumeRoot")).toEqual(taken);
  });

  it("no corpus record matches both rules: each forwarded event reaches the notifier once per path", () => {
    // The central bus's two rules use the accounts' two patterns (forwarding keeps the event).
    for (const record of records) {
      const event = cloudTrailEventOf(record);
      const root = matchesEventPattern(ROOT_ACTIVITY_EVENT_PATTERN, event);
      const call = matchesEventPattern(ASSUME_ROOT_EVENT_PATTERN, event);
      expect(root && call).toBe(false);
    }
  });
});
