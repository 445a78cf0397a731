import * as pulumi from "@pulumi/pulumi";

/**
 * Trusted access between CloudFormation StackSets and AWS Organizations, activated the way AWS
 * documents for StackSets: CloudFormation's ActivateOrganizationsAccess, which also creates the
 * management account's `AWSServiceRoleForCloudFormationStackSetsOrgAdmin` role. Enabling the
 * service principal through Organizations (EnableAWSServiceAccess, the provider's
 * AwsServiceAccess) is not enough: a service-managed stack set then fails with "You must enable
 * organizations access to operate a service managed stack set"
 * (https://github.com/pepperize/cdk-organizations/issues/1718; "You can enable trusted access
 * using only AWS CloudFormation StackSets",
 * https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-cloudformation.html).
 * The AWS provider has no resource for it, so this is a dynamic resource over the SDK:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-activate-trusted-access.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ActivateOrganizationsAccess.html
 *
 * Never deactivated: deleting this resource only forgets it (other stack sets of the organization,
 * AWS Control Tower's among them, depend on the same access), like ORGANIZATION_WIDE switches.
 * A dynamic provider runs with the ambient credentials, not an explicit provider's, so it checks
 * the caller's account first and refuses any other than the management account, the guard
 * `allowedAccountIds` gives the explicit providers.
 */
export interface StackSetsAccessInputs {
  readonly managementAccountId: string;
  readonly region: string;
}

export interface StackSetsAccessState extends StackSetsAccessInputs {
  /** As DescribeOrganizationsAccess reports it: ENABLED once activated. */
  readonly status: string;
}

/** The resource type Pulumi records for this dynamic resource (every dynamic resource shares it). */
export const DYNAMIC_RESOURCE_TYPE = "pulumi-nodejs:dynamic:Resource";

/**
 * The provider's methods are serialized into the stack's state, so each one requires the SDK
 * itself rather than capturing module objects.
 */
async function activate(inputs: StackSetsAccessInputs): Promise<StackSetsAccessState> {
  // Required inside the function: Pulumi serializes it into the state, and a module required here
  // is serialized by its name instead of as captured objects.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@aws-sdk/client-cloudformation");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sts = require("@aws-sdk/client-sts");
  const identity = await new sts.STSClient({ region: inputs.region }).send(
    new sts.GetCallerIdentityCommand({}),
  );
  if (identity.Account !== inputs.managementAccountId) {
    throw new Error(
      `StackSets trusted access: the credentials are for account ${String(identity.Account)}, not the management account ${inputs.managementAccountId}; run with the management account's credentials`,
    );
  }
  const client = new sdk.CloudFormationClient({ region: inputs.region });
  const before = await client.send(new sdk.DescribeOrganizationsAccessCommand({}));
  if (before.Status !== "ENABLED") {
    await client.send(new sdk.ActivateOrganizationsAccessCommand({}));
  }
  return { ...inputs, status: "ENABLED" };
}

/**
 * The provider's methods are serialized into the stack's state, so the SDK is required inside
 * them rather than captured as module objects.
 */
const provider: pulumi.dynamic.ResourceProvider<StackSetsAccessInputs, StackSetsAccessState> = {
  async create(inputs) {
    return {
      id: `stacksets-organizations-access-${inputs.managementAccountId}`,
      outs: await activate(inputs),
    };
  },
  async read(id, props) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require("@aws-sdk/client-cloudformation");
    const current = props as StackSetsAccessState;
    const client = new sdk.CloudFormationClient({ region: current.region });
    const described = await client.send(new sdk.DescribeOrganizationsAccessCommand({}));
    return { id, props: { ...current, status: String(described.Status) } };
  },
  async diff(_id, olds, news) {
    const replaces =
      olds.managementAccountId !== news.managementAccountId ? ["managementAccountId"] : [];
    // Deactivated out of band (a refresh reads DISABLED): activating it again is an update.
    const changes = replaces.length > 0 || olds.status !== "ENABLED" || olds.region !== news.region;
    return { changes, replaces, deleteBeforeReplace: false };
  },
  async update(_id, _olds, news) {
    return { outs: await activate(news) };
  },
  async delete() {
    // Never DeactivateOrganizationsAccess: see the module comment.
  },
};

export class StackSetsOrganizationsAccess extends pulumi.dynamic.Resource {
  declare readonly status: pulumi.Output<string>;

  constructor(name: string, inputs: StackSetsAccessInputs, opts: pulumi.CustomResourceOptions) {
    super(provider, name, { ...inputs, status: undefined }, opts);
  }
}
