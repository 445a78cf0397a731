import { ASSUME_ROOT_EVENT_PATTERN, ROOT_ACTIVITY_EVENT_PATTERN } from "../detection/eventPattern";
import { PolicyDocument } from "./document";

export { GLOBAL_EVENTS_REGION } from "../config/regions";

/**
 * The CloudFormation template the fast path's StackSet deploys to every member account and
 * region (issue 16): an EventBridge rule on the default bus that forwards root activity to the
 * central bus, and, in one region per account (IAM is global), the role it forwards with.
 * Generated as JSON from code: the rule's pattern is the one proved against the CIS filter
 * (detection/eventPattern.ts), and the template is validated against the CloudFormation resource
 * specification in the tests (test/fastPathTemplate.test.ts, @aws-cdk/aws-service-spec).
 */
export interface FastPathTemplateInput {
  readonly partition: string;
  /** The central event bus, in the notifier's account and home region. */
  readonly centralBusArn: string;
  /** The one region of each account where the forwarding role is created. */
  readonly roleRegion: string;
  readonly ruleName: string;
  /** The rule forwarding AssumeRoot calls (IAM delegated administrators make them in their own account). */
  readonly assumeRootRuleName: string;
  readonly roleName: string;
}

export interface CloudFormationTemplate {
  readonly AWSTemplateFormatVersion: "2010-09-09";
  readonly Description: string;
  readonly Conditions: Record<string, unknown>;
  readonly Resources: Record<
    string,
    {
      readonly Type: string;
      readonly Condition?: string;
      readonly Properties: Record<string, unknown>;
    }
  >;
}

/**
 * The forwarding role's trust: EventBridge, for rules of this account only (`${AWS::AccountId}`
 * in the template, the management account's id where the program creates the role itself).
 */
export function forwarderTrustPolicy(accountId = "${AWS::AccountId}"): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EventBridgeRulesOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        // The confused-deputy guard EventBridge documents for its service role
        // (https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html).
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  } as PolicyDocument;
}

/** The forwarding role may only put events on the central bus. */
export function forwarderPolicy(centralBusArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PutEventsOnTheCentralBusOnly",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: centralBusArn,
      },
    ],
  } as PolicyDocument;
}

/**
 * The central bus's resource policy: any principal of an account of this organization may put
 * events on it (the forwarding roles of every member account, present and future), no one else
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html, the
 * aws:PrincipalOrgID example).
 */
export function centralBusPolicy(
  centralBusArn: string,
  organizationId: string,
  forwarderRoleName: string,
): PolicyDocument {
  const partition = centralBusArn.split(":")[1];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ForwardersOfThisOrganization",
        Effect: "Allow",
        Principal: "*",
        Action: "events:PutEvents",
        Resource: centralBusArn,
        // Only the forwarding role, in accounts of this organization: no other principal there
        // may write to the bus (the protection SCP is to keep that role name to the StackSet).
        Condition: {
          StringEquals: { "aws:PrincipalOrgID": organizationId },
          ArnLike: { "aws:PrincipalArn": `arn:${partition}:iam::*:role/${forwarderRoleName}` },
        },
      },
    ],
  } as PolicyDocument;
}

/**
 * `${AWS::AccountId}` in a policy becomes a Fn::Sub: the account is the stack's own. Any other
 * `${` (an IAM policy variable such as `${aws:username}`) is escaped as `${!`, which Fn::Sub
 * writes out literally.
 */
function substituted(document: PolicyDocument): unknown {
  return JSON.parse(JSON.stringify(document), (_key, value: unknown) =>
    typeof value === "string" && value.includes("${AWS::")
      ? { "Fn::Sub": value.replace(/\$\{(?!AWS::)/g, "${!") }
      : value,
  );
}

export function buildFastPathTemplate(input: FastPathTemplateInput): CloudFormationTemplate {
  // A fresh list for each rule: one object in two places is one mistake in two places.
  const targets = () => [
    {
      Id: "central-bus",
      Arn: input.centralBusArn,
      // The role of the account's role region; the name is fixed, so every region can name it
      // before it exists there.
      RoleArn: {
        "Fn::Sub": `arn:${input.partition}:iam::\${AWS::AccountId}:role/${input.roleName}`,
      },
    },
  ];
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "aws-org-guardrails fast path: root activity on this account's default bus goes to the central bus. Managed by aws-org-guardrails; do not edit.",
    Conditions: {
      CreatesRole: { "Fn::Equals": [{ Ref: "AWS::Region" }, input.roleRegion] },
    },
    Resources: {
      ForwarderRole: {
        Type: "AWS::IAM::Role",
        Condition: "CreatesRole",
        Properties: {
          RoleName: input.roleName,
          Description: "Lets the aws-org-guardrails rule put root activity on the central bus.",
          AssumeRolePolicyDocument: substituted(forwarderTrustPolicy()),
          Policies: [
            {
              PolicyName: "put-events-on-the-central-bus",
              PolicyDocument: forwarderPolicy(input.centralBusArn),
            },
          ],
        },
      },
      RootActivityRule: {
        Type: "AWS::Events::Rule",
        Properties: {
          Name: input.ruleName,
          Description:
            "Root activity (the CIS root-usage condition) to the aws-org-guardrails bus.",
          EventBusName: "default",
          // Without this state read-only root calls never reach a rule: a rule in ENABLED only
          // sees mutating management events
          // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html).
          State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
          EventPattern: ROOT_ACTIVITY_EVENT_PATTERN,
          Targets: targets(),
        },
      },
      AssumeRootRule: {
        Type: "AWS::Events::Rule",
        Properties: {
          Name: input.assumeRootRuleName,
          Description:
            "AssumeRoot calls (the proof of a member account's root session) to the aws-org-guardrails bus.",
          EventBusName: "default",
          // AssumeRoot is a read-only call: only this state lets it reach the rule.
          State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
          EventPattern: ASSUME_ROOT_EVENT_PATTERN,
          Targets: targets(),
        },
      },
    },
  };
}
