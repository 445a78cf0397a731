import { describe, expect, it } from "vitest";
import { ROOT_ACTIVITY_EVENT_PATTERN } from "../detection/eventPattern";
import {
  buildFastPathTemplate,
  centralBusPolicy,
  forwarderPolicy,
  forwarderTrustPolicy,
  GLOBAL_EVENTS_REGION,
} from "../policies/fastPathTemplate";
import { validateTemplate } from "./support/cloudFormationSpec";
import { decidePrincipalRequest, decideServiceRequest } from "./support/servicePermissions";

const BUS = "arn:aws:events:eu-west-1:314159265358:event-bus/aws-org-guardrails-root-activity";
const template = buildFastPathTemplate({
  partition: "aws",
  centralBusArn: BUS,
  roleRegion: GLOBAL_EVENTS_REGION.aws,
  ruleName: "aws-org-guardrails-root-activity",
  assumeRootRuleName: "aws-org-guardrails-assume-root-forward",
  roleName: "aws-org-guardrails-root-activity-forwarder",
});

describe("the fast path's StackSet template", () => {
  it("is valid against the CloudFormation resource specification", () => {
    expect(validateTemplate(template)).toEqual([]);
  });

  it("the validator catches what CloudFormation would refuse (it is not a rubber stamp)", () => {
    const broken = structuredClone(template) as any;
    broken.Resources.RootActivityRule.Properties.State = "ON";
    broken.Resources.RootActivityRule.Properties.Targetz = [];
    delete broken.Resources.ForwarderRole.Properties.AssumeRolePolicyDocument;
    broken.Resources.ForwarderRole.Condition = "Nope";
    broken.Resources.RootActivityRule.Properties.Targets[0].RoleArn = { Ref: "Missing" };
    broken.Resources.Extra = { Type: "AWS::Events::Rules", Properties: {} };
    expect(validateTemplate(broken)).toEqual([
      expect.stringMatching(/^ForwarderRole: Condition Nope is not defined/),
      expect.stringMatching(
        /ForwarderRole.Properties: the required property AssumeRolePolicyDocument is missing/,
      ),
      expect.stringMatching(
        /RootActivityRule.Properties.State: ON is not one of DISABLED, ENABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS/,
      ),
      expect.stringMatching(/RootActivityRule.Properties: Targetz is not a property/),
      expect.stringMatching(/Targets\[0\].RoleArn: Ref Missing names nothing/),
      expect.stringMatching(/^Extra: AWS::Events::Rules is not a CloudFormation resource type/),
    ]);
  });

  it("sees every CloudTrail management event, read-only ones too, with the proved pattern", () => {
    const rule = template.Resources.RootActivityRule.Properties;
    expect(rule.State).toBe("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
    expect(rule.EventBusName).toBe("default");
    expect(rule.EventPattern).toBe(ROOT_ACTIVITY_EVENT_PATTERN);
  });

  it("creates the role in one region per account (IAM is global) and every region's rule names it", () => {
    expect(template.Resources.ForwarderRole.Condition).toBe("CreatesRole");
    expect(template.Conditions.CreatesRole).toEqual({
      "Fn::Equals": [{ Ref: "AWS::Region" }, "us-east-1"],
    });
    const [target] = template.Resources.RootActivityRule.Properties.Targets as any[];
    expect(target.RoleArn).toEqual({
      "Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/aws-org-guardrails-root-activity-forwarder",
    });
  });

  it("lets EventBridge of the same account assume the role, and no one else", async () => {
    // EventBridge assumes a rule's target role with sts:AssumeRole, sending aws:SourceAccount
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html).
    const trust = JSON.parse(
      JSON.stringify(forwarderTrustPolicy()).replace("${AWS::AccountId}", "223606797749"),
    );
    const role = {
      arn: "arn:aws:iam::223606797749:role/aws-org-guardrails-root-activity-forwarder",
      accountId: "223606797749",
    };
    const ask = (service: string, sourceAccount: string) =>
      decideServiceRequest({
        service,
        action: "sts:AssumeRole",
        resource: role,
        context: { "aws:SourceAccount": sourceAccount },
        resourcePolicy: trust,
      });
    expect(await ask("events.amazonaws.com", "223606797749")).toBe("Allowed");
    expect(await ask("events.amazonaws.com", "999999999999")).not.toBe("Allowed");
    expect(await ask("lambda.amazonaws.com", "223606797749")).not.toBe("Allowed");
  });

  it("the role may put events on the central bus, which takes them from this organization only, and nowhere else", async () => {
    const ask = (
      action: string,
      resource: string,
      organization = "o-4f8a2b6c1d",
      roleName = "aws-org-guardrails-root-activity-forwarder",
    ) =>
      decidePrincipalRequest({
        // A member account with only FullAWSAccess: the role's own policy decides.
        chain: [{ id: "r-4f8a" }, { id: "223606797749" }],
        managementAccount: false,
        principal: {
          arn: `arn:aws:sts::223606797749:assumed-role/${roleName}/events`,
          context: {
            "aws:PrincipalArn": `arn:aws:iam::223606797749:role/${roleName}`,
            "aws:PrincipalAccount": "223606797749",
            "aws:CurrentTime": "2026-12-02T03:00:00Z",
            "aws:PrincipalOrgID": organization,
          },
        },
        action,
        resource: { arn: resource, accountId: resource.split(":")[4] },
        identityPolicies: [{ name: "put-events-on-the-central-bus", policy: forwarderPolicy(BUS) }],
        // Cross-account: the bus's own policy must let the caller in too.
        ...(resource === BUS
          ? {
              resourcePolicy: centralBusPolicy(
                BUS,
                "o-4f8a2b6c1d",
                "aws-org-guardrails-root-activity-forwarder",
              ),
            }
          : {}),
      });
    expect(await ask("events:PutEvents", BUS)).toBe("Allowed");
    // The same role name in an account of another organization.
    expect(await ask("events:PutEvents", BUS, "o-0therorg01")).not.toBe("Allowed");
    // Another role of a member account, with the same identity policy: the bus refuses it.
    expect(await ask("events:PutEvents", BUS, "o-4f8a2b6c1d", "developer")).not.toBe("Allowed");
    expect(
      await ask("events:PutEvents", "arn:aws:events:eu-west-1:314159265358:event-bus/default"),
    ).not.toBe("Allowed");
    expect(
      await ask(
        "events:DeleteRule",
        "arn:aws:events:us-east-1:223606797749:rule/aws-org-guardrails-root-activity",
      ),
    ).not.toBe("Allowed");
  });
});
