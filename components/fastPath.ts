import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FastPathNames } from "../config/names";
import { ASSUME_ROOT_EVENT_PATTERN, ROOT_ACTIVITY_EVENT_PATTERN } from "../detection/eventPattern";
import { compactJson } from "../policies/document";
import {
  buildFastPathTemplate,
  centralBusPolicy,
  forwarderPolicy,
  forwarderTrustPolicy,
} from "../policies/fastPathTemplate";
import { StackSetsOrganizationsAccess } from "./stackSetsAccess";

export interface FastPathArgs {
  readonly fastPath: FastPathNames;
  readonly partition: string;
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly homeRegion: string;
  /** Where the StackSet deploys: the root, or the root-access SCP's OUs. */
  readonly deploymentTargets: readonly string[];
  readonly notifier: aws.lambda.Function;
  /** The account of the notifier and the central bus. */
  readonly busAccountId: string;
  readonly busProvider: aws.Provider;
  readonly managementProvider: aws.Provider;
}

/**
 * How the StackSet rolls out to a large organization: every account of a region at once
 * (StackSets caps a stack set at 100 concurrent stack instances anyway; "Maximum concurrent
 * accounts"), regions one after another; a tenth of the accounts of a region may fail before the
 * operation stops (a suspended or closing account fails, and must not hold up the rest), and
 * SOFT_FAILURE_TOLERANCE keeps the concurrency up while failures count.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-concepts.html#stackset-ops-options
 *
 * No region order, and nothing else that follows `fastPath.regions`: the provider sends
 * UpdateStackSet or UpdateStackInstances, each an operation on every instance of every region,
 * whenever these preferences change (stack_set.go, stack_instances.go update), so listing one more
 * region must change only the instances' region set (a set: its order never diffs). The one order
 * that matters, the forwarding role's region before the others that name the role, is not
 * enforced: PutTargets checks a role ARN's form, not that the role exists, so a region deployed
 * first delivers once its account's role region is done.
 */
export const OPERATION_PREFERENCES = {
  concurrencyMode: "SOFT_FAILURE_TOLERANCE",
  maxConcurrentPercentage: 100,
  failureTolerancePercentage: 10,
  regionConcurrencyType: "SEQUENTIAL",
} as const;

/**
 * How long `pulumi up` waits for a StackSet operation. The provider waits 30 minutes by default
 * (stack_instances.go, stack_set.go), but StackSets runs at most 100 stack instances of a stack set
 * at once: a first rollout or a template change at 5,000 accounts and 17 regions is 85,000
 * instances, hours of work. The operation goes on when the wait ends; this keeps `pulumi up` from
 * failing half-way while it does.
 */
export const ROLLOUT_TIMEOUTS = { create: "12h", update: "12h", delete: "12h" } as const;

/**
 * Root activity within seconds (issue 16): a service-managed StackSet puts a rule on the default
 * bus of every member account and listed region that forwards root events to a central bus
 * beside the notifier; the program gives the management account the same rules itself, since
 * service-managed stack sets never deploy there
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html).
 * One StackSet and one deployment target whatever the number of accounts: accounts that join get
 * the rule from automatic deployment, and leave it behind when they go.
 */
export class FastPath extends pulumi.ComponentResource {
  readonly bus: aws.cloudwatch.EventBus;
  readonly stackSet: aws.cloudformation.StackSet;
  readonly instances: aws.cloudformation.StackInstances;

  constructor(name: string, args: FastPathArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws-org-guardrails:fastpath:FastPath", name, {}, opts);
    const { fastPath: names } = args;
    const inBusAccount = { parent: this, provider: args.busProvider };
    const inManagement = { parent: this, provider: args.managementProvider };

    // The central bus, its policy (this organization's forwarding roles only) and its rule.
    this.bus = new aws.cloudwatch.EventBus(`${name}-bus`, { name: names.busName }, inBusAccount);
    const busPolicy = new aws.cloudwatch.EventBusPolicy(
      `${name}-bus-policy`,
      {
        eventBusName: this.bus.name,
        policy: compactJson(
          centralBusPolicy(names.busArn, args.organizationId, names.forwarderRoleName),
        ),
      },
      inBusAccount,
    );
    const permission = new aws.lambda.Permission(
      `${name}-invoke-from-bus`,
      {
        action: "lambda:InvokeFunction",
        function: args.notifier.name,
        principal: "events.amazonaws.com",
        // Only rules of the central bus may invoke the function (those the protection SCP guards).
        sourceArn: names.busRulesArn,
        sourceAccount: args.busAccountId,
      },
      inBusAccount,
    );
    // Two rules, each with its pattern, not one for everything the bus gets: a forwarding role
    // outside the protection SCP's reach (an account outside its targets) could put any AWS event
    // on the bus, and only root activity and AssumeRoot calls may reach the notifier. Read-only
    // events reach a rule, on a custom bus too, only in this state
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html).
    for (const [suffix, ruleName, pattern, description] of [
      ["", names.busRuleName, ROOT_ACTIVITY_EVENT_PATTERN, "Forwarded root activity"],
      [
        "-assume-root",
        names.busAssumeRootRuleName,
        ASSUME_ROOT_EVENT_PATTERN,
        "Forwarded AssumeRoot calls",
      ],
    ] as const) {
      const busRule = new aws.cloudwatch.EventRule(
        `${name}-bus${suffix}-rule`,
        {
          name: ruleName,
          description: `${description} to the aws-org-guardrails notifier.`,
          eventBusName: this.bus.name,
          eventPattern: JSON.stringify(pattern),
          state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
        },
        inBusAccount,
      );
      new aws.cloudwatch.EventTarget(
        `${name}-bus${suffix}-target`,
        {
          rule: busRule.name,
          eventBusName: this.bus.name,
          targetId: "notifier",
          arn: args.notifier.arn,
          // EventBridge retries getting the event to Lambda (throttling, Lambda unavailable) for
          // up to an hour; the function's own errors are Lambda's asynchronous retries (twice),
          // and the notifier's errors alarm pages on them.
          // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
          retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 185 },
        },
        { ...inBusAccount, dependsOn: [permission] },
      );
    }

    // Member accounts: one service-managed StackSet, deployed to the targets in every region.
    const access = new StackSetsOrganizationsAccess(
      `${name}-stacksets-trusted-access`,
      { managementAccountId: args.managementAccountId, region: args.homeRegion },
      { parent: this, retainOnDelete: true },
    );
    const template = buildFastPathTemplate({
      partition: args.partition,
      centralBusArn: names.busArn,
      roleRegion: names.roleRegion,
      ruleName: names.ruleName,
      assumeRootRuleName: names.assumeRootRuleName,
      roleName: names.forwarderRoleName,
    });
    this.stackSet = new aws.cloudformation.StackSet(
      `${name}-stack-set`,
      {
        name: names.stackSetName,
        description:
          "aws-org-guardrails: forwards root activity from every account and region to the central bus.",
        permissionModel: "SERVICE_MANAGED",
        callAs: "SELF",
        // Accounts that join get the stacks; accounts that leave lose them.
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        capabilities: ["CAPABILITY_NAMED_IAM"],
        // Instances that are not being deployed run their operations at once, queued otherwise.
        managedExecution: { active: true },
        operationPreferences: { ...OPERATION_PREFERENCES },
        templateBody: JSON.stringify(template),
      },
      // Its name is fixed, so a replacement (autoDeployment forces one) must delete first.
      {
        ...inManagement,
        dependsOn: [access, busPolicy],
        customTimeouts: ROLLOUT_TIMEOUTS,
        deleteBeforeReplace: true,
      },
    );
    this.instances = new aws.cloudformation.StackInstances(
      `${name}-stack-instances`,
      {
        stackSetName: this.stackSet.name,
        callAs: "SELF",
        deploymentTargets: { organizationalUnitIds: [...args.deploymentTargets] },
        regions: [...names.regions],
        operationPreferences: { ...OPERATION_PREFERENCES },
      },
      { ...inManagement, customTimeouts: ROLLOUT_TIMEOUTS, deleteBeforeReplace: true },
    );

    // The management account: the same rules, created here, per region.
    const role = new aws.iam.Role(
      `${name}-forwarder-role`,
      {
        name: names.forwarderRoleName,
        description: "Lets the aws-org-guardrails rules put root activity on the central bus.",
        assumeRolePolicy: compactJson(forwarderTrustPolicy(args.managementAccountId)),
      },
      inManagement,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-forwarder-role-policy`,
      {
        name: "put-events-on-the-central-bus",
        role: role.name,
        policy: compactJson(forwarderPolicy(names.busArn)),
      },
      inManagement,
    );
    for (const region of names.regions) {
      for (const [suffix, ruleName, pattern, description] of [
        [
          "root",
          names.ruleName,
          ROOT_ACTIVITY_EVENT_PATTERN,
          "Root activity (the CIS root-usage condition) to the aws-org-guardrails bus.",
        ],
        [
          "assume-root",
          names.assumeRootRuleName,
          ASSUME_ROOT_EVENT_PATTERN,
          "AssumeRoot calls, the proof of a member account's root session, to the aws-org-guardrails bus.",
        ],
      ] as const) {
        const rule = new aws.cloudwatch.EventRule(
          `${name}-${suffix}-${region}`,
          {
            region,
            name: ruleName,
            description,
            eventBusName: "default",
            // Without this state read-only calls never reach a rule.
            state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            eventPattern: JSON.stringify(pattern),
          },
          inManagement,
        );
        new aws.cloudwatch.EventTarget(
          `${name}-${suffix}-${region}-target`,
          {
            region,
            rule: rule.name,
            eventBusName: "default",
            targetId: "central-bus",
            arn: names.busArn,
            roleArn: role.arn,
          },
          { ...inManagement, dependsOn: [rolePolicy, this.bus, busPolicy] },
        );
      }
    }
    this.registerOutputs({ busArn: this.bus.arn, stackSetName: this.stackSet.name });
  }
}
